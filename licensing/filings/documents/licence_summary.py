"""A one-page summary of an issued licence: number, validity, limits and conditions."""

from licensing.cases.models import LicenceApplication

from ..snapshot import licence_of
from .blocks import Block, MissingInformation, date_text, money, number


def licence_summary_context(application: LicenceApplication) -> dict:
    licence = licence_of(application)
    if licence is None:
        raise MissingInformation(
            "licence", f"{application.reference} has no issued licence; record BIS's approval first."
        )
    currency = application.transaction.currency
    # 750.7(f): software and technology carry no quantity or value limit.
    unlimited = "Not limited (software or technology, 15 CFR 750.7(f))"
    return {
        "licence": licence,
        "blocks": [
            Block("1", "Licence number", licence.number),
            Block("2", "Status", licence.get_status_display()),
            Block("3", "Application", f"{application.reference} (SNAP-R {application.snapr_control_number or 'none'})"),
            Block("4", "Customer", licence.customer.legal_name),
            Block("5", "Person", str(licence.person) if licence.person_id else ""),
            Block("6", "Item", f"{licence.item.name} (ECCN {licence.item.eccn})"),
            Block("7", "Activity", licence.get_activity_display()),
            Block("8", "Country", licence.country.name),
            Block("9", "Valid from", date_text(licence.valid_from)),
            Block("10", "Valid until", date_text(licence.valid_until)),
            Block(
                "11",
                "Authorised quantity",
                number(licence.authorised_quantity) if licence.authorised_quantity is not None else unlimited,
            ),
            Block(
                "12",
                "Authorised value",
                money(licence.authorised_value, currency) if licence.authorised_value is not None else unlimited,
            ),
            Block("13", "Quantity used", number(licence.quantity_used)),
            Block("14", "Value used", money(licence.value_used, currency)),
            Block(
                "15",
                "Employees covered",
                "Yes: the entity's permanent, regular employees (15 CFR 750.7(a)(3))"
                if licence.covers_employees
                else "No: named persons only",
            ),
        ],
        "conditions": [
            {
                "position": condition.position,
                "text": condition.text,
                "acknowledged": (
                    f"Acknowledged by {condition.acknowledged_by} on {condition.acknowledged_at:%Y-%m-%d}"
                    if condition.acknowledged_at
                    else "Not yet acknowledged"
                ),
            }
            for condition in licence.conditions.all()
        ],
    }
