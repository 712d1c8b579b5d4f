"""Owners, their listings and the ownership rule's period, built in memory for the rule tables."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from licensing.cases.facts import OwnershipFacts
from licensing.cases.models import OwnershipRulePeriod
from licensing.parties.models import Ownership
from licensing.screening.models import Hit, ListEntry, ListVersion

CUSTOMER = 1
LIST_SOURCES = {"EL": "Entity List (EL) - Bureau of Industry and Security", "SDN": "Specially Designated Nationals"}


def period(status: str = OwnershipRulePeriod.Status.IN_FORCE) -> OwnershipRulePeriod:
    return OwnershipRulePeriod(
        pk=1, status=status, effective_from=datetime.date(2025, 9, 29), legal_basis="15 CFR 744.11 (affiliates rule)"
    )


def edge(pk: int, owner: int | None, percentage: str, owned: int = CUSTOMER, owner_name: str = "") -> Ownership:
    return Ownership(
        pk=pk,
        owned_id=owned,
        owner_id=owner,
        owner_name=owner_name,
        percentage=Decimal(percentage),
        verified_on=datetime.date(2026, 1, 5),
    )


def hit(pk: int, customer: int, name: str, status: str = Hit.Status.CONFIRMED, list_code: str = "EL") -> Hit:
    version = ListVersion(pk=1, feed="csl", published_on=datetime.date(2026, 11, 1))
    entry = ListEntry(
        pk=pk,
        version=version,
        list_code=list_code,
        source=LIST_SOURCES[list_code],
        name=name,
        license_requirement="For all items subject to the EAR",
        license_policy="Presumption of denial",
    )
    found = Hit(
        pk=pk,
        customer_id=customer,
        entry=entry,
        status=status,
        score=0.97,
        subject_name=name,
        matched_name=name,
        first_matched_at=timezone.now() - datetime.timedelta(days=30),
    )
    return found


def owned_by(w: SimpleNamespace, edges: list[Ownership], hits: list[Hit], names: dict[int, str], **kw) -> None:
    w.facts["ownership"] = OwnershipFacts(period=kw.get("period", period()), edges=edges, hits=hits, owner_names=names)


def entity_listed_owners(w: SimpleNamespace, owners: list[tuple[str, str]], list_code: str = "EL") -> None:
    """The customer owned by these (name, percentage) customers, each a confirmed match on the list."""
    edges, hits, names = [], [], {}
    for number, (name, percentage) in enumerate(owners, start=2):
        edges.append(edge(number, number, percentage))
        hits.append(hit(number, number, name, list_code=list_code))
        names[number] = name
    owned_by(w, edges, hits, names)
