"""An application and everything it names, as plain JSON data.

Export packages write it out; filings record a SHA-256 of it, so a filed
document can be traced to the exact state of the application it was filled from.
"""

import datetime
import hashlib
import json
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch

from licensing.cases.models import ApplicationParty, Licence, LicenceApplication, LicenceCondition

from .documents.blocks import party_address
from .documents.form_748p import addresses_on

# Personal evidence stays out: these person fields are never exported.
PERSON_FIELDS = ("id", "external_id", "relationship", "given_name", "family_name", "employer_name")


def applications_with_related():
    """Applications with everything the documents and the snapshot read, fetched in a few queries."""
    return LicenceApplication.objects.select_related(
        "transaction__item",
        "transaction__destination_country",
        "transaction__attributed_country",
        "transaction__customer",
        "customer__country_of_incorporation",
        "customer__headquarters_country",
        "person__location_country",
        "person__employer",
        "prepared_by",
        "approved_for_filing_by",
        "assigned_officer",
    ).prefetch_related(
        Prefetch("parties", queryset=ApplicationParty.objects.select_related("country")),
        "items",
        "documents__uploaded_by",
        "person__status_records__country",
        Prefetch("licence__conditions", queryset=LicenceCondition.objects.select_related("acknowledged_by")),
    )


def load_application(application_id: int) -> LicenceApplication:
    return applications_with_related().get(pk=application_id)


def licence_of(application: LicenceApplication) -> Licence | None:
    try:
        return application.licence
    except Licence.DoesNotExist:
        return None


def plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _fields(obj, names) -> dict:
    return {name: plain(getattr(obj, name)) for name in names}


def _user(user) -> str | None:
    return user.get_username() if user is not None else None


def application_record(application: LicenceApplication) -> dict:
    """Return the application, its transaction, parties, items, documents and licence as JSON data."""
    record = application.transaction
    licence = licence_of(application)
    customer = application.customer
    return {
        "reference": application.reference,
        "id": application.pk,
        "status": application.status,
        "status_label": application.get_status_display(),
        "snapr_control_number": application.snapr_control_number,
        "submitted_on": plain(application.submitted_on),
        "registered_on": plain(application.registered_on),
        "prepared_by": _user(application.prepared_by),
        "approved_for_filing_by": _user(application.approved_for_filing_by),
        "assigned_officer": _user(application.assigned_officer),
        "created_at": plain(application.created_at),
        "updated_at": plain(application.updated_at),
        "blocks": {
            field.verbose_name: plain(getattr(application, field.name))
            for field in LicenceApplication._meta.concrete_fields
            if field.verbose_name[:2].strip().isdigit()
        },
        "total_application_value": plain(application.total_value),
        "transaction": {
            "external_id": record.external_id,
            "item": {"code": record.item.code, "name": record.item.name, "eccn": record.item.eccn},
            "activity": record.activity,
            "destination_country": record.destination_country_id,
            "attributed_country": record.attributed_country_id,
            "quantity": plain(record.quantity),
            "value": plain(record.value),
            "currency": record.currency,
            "end_use": record.end_use,
            "requested_at": plain(record.requested_at),
            "decision": record.decision,
            "decision_reasons": record.decision_reasons,
            "decided_at": plain(record.decided_at),
        },
        "customer": {
            "id": customer.pk,
            "external_id": customer.external_id,
            "kind": customer.kind,
            "legal_name": customer.legal_name,
            "country_of_incorporation": customer.country_of_incorporation_id,
            "headquarters_country": customer.headquarters_country_id,
        },
        "person": _fields(application.person, PERSON_FIELDS) if application.person_id else None,
        "parties": [
            {
                "block": party.get_role_display(),
                "role": party.role,
                "position": party.position,
                "name": party.name,
                "address": party.address,
                # What the form gives: a person named with no address typed in is filed at the address on their
                # record on the filing day (block 19), so the record that the filings' hash covers holds it too.
                "address_as_filed": list(party_address(party, addresses_on(application))),
                "city": party.city,
                "postal_code": party.postal_code,
                "country": party.country_id,
                "telephone": party.telephone,
                "website": party.website,
                "customer_id": party.customer_id,
                "person_id": party.person_id,
            }
            for party in application.parties.all()
        ],
        "items": [
            {
                field.verbose_name: plain(getattr(line, field.name))
                for field in line._meta.concrete_fields
                if field.name not in ("id", "application")
            }
            for line in application.items.all()
        ],
        "supporting_documents": [
            {
                "id": document.pk,
                "kind": document.kind,
                "original_name": document.original_name,
                "description": document.description,
                "signed_on": plain(document.signed_on),
                "uploaded_by": _user(document.uploaded_by),
                "uploaded_at": plain(document.uploaded_at),
            }
            for document in application.documents.all()
        ],
        "licence": licence_record(licence) if licence is not None else None,
    }


def licence_record(licence: Licence) -> dict:
    return {
        **_fields(
            licence,
            (
                "number",
                "status",
                "activity",
                "covers_employees",
                "valid_from",
                "valid_until",
                "authorised_quantity",
                "authorised_value",
                "quantity_used",
                "value_used",
                "issued_at",
            ),
        ),
        "country": licence.country_id,
        "conditions": [
            {
                "position": condition.position,
                "text": condition.text,
                "acknowledged_by": _user(condition.acknowledged_by),
                "acknowledged_at": plain(condition.acknowledged_at),
            }
            for condition in licence.conditions.all()
        ],
    }


def as_json_bytes(data) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, sort_keys=True, ensure_ascii=False).encode() + b"\n"


def record_sha256(data) -> str:
    return hashlib.sha256(as_json_bytes(data)).hexdigest()
