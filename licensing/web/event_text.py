"""Events as people read them, the same on a record's timeline and at the auditor's desk.

Field names become the model's own labels ("25 signature: name", not
"signature_name"), stored codes their labels ("In review", not "in_review"),
and each change one line: "legal name changed from Mendel Robotik to Mendel Robotics".
"""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist

from licensing.audit.models import Event
from licensing.cases.models import Decision, Licence, LicenceApplication, SupportingDocumentKind
from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.models import Customer
from licensing.parties.status import Basis, Outcome

# The pages of the records an event may name, by model name.
DETAIL_URLS = {
    "customer": "customer_detail",
    "person": "person_detail",
    "foreignpersondetermination": "determination_detail",
    "transaction": "transaction_detail",
    "licenceapplication": "application_detail",
    "licence": "licence_detail",
}
# Past this many characters a value is cut: a document's text is not a change one reads in a list.
LONG_VALUE = 120
BLANK = "(blank)"

# Stored codes as people read them ("in_review" reads "In review").
_LABELS = {
    str(value): str(label)
    for choices in (
        LicenceApplication.Status,
        Licence.Status,
        ForeignPersonDetermination.Status,
        Customer.Status,
        Decision,
        Outcome,
        Basis,
        SupportingDocumentKind,
    )
    for value, label in choices.choices
}


def field_label(model, name: str) -> str:
    """The model field's verbose name, else the stored name in words."""
    if model is not None:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        # A reverse relation (a customer's "addresses", say) has no verbose name of its own.
        if getattr(field, "verbose_name", None):
            return str(field.verbose_name)
    return name.replace("_", " ")


def value_text(value: Any) -> str:
    """A stored value in words: codes by their labels, lists and mappings spelt out, long text cut."""
    text = _words(value)
    return text if len(text) <= LONG_VALUE else text[: LONG_VALUE - 1] + "…"


def _words(value: Any) -> str:
    if value in (None, "", [], {}):
        return BLANK
    if isinstance(value, list):
        return ", ".join(_words(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key.replace('_', ' ')}: {_words(item)}" for key, item in value.items())
    return _LABELS.get(str(value), str(value))


def changes(event: Event) -> list[str]:
    """Field by field, in words: "25 signature: name changed from (blank) to Olivia Officer"."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    # From the content types' cache: a timeline of many events asks the database for none.
    model = ContentType.objects.get_for_id(event.target_type_id).model_class()
    lines = []
    for name in [*before, *(k for k in after if k not in before)]:
        label = field_label(model, name)
        if name in before and name in after:
            if before[name] != after[name]:
                lines.append(f"{label} changed from {value_text(before[name])} to {value_text(after[name])}")
        elif name in after:
            lines.append(f"{label}: {value_text(after[name])}")
        else:
            lines.append(f"{label} was {value_text(before[name])}")
    return lines
