from django.db import models

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
