"""The letter of explanation; for a deemed export it names the person, the technology, the release and the TCP."""

from django.conf import settings
from django.utils import timezone

from licensing.cases.models import ApplicationParty, LicenceApplication
from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.models import StatusRecord
from licensing.reference.models import Activity

from .blocks import Block, MissingInformation, date_text
from .form_748p import first_party, item_lines

Role = ApplicationParty.Role

BIS_ADDRESS = (
    "U.S. Department of Commerce",
    "Bureau of Industry and Security, Office of Exporter Services",
    "1401 Constitution Avenue NW",
    "Washington, DC 20230",
)

RULE_FOR_ACTIVITY: dict[str, str] = {
    Activity.DEEMED_EXPORT: "15 CFR 734.13(a)(2) and (b)",
    Activity.DEEMED_REEXPORT: "15 CFR 734.14(a)(2) and (b)",
}


def technology_control_plan_reference() -> str:
    return str(getattr(settings, "TECHNOLOGY_CONTROL_PLAN_REFERENCE", "") or "").strip()


def letter_context(application: LicenceApplication) -> dict:
    record = application.transaction
    deemed = record.activity in Activity.deemed()
    applicant = first_party(application, Role.APPLICANT)
    end_user = first_party(application, Role.END_USER)
    lines = item_lines(application)
    context = {
        "today": date_text(timezone.localdate()),
        "bis_address": BIS_ADDRESS,
        "applicant": applicant.name if applicant else settings.APPLICANT["name"],
        "applicant_address": settings.APPLICANT,
        "activity": record.get_activity_display(),
        "item": record.item,
        "eccn": lines[0].eccn if lines else record.item.eccn,
        "destination": record.destination_country.name,
        "end_user": end_user.name if end_user else "",
        "purchaser": getattr(first_party(application, Role.PURCHASER), "name", ""),
        "consignee": getattr(first_party(application, Role.ULTIMATE_CONSIGNEE), "name", ""),
        "end_use": application.specific_end_use,
        "additional": application.additional_information,
        "signer_name": application.signer_name,
        "signer_title": application.signer_title,
        "deemed": deemed,
    }
    if deemed:
        context.update(_deemed_sections(application, lines))
    return context


def _deemed_sections(application: LicenceApplication, lines) -> dict:
    record = application.transaction
    person = application.person or record.person
    if person is None:
        raise MissingInformation(
            "person",
            f"{application.reference} is a {record.get_activity_display().lower()} but names no person; "
            "the letter must say to whom the technology is released.",
        )
    tcp = technology_control_plan_reference()
    if not tcp:
        raise MissingInformation(
            "technology_control_plan",
            "A deemed-export letter must cite the Technology Control Plan; set TECHNOLOGY_CONTROL_PLAN_REFERENCE.",
        )
    on = timezone.localdate(record.requested_at)
    statuses = [
        r
        for r in person.status_records.all()
        if r.held_on(on) and r.kind in (StatusRecord.Kind.CITIZENSHIP, StatusRecord.Kind.PERMANENT_RESIDENCY)
    ]
    attributed = record.attributed_country
    if attributed is None:
        determination = ForeignPersonDetermination.objects.for_subject(person).in_force_on(on).first()
        attributed = determination.attribution_country if determination else None
    if attributed is None:
        raise MissingInformation(
            "attributed_country",
            f"{application.reference}: no country is attributed to the release to {person}; "
            "decide the transaction after an approved determination.",
        )
    description = (lines[0].technical_description if lines else "") or record.item.description
    return {
        "person": Block("1", "The person", str(person)),
        "person_fields": [
            Block("", "Name", str(person)),
            Block("", "Employer", person.employer.legal_name if person.employer else person.employer_name),
            Block("", "Located in", person.location_country.name),
            Block(
                "",
                "Citizenship and residency",
                "; ".join(
                    f"{r.get_kind_display()} of {r.country.name} since {r.acquired_on:%Y-%m-%d}" for r in statuses
                ),
            ),
            Block("", "Release attributed to", f"{attributed.name} ({RULE_FOR_ACTIVITY[record.activity]})"),
        ],
        "technology_fields": [
            Block("", "Technology", record.item.name),
            Block("", "ECCN", lines[0].eccn if lines else record.item.eccn),
            Block("", "Model", lines[0].model_number if lines else record.item.code),
            Block("", "Description", description),
        ],
        "release_fields": [
            Block("", "Form of release", f"Access to {record.item.name} ({record.get_activity_display().lower()})"),
            Block("", "Where", record.destination_country.name),
            Block("", "Requested on", date_text(on)),
            Block("", "Transaction", record.external_id),
            Block("", "Purpose", application.specific_end_use or record.end_use),
        ],
        "tcp": Block("4", "Technology Control Plan", tcp),
    }
