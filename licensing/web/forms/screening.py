"""Forms of the screening pages: they parse input; the services hold the rules."""

import secrets

from django import forms
from django.core.files.storage import default_storage
from django.utils.text import get_valid_filename

from licensing.screening.matching.names import TYPES
from licensing.screening.models import Feed
from licensing.screening.search import MAX_NAME_LENGTH
from licensing.screening.services.adjudication import OUTCOMES
from licensing.screening.services.imports import SOURCE_ROLES

OUTCOME_LABELS = {
    "true_match": "True match",
    "false_positive": "False positive (a second officer clears it)",
    "clear": "Clear: I agree it is a false positive",
    "send_back": "Send back: not a false positive",
    "no_longer_listed": "Close: the entry is no longer listed",
}
ROLE_LABELS = {"list": "CSL file (CSV or JSON)", "sdn": "sdn.csv", "alt": "alt.csv", "add": "add.csv"}


class AdjudicationForm(forms.Form):
    outcome = forms.ChoiceField(choices=[(o, OUTCOME_LABELS[o]) for o in OUTCOMES])
    reason = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class SearchForm(forms.Form):
    name = forms.CharField(max_length=MAX_NAME_LENGTH)
    type = forms.ChoiceField(choices=[("", "Any"), *[(t, t.title()) for t in TYPES]], required=False)
    country = forms.CharField(max_length=2, required=False, help_text="ISO code, e.g. CN; ranks matches.")


class ImportForm(forms.Form):
    """Each file of the feed comes as an upload or as a URL, not both."""

    feed = forms.ChoiceField(choices=Feed.choices)
    file_format = forms.ChoiceField(
        choices=[("", "Tell by the file"), ("csv", "CSV"), ("json", "JSON")], required=False, label="CSL format"
    )
    published_on = forms.DateField(
        required=False, help_text="The list's date; default: from the file name, else today."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for role, label in ROLE_LABELS.items():
            self.fields[f"{role}_file"] = forms.FileField(required=False, label=f"{label}: upload")
            self.fields[f"{role}_url"] = forms.URLField(
                required=False, label=f"{label}: or URL", assume_scheme="https", max_length=1000
            )

    def clean(self):
        data = super().clean()
        feed = data.get("feed")
        if feed not in SOURCE_ROLES:
            return data
        for role in SOURCE_ROLES[feed]:
            upload, url = data.get(f"{role}_file"), data.get(f"{role}_url")
            if bool(upload) == bool(url):
                self.add_error(f"{role}_file", f"Give the {ROLE_LABELS[role]} as an upload or as a URL (one of them).")
        return data

    def sources(self) -> dict:
        """Store the uploads where a worker can read them; return each file's path or URL."""
        found = {}
        for role in SOURCE_ROLES[self.cleaned_data["feed"]]:
            upload = self.cleaned_data.get(f"{role}_file")
            if upload:
                name = default_storage.save(
                    f"screening-imports/{secrets.token_hex(8)}-{get_valid_filename(upload.name)}", upload
                )
                found[role] = default_storage.path(name)
            else:
                found[role] = self.cleaned_data[f"{role}_url"]
        return found
