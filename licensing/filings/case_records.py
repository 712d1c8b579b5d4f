"""What a case file holds beside the application: its determinations, their evidence and its licence, as JSON data.

Read for a batch of applications at a time, a query per kind of record.
Evidence is listed by name, size and SHA-256 but its files stay out: the
package goes to legal staff and auditors, who may not see personal evidence
(passports, resumes); the hashes let them match a copy compliance hands over.
"""

from collections import defaultdict

from django.db.models import Q

from licensing.cases.models import Licence, LicenceApplication, LicenceUsage
from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.models import EvidenceDocument

from . import storage
from .snapshot import licence_of, licence_record, plain

EVIDENCE_NOTE = (
    "Evidence files are listed, not included: legal staff and auditors may not view personal evidence. "
    "Each SHA-256 identifies the file compliance holds."
)


class MissingEvidenceFile(Exception):
    """An evidence file the case rests on is no longer stored."""


def _user(user) -> str | None:
    return user.get_username() if user is not None else None


def _determination(determination: ForeignPersonDetermination) -> dict:
    if determination.customer is not None:
        subject = f"customer {determination.customer.external_id}"
    else:
        # A determination is of a customer or of a person.
        assert determination.person is not None
        subject = f"person {determination.person.external_id or determination.person_id}"
    return {
        "id": determination.pk,
        "subject": subject,
        "status": determination.status,
        "outcome": determination.outcome,
        "basis": determination.basis,
        "attribution_country": determination.attribution_country_id,
        "itar_countries": determination.itar_countries,
        "facts": determination.facts,
        "effective_on": plain(determination.effective_on),
        "review_by": plain(determination.review_by),
        "notes": determination.notes,
        "prepared_by": _user(determination.prepared_by),
        "approved_by": _user(determination.approved_by),
        "approved_at": plain(determination.approved_at),
    }


def _evidence(document: EvidenceDocument) -> dict:
    if not document.file.name or not storage.media_path(document.file.name).is_file():
        raise MissingEvidenceFile(f"evidence {document.pk} ({document}) is not stored; the case file is incomplete")
    sha256, size = storage.file_sha256(document.file.name)
    return {
        "id": document.pk,
        "person": document.person.external_id or document.person_id,
        "kind": document.kind,
        "original_name": document.original_name,
        "description": document.description,
        "size": size,
        "sha256": sha256,
        "uploaded_by": _user(document.uploaded_by),
        "uploaded_at": plain(document.uploaded_at),
    }


def determinations_by_application(applications: list[LicenceApplication]) -> dict[int, dict]:
    """Return, per application, the determinations of its customer and person and the person's evidence."""
    customers = {a.customer_id for a in applications}
    persons = {a.person_id for a in applications if a.person_id}
    by_customer, by_person = defaultdict(list), defaultdict(list)
    determinations = (
        ForeignPersonDetermination.objects.filter(Q(customer_id__in=customers) | Q(person_id__in=persons))
        .select_related("customer", "person", "prepared_by", "approved_by")
        .order_by("effective_on", "id")
    )
    for determination in determinations:
        if determination.customer_id:
            by_customer[determination.customer_id].append(_determination(determination))
        else:
            by_person[determination.person_id].append(_determination(determination))
    evidence = defaultdict(list)
    for document in EvidenceDocument.objects.filter(person_id__in=persons).select_related("person", "uploaded_by"):
        evidence[document.person_id].append(_evidence(document))
    return {
        application.pk: {
            "determinations": by_customer[application.customer_id]
            + (by_person[application.person_id] if application.person_id else []),
            "evidence": sorted(evidence[application.person_id], key=lambda e: e["id"]) if application.person_id else [],
            "evidence_files_included": False,
            "evidence_note": EVIDENCE_NOTE,
        }
        for application in applications
    }


def licence_records(applications: list[LicenceApplication]) -> dict[int, dict]:
    """Return, per licensed application, its licence: number, validity, conditions and every use of it."""
    licences: dict[int, Licence] = {}
    for application in applications:
        licence = licence_of(application)
        if licence is not None:
            licences[application.pk] = licence
    usages = defaultdict(list)
    for usage in (
        LicenceUsage.objects.filter(licence__in=licences.values())
        .select_related("transaction", "recorded_by")
        .order_by("used_on", "id")
    ):
        usages[usage.licence_id].append(
            {
                "transaction": usage.transaction.external_id,
                "quantity": plain(usage.quantity),
                "value": plain(usage.value),
                "used_on": plain(usage.used_on),
                "recorded_by": _user(usage.recorded_by) or usage.recorded_via or None,
                "recorded_at": plain(usage.recorded_at),
            }
        )
    return {
        application_id: {**licence_record(licence), "usage": usages[licence.pk]}
        for application_id, licence in licences.items()
    }
