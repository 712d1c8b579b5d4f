"""The papers of a case beside its status: the consignee's BIS-711, BIS's questions, the answer to an intent to deny.

Each is a record of its own, written by the services in
`licensing.cases.services.correspondence`, and read by the case page, the API,
the filings and the clocks. The models module imports this one, so Django
finds them as the cases app's models.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from licensing.parties.models import Customer
from licensing.reference.models import Country


def correspondence_path(instance, filename):
    # The same private directory as the application's supporting documents, under a random name.
    return f"applications/{instance.application_id}/{instance.token}"


class ConsigneeStatement(models.Model):
    """A signed BIS-711 statement by ultimate consignee and purchaser (15 CFR 748.11).

    The first application relying on it is filed within one year of its
    signature, later ones within four: the clocks run on this row.
    """

    application = models.ForeignKey(
        "cases.LicenceApplication", on_delete=models.PROTECT, related_name="consignee_statements"
    )
    # The consignee as block 18 named them when the statement was recorded; a
    # later change of the draft's parties does not rewrite what was signed.
    consignee_name = models.CharField("ultimate consignee", max_length=300)
    consignee_country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    consignee_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="consignee_statements"
    )
    signer_name = models.CharField("signed by", max_length=150)
    signer_title = models.CharField("signer's title", max_length=150)
    signed_on = models.DateField("signed on")
    # The signed PDF, kept as the application's BIS-711 supporting document.
    document = models.OneToOneField(
        "cases.SupportingDocument", on_delete=models.PROTECT, related_name="consignee_statement"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["signed_on", "pk"]
        verbose_name = "BIS-711 statement"

    def __str__(self):
        return f"BIS-711 of {self.consignee_name} signed {self.signed_on}"


class InformationRequest(models.Model):
    """What BIS asked of the applicant and by when; the processing clock stops until it is answered (750.4)."""

    application = models.ForeignKey(
        "cases.LicenceApplication", on_delete=models.PROTECT, related_name="information_requests"
    )
    requested_on = models.DateField("asked on")
    questions = models.TextField("what BIS asked")
    respond_by = models.DateField("answer due by")
    answered_on = models.DateField("answered on", null=True, blank=True)
    answer = models.TextField("what was supplied", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["requested_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(respond_by__gte=models.F("requested_on")), name="information_request_due_after_asked"
            ),
            models.CheckConstraint(
                condition=models.Q(answered_on__isnull=True) | models.Q(answered_on__gte=models.F("requested_on")),
                name="information_request_answered_after_asked",
            ),
        ]

    def __str__(self):
        return f"Request for information of {self.requested_on}"

    def clean(self):
        if self.requested_on and self.respond_by and self.respond_by < self.requested_on:
            raise ValidationError({"respond_by": "The answer cannot be due before BIS asked."})
        if self.requested_on and self.answered_on and self.answered_on < self.requested_on:
            raise ValidationError({"answered_on": "The answer cannot come before BIS asked."})

    @property
    def is_open(self) -> bool:
        return self.answered_on is None


class IntentToDenyResponse(models.Model):
    """The applicant's answer to BIS's intent to deny (750.6): due within 20 days of the notice."""

    application = models.ForeignKey(
        "cases.LicenceApplication", on_delete=models.PROTECT, related_name="intent_to_deny_responses"
    )
    notified_on = models.DateField("intent to deny notified on")
    responded_on = models.DateField("responded on")
    text = models.TextField("response")
    file = models.FileField(upload_to=correspondence_path, max_length=300, blank=True)
    token = models.CharField(max_length=32, editable=False, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["responded_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(responded_on__gte=models.F("notified_on")),
                name="intent_to_deny_response_after_notice",
            ),
        ]

    def __str__(self):
        return f"Response of {self.responded_on} to the intent to deny of {self.notified_on}"

    def clean(self):
        if self.notified_on and self.responded_on and self.responded_on < self.notified_on:
            raise ValidationError({"responded_on": "The response cannot come before the intent to deny was notified."})
