"""What the pre-filing check reads about one application, loaded once."""

import copy
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from licensing.parties.models import EvidenceDocument, Person
from licensing.reference.models import Activity

from ..models import (
    ApplicationItem,
    ApplicationParty,
    ConsigneeStatement,
    LicenceApplication,
    SupportingDocument,
    SupportingDocumentKind,
)


@dataclass(frozen=True)
class Draft:
    """An application as the officer would file it now, with the records its blocks rely on."""

    application: LicenceApplication
    activity: str
    # Whom a deemed release goes to: the application's person, else the transaction's.
    person: Person | None
    parties: tuple[ApplicationParty, ...]
    items: tuple[ApplicationItem, ...]
    # Kinds of supporting document uploaded to the application (block 6).
    uploaded_kinds: frozenset[str]
    statements: tuple[ConsigneeStatement, ...]
    # Signature days of the customer's BIS-711s an earlier filed application already relied on (748.11).
    statements_used_before: frozenset[datetime.date]
    # Kinds of personal evidence held for the person a deemed release goes to.
    evidence_kinds: frozenset[str]
    technology_control_plan: str
    today: datetime.date
    changed_fields: frozenset[str] = field(default_factory=frozenset)

    @property
    def deemed(self) -> bool:
        return self.activity in Activity.deemed()

    def parties_in(self, role: str) -> list[ApplicationParty]:
        return [party for party in self.parties if party.role == role]


def load_draft(
    application: LicenceApplication, *, today: datetime.date, changes: dict[str, Any] | None = None
) -> Draft:
    """Load what the check reads; `changes` are block values typed but not yet saved, laid over the stored ones."""
    changes = changes or {}
    if changes:
        # A copy: values being typed must never reach the stored row by accident.
        application = copy.copy(application)
        for name, value in changes.items():
            setattr(application, name, value)
    record = application.transaction
    person = application.person or record.person
    statements = tuple(ConsigneeStatement.objects.filter(application=application.pk).order_by("signed_on", "pk"))
    used_before = frozenset(
        day
        for day in SupportingDocument.objects.filter(
            kind=SupportingDocumentKind.FORM_711,
            signed_on__in=[s.signed_on for s in statements],
            application__customer_id=application.customer_id,
            application__submitted_on__isnull=False,
        )
        .exclude(application_id=application.pk)
        .values_list("signed_on", flat=True)
        if day is not None
    )
    return Draft(
        application=application,
        activity=record.activity,
        person=person,
        parties=tuple(ApplicationParty.objects.filter(application=application.pk).select_related("country")),
        items=tuple(ApplicationItem.objects.filter(application=application.pk)),
        uploaded_kinds=frozenset(
            SupportingDocument.objects.filter(application=application.pk).values_list("kind", flat=True)
        ),
        statements=statements,
        statements_used_before=used_before,
        evidence_kinds=frozenset(
            EvidenceDocument.objects.filter(person=person).values_list("kind", flat=True) if person else ()
        ),
        technology_control_plan=str(getattr(settings, "TECHNOLOGY_CONTROL_PLAN_REFERENCE", "") or "").strip(),
        today=today,
        changed_fields=frozenset(changes),
    )
