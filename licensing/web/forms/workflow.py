"""Forms for the buttons that move a record along its state machine, and for comments and assignment."""

from django import forms
from django.utils import timezone

from licensing.accounts.models import User
from licensing.accounts.permissions import PERMISSIONS, Action
from licensing.cases.models import METERED_MAXIMUM
from licensing.cases.services.comments import COMMENT_MAX_LENGTH
from licensing.determinations.attestation import APPROVAL_ATTESTATION, APPROVAL_ATTESTATION_VERSION

from . import DateInput


class TransitionForm(forms.Form):
    """A transition with, where the table asks for one, its reason."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, transition, **kwargs):
        kwargs.setdefault("prefix", transition.name)
        super().__init__(*args, **kwargs)
        self.transition = transition
        self.fields["reason"].required = transition.requires_reason
        if not transition.requires_reason:
            self.fields["reason"].label = "Note (optional)"

    @property
    def has_fields(self) -> bool:
        # An optional note alone does not earn a form: the move is one click.
        return self.transition.requires_reason or any(name != "reason" for name in self.fields)

    def service_arguments(self) -> dict:
        return {"reason": self.cleaned_data["reason"]} if self.cleaned_data.get("reason") else {}


class SubmissionForm(TransitionForm):
    control_number = forms.CharField(
        label="SNAP-R application control number", max_length=7, help_text="A letter and six digits, e.g. Z123456."
    )
    submitted_on = forms.DateField(widget=DateInput, required=False, help_text="Empty for today.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["reason"]

    def service_arguments(self) -> dict:
        return {
            "control_number": self.cleaned_data["control_number"],
            "submitted_on": self.cleaned_data["submitted_on"],
        }


class RegistrationForm(TransitionForm):
    registered_on = forms.DateField(widget=DateInput, required=False, help_text="Empty for today.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["reason"]

    def service_arguments(self) -> dict:
        return {"registered_on": self.cleaned_data["registered_on"]}


class ApprovalForm(TransitionForm):
    licence_number = forms.CharField(max_length=20, help_text="As printed on the licence, e.g. D1234567.")
    valid_from = forms.DateField(widget=DateInput)
    valid_until = forms.DateField(
        widget=DateInput, required=False, help_text="Empty for the standard validity of four years."
    )
    authorised_quantity = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    authorised_value = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    authorised_calls = forms.IntegerField(
        label="Model calls authorised",
        min_value=1,
        max_value=METERED_MAXIMUM,
        required=False,
        help_text="The gateway counts every call against it. Empty: calls are not limited.",
    )
    authorised_tokens = forms.IntegerField(
        label="Model tokens authorised",
        min_value=1,
        max_value=METERED_MAXIMUM,
        required=False,
        help_text="Counted as each call declares them (X-Token-Estimate). Empty: tokens are not limited.",
    )
    with_conditions = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["reason"]
        self.fields["valid_from"].initial = timezone.localdate()
        if self.with_conditions:
            self.fields["conditions"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}), help_text="One condition (rider) per line."
            )

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {
            name: data[name]
            for name in (
                "licence_number",
                "valid_from",
                "valid_until",
                "authorised_quantity",
                "authorised_value",
                "authorised_calls",
                "authorised_tokens",
            )
        }
        if self.with_conditions:
            arguments["conditions"] = [line for line in data["conditions"].splitlines() if line.strip()]
        return arguments


class ApprovalWithConditionsForm(ApprovalForm):
    with_conditions = True


class InformationRequestForm(TransitionForm):
    """What BIS asked and by when: the record the 90-day clock stops on."""

    questions = forms.CharField(label="What BIS asked", widget=forms.Textarea(attrs={"rows": 3}))
    respond_by = forms.DateField(label="Answer due by", widget=DateInput)
    requested_on = forms.DateField(label="Asked on", widget=DateInput, required=False, help_text="Empty for today.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["reason"]

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("questions", "respond_by", "requested_on")}


class InformationSuppliedForm(TransitionForm):
    """The answer to the open request for information: the 90-day clock runs again from that day."""

    answer = forms.CharField(label="What was supplied", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    supplied_on = forms.DateField(label="Supplied on", widget=DateInput, required=False, help_text="Empty for today.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["reason"]

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("answer", "supplied_on")}


class DeterminationApprovalForm(TransitionForm):
    """Approving a determination: one click, under the attestation shown beside the button."""

    attestation = forms.CharField(widget=forms.HiddenInput, initial=APPROVAL_ATTESTATION_VERSION)
    statement = APPROVAL_ATTESTATION

    @property
    def has_fields(self) -> bool:
        return False

    def service_arguments(self) -> dict:
        return {**super().service_arguments(), "attestation_version": self.cleaned_data["attestation"]}


# Transitions that record more than a reason.
TRANSITION_FORMS = {
    "mark_submitted": SubmissionForm,
    "record_registration": RegistrationForm,
    "record_approval": ApprovalForm,
    "record_approval_with_conditions": ApprovalWithConditionsForm,
    "record_information_request": InformationRequestForm,
    "record_information_supplied": InformationSuppliedForm,
    # Only the determination machine has a transition named approve.
    "approve": DeterminationApprovalForm,
}


def transition_form(transition, data=None) -> TransitionForm:
    return TRANSITION_FORMS.get(transition.name, TransitionForm)(data, transition=transition)


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Add a comment", widget=forms.Textarea(attrs={"rows": 2}), max_length=COMMENT_MAX_LENGTH
    )


def officers_for(action: Action):
    """The active users whose role lets them do `action`: the people work can be given to."""
    return User.objects.filter(is_active=True, role__in=PERMISSIONS[action]).order_by("last_name", "username")


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Nobody (unassign)", label="Assign to"
    )

    def __init__(self, *args, action: Action, **kwargs):
        super().__init__(*args, **kwargs)
        officer = self.fields["officer"]
        assert isinstance(officer, forms.ModelChoiceField)
        officer.queryset = officers_for(action)
