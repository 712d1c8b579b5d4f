"""Preparing many determinations at once writes what preparing and submitting them one after another writes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from licensing.audit.models import Event
from licensing.determinations import services as determinations
from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.models import StatusRecord

from ..factories import CustomerFactory, PersonFactory

pytestmark = pytest.mark.django_db
COMPARED = ("status", "outcome", "basis", "attribution_country_id", "itar_countries", "facts", "effective_on")
COMPARED += ("review_by", "notes", "prepared_by_id", "approved_by_id", "customer_id", "person_id")


def subjects():
    """A U.S. entity, a foreign entity, a French-then-Canadian person and a person with no status recorded."""
    french = PersonFactory()
    StatusRecord.objects.create(
        person=french, kind="citizenship", country_id="FR", acquired_on=datetime.date(1990, 1, 1)
    )
    StatusRecord.objects.create(
        person=french, kind="citizenship", country_id="CA", acquired_on=datetime.date(2010, 1, 1)
    )
    return [
        CustomerFactory(country_of_incorporation_id="US", headquarters_country_id="US"),
        CustomerFactory(country_of_incorporation_id="DE"),
        french,
        PersonFactory(),
    ]


def events_after(mark: int, determination: ForeignPersonDetermination) -> list[tuple]:
    return [
        (e.verb, e.actor_label, e.before, e.after, e.reason, e.target_repr)
        for e in Event.objects.filter(
            sequence__gt=mark, target_id=str(determination.pk), verb__startswith="determination"
        ).order_by("sequence")
    ]


def test_the_bulk_path_writes_what_prepare_then_submit_writes(reference_data, officer, today):
    book = subjects()
    mark = Event.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    one_by_one: list = []
    for subject in book:
        try:
            draft = determinations.prepare_determination(actor=officer, subject=subject, effective_on=today, notes="x")
            one_by_one.append(determinations.submit_determination(actor=officer, determination=draft))
        except ValidationError as error:
            one_by_one.append(" ".join(error.messages))

    middle = Event.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    together = determinations.prepare_and_submit_determinations(
        actor=officer, drafts=[(s, "x") for s in determinations.with_facts(book)], effective_on=today
    )

    assert [isinstance(r, str) for r in together] == [False, False, False, True]
    assert together[3] == one_by_one[3] and "no citizenship or permanent residency" in together[3]
    for single, bulk in zip(one_by_one[:3], together[:3], strict=True):
        bulk.refresh_from_db()
        assert tuple(getattr(bulk, f) for f in COMPARED) == tuple(getattr(single, f) for f in COMPARED)
        single_events = events_after(mark, single)
        bulk_events = events_after(middle, bulk)
        assert [e[:5] for e in bulk_events] == [e[:5] for e in single_events]
        assert [e[0] for e in bulk_events] == ["determination.prepared", "determination.submit"]
        assert bulk_events[0][5] == str(bulk)
    assert together[2].attribution_country_id == "CA" and together[2].itar_countries == ["CA", "FR"]


def test_only_a_preparer_may_prepare_in_bulk(reference_data, legal, today):
    with pytest.raises(PermissionDenied):
        determinations.prepare_and_submit_determinations(
            actor=legal, drafts=[(CustomerFactory(), "")], effective_on=today
        )
    assert not ForeignPersonDetermination.objects.exists()
