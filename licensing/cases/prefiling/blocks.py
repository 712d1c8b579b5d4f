"""The blocks BIS needs filled on every application of its type."""

from licensing.parties.models import address_held_on

from ..models import ApplicationParty, ApplicationType
from .draft import Draft
from .problem import Problem

Role = ApplicationParty.Role
# A classification request names no parties; every licence application names these (blocks 14, 16, 18, 19).
PARTY_ROLES = (Role.APPLICANT, Role.PURCHASER, Role.ULTIMATE_CONSIGNEE, Role.END_USER)
# A reexport or transfer says who first received the item from the United States (block 20).
ORIGINAL_CONSIGNEE_TYPES = (ApplicationType.REEXPORT, ApplicationType.IN_COUNTRY_TRANSFER)


def contact(draft: Draft) -> Problem | None:
    application = draft.application
    missing = [
        label
        for label, value in (("name", application.contact_name), ("telephone", application.contact_phone))
        if not value.strip()
    ]
    if not missing:
        return None
    return Problem(
        "1–2 Contact",
        "contact_name" if "name" in missing else "contact_phone",
        f"The contact's {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} blank.",
        "Give the person BIS should call about this application, with a telephone number.",
    )


def _roles_needed(draft: Draft) -> tuple[str, ...]:
    application_type = draft.application.application_type
    if application_type == ApplicationType.CLASSIFICATION:
        return ()
    if application_type in ORIGINAL_CONSIGNEE_TYPES and not draft.deemed:
        return (*PARTY_ROLES, Role.ORIGINAL_ULTIMATE_CONSIGNEE)
    return PARTY_ROLES


def _addressed(party: ApplicationParty, draft: Draft) -> bool:
    if party.address.strip() and party.city.strip() and party.country_id:
        return True
    # A person named with no address typed in is filed at the address on their record (block 19).
    return (
        not party.address.strip()
        and party.person_id is not None
        and (address_held_on(party.person_id, draft.today) is not None)
    )


def _party_check(role: str):
    label = Role(role).label

    def check(draft: Draft) -> Problem | None:
        if role not in _roles_needed(draft):
            return None
        named = draft.parties_in(role)
        if not named:
            return Problem(
                label,
                "parties",
                f"Block {label} names nobody.",
                f"Name the {label.split(' ', 1)[1].lower()} under Parties on the application's page.",
            )
        blank = [party.name or f"party {party.position}" for party in named if not _addressed(party, draft)]
        if not blank:
            return None
        return Problem(
            label,
            "parties",
            f"Block {label}: no full address for {', '.join(blank)}.",
            "Give the street address, city and country (edit the party on the application's page, "
            "or record a person's address on their page).",
        )

    check.__name__ = f"{role}_named_with_address"
    return check


applicant = _party_check(Role.APPLICANT)
purchaser = _party_check(Role.PURCHASER)
ultimate_consignee = _party_check(Role.ULTIMATE_CONSIGNEE)
end_user = _party_check(Role.END_USER)
original_ultimate_consignee = _party_check(Role.ORIGINAL_ULTIMATE_CONSIGNEE)


def end_use_given(draft: Draft) -> Problem | None:
    if draft.application.specific_end_use.strip():
        return None
    return Problem(
        "21 Specific end use",
        "specific_end_use",
        "Block 21 is blank.",
        "Say what the end user will do with the item, specifically (what, where, for what programme).",
    )


def items_listed(draft: Draft) -> Problem | None:
    if draft.items:
        return None
    return Problem("22 Items", "items", "Block 22 lists no item.", "Add an item line on the application's page.")


def item_quantities(draft: Draft) -> Problem | None:
    blank = [str(line.position) for line in draft.items if line.quantity is None or not line.units.strip()]
    if not blank:
        return None
    return Problem(
        "22e–f Quantity and units",
        "items",
        f"Item line{'s' if len(blank) > 1 else ''} {', '.join(blank)}: quantity or units blank.",
        "Give each line a quantity and its units (e.g. 1 copy of the model weights).",
    )


def signature(draft: Draft) -> Problem | None:
    application = draft.application
    if application.signer_name.strip() and application.signer_title.strip():
        return None
    return Problem(
        "25 Signature",
        "signer_name" if not application.signer_name.strip() else "signer_title",
        "Block 25 needs the signer's name and title.",
        "Give the name and title of the person who signs for the applicant.",
    )
