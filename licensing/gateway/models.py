from django.db import models

from licensing.cases.models import Licence
from licensing.parties.models import Customer


class ModelApiKeyQuerySet(models.QuerySet["ModelApiKey"]):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ModelApiKey(models.Model):
    """An API key of the model-serving platform, held by one customer; only a hash of the key is kept.

    The gateway in front of the models names the customer behind a request by
    this key, and asks the decision for that customer before every call.
    """

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="model_api_keys")
    name = models.CharField(max_length=100)
    # The first characters of the key, shown in lists so a leaked key can be
    # recognised without the key being stored.
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)

    objects = ModelApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["customer", "name", "pk"]
        verbose_name = "model API key"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class MeteredUsage(models.Model):
    """What the gateway counted of a metered licence, and how much of it Redis may count before asking again.

    Redis counts each call (licensing.gateway.metering); the reconciliation
    task copies its counts here. Redis may count only up to what has been
    granted here first, so if its counts are lost they are taken back up as
    `calls_granted` and `tokens_granted`: every grant is presumed used, and a
    lost counter never hands out the same allowance twice.
    """

    licence = models.OneToOneField(Licence, on_delete=models.PROTECT, related_name="metered_usage")
    # What the gateway counted against the licence, as of the last reconciliation.
    calls = models.PositiveBigIntegerField(default=0)
    tokens = models.PositiveBigIntegerField(default=0)
    # How far Redis may count of a limited dimension: never beyond what the licence authorises.
    calls_granted = models.PositiveBigIntegerField(default=0)
    tokens_granted = models.PositiveBigIntegerField(default=0)
    reconciled_at = models.DateTimeField(null=True, blank=True)
    # When reconciliation first found all of a limited dimension counted: said once, as an event.
    used_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "metered usage"

    def __str__(self):
        return f"{self.calls} calls, {self.tokens} tokens counted of {self.licence}"
