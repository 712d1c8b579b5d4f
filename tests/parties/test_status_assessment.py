"""15 CFR 772.1 and 734.13(b), and the ITAR set of 22 CFR 120.51(b), read from a person's dated history."""

import datetime

import pytest

from licensing.parties.models import StatusRecord
from licensing.parties.status import Basis, Outcome, assess_person

from ..factories import PersonFactory, add_status

C, PR, PI = StatusRecord.Kind.CITIZENSHIP, StatusRecord.Kind.PERMANENT_RESIDENCY, StatusRecord.Kind.PROTECTED_INDIVIDUAL
ON = datetime.date(2026, 11, 1)

CASES = [
    # (history, outcome, basis, attribution, itar)
    ([(C, "US", "1980-01-01", None)], Outcome.US_PERSON, Basis.US_CITIZENSHIP, None, ()),
    ([(C, "IN", "1990-01-01", None)], Outcome.FOREIGN_PERSON, Basis.FOREIGN_CITIZENSHIP, "IN", ("IN",)),
    (
        [(C, "RU", "1990-01-01", None), (C, "IL", "2015-06-01", None)],
        Outcome.FOREIGN_PERSON,
        Basis.FOREIGN_CITIZENSHIP,
        "IL",
        ("IL", "RU"),
    ),
    # A permanent resident of Canada: 734.13(b) attributes to Canada, the
    # more recent status; the ITAR set counts the residency beside the citizenship.
    (
        [(C, "IN", "1990-01-01", None), (PR, "CA", "2019-04-01", None)],
        Outcome.FOREIGN_PERSON,
        Basis.FOREIGN_CITIZENSHIP,
        "CA",
        ("CA", "IN"),
    ),
    # A residency given up no longer counts for either rule.
    (
        [(C, "IN", "1990-01-01", None), (PR, "AE", "2012-04-01", "2018-04-01")],
        Outcome.FOREIGN_PERSON,
        Basis.FOREIGN_CITIZENSHIP,
        "IN",
        ("IN",),
    ),
    (
        [(C, "CN", "1992-01-01", None), (PR, "US", "2026-10-01", None)],
        Outcome.US_PERSON,
        Basis.US_PERMANENT_RESIDENCY,
        None,
        (),
    ),
    # Weeks before the green card takes effect the person is still foreign.
    (
        [(C, "CN", "1992-01-01", None), (PR, "US", "2026-12-01", None)],
        Outcome.FOREIGN_PERSON,
        Basis.FOREIGN_CITIZENSHIP,
        "CN",
        ("CN",),
    ),
    # A green card given up: foreign again, attributed to the citizenship.
    (
        [(C, "MX", "1985-01-01", None), (PR, "US", "2010-01-01", "2020-01-01")],
        Outcome.FOREIGN_PERSON,
        Basis.FOREIGN_CITIZENSHIP,
        "MX",
        ("MX",),
    ),
    # A former citizen of Japan: the renounced citizenship no longer counts
    # for attribution, but the ITAR set counts every citizenship ever held.
    (
        [(C, "KR", "1985-01-01", None), (C, "JP", "2005-01-01", "2012-01-01")],
        Outcome.FOREIGN_PERSON,
        Basis.FOREIGN_CITIZENSHIP,
        "KR",
        ("JP", "KR"),
    ),
    # A former citizen who is now a permanent resident elsewhere: all three count for ITAR.
    (
        [(C, "RU", "1980-01-01", "2016-01-01"), (C, "IL", "2015-06-01", None), (PR, "DE", "2020-03-01", None)],
        Outcome.FOREIGN_PERSON,
        Basis.FOREIGN_CITIZENSHIP,
        "DE",
        ("DE", "IL", "RU"),
    ),
    (
        [(C, "AF", "1985-01-01", None), (PI, "US", "2022-09-01", None)],
        Outcome.US_PERSON,
        Basis.PROTECTED_INDIVIDUAL,
        None,
        (),
    ),
]


@pytest.mark.parametrize(("history", "outcome", "basis", "attribution", "itar"), CASES)
def test_assessment(db, history, outcome, basis, attribution, itar):
    person = PersonFactory()
    for kind, country, acquired, ended in history:
        add_status(person, kind, country, acquired, ended)
    result = assess_person(person, ON)
    assert (result.outcome, result.basis, result.attribution_country, result.itar_countries) == (
        outcome,
        basis,
        attribution,
        itar,
    )
