"""Forms parse what a person typed; the rules they show come from the models and services."""

from django import forms
from django.core.exceptions import ValidationError


def show_errors(form: forms.Form, error: ValidationError, *, fields: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form: on the field it names, else above the form.

    `fields` maps a model field name to the form field that edits it, where they differ.
    """
    fields = fields or {}
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, errors in error.message_dict.items():
        target = fields.get(name, name)
        if target in form.fields and target not in form.errors:
            form.add_error(target, errors)
        else:
            label = name.replace("_", " ") if name != "__all__" else ""
            for message in errors:
                form.add_error(None, f"{label}: {message}" if label else message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
