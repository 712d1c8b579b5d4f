"""Billing registers and revokes its customers' model API keys; only a hash of each is kept."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from licensing.audit.models import Event
from licensing.gateway.models import ModelApiKey
from licensing.gateway.services import presented_key, register_model_api_key, revoke_model_api_key

from ..factories import CustomerFactory


def keys_url(customer) -> str:
    return f"/api/v1/customers/{customer.external_id}/model-api-keys"


def test_billing_registers_a_key_and_sees_it_once(billing, db):
    customer = CustomerFactory()

    response = billing.post(keys_url(customer), {"name": "prod"}, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    raw = data["key"]
    assert raw.startswith("exm_") and data["prefix"] == raw[:12] and data["customer"] == customer.external_id
    stored = ModelApiKey.objects.get(pk=data["id"])
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ModelApiKey.objects.filter(pk=stored.pk).values().first())
    assert "key" not in billing.get(keys_url(customer)).json()["results"][0]
    assert Event.objects.filter(verb="model_api_key.registered", target_id=str(stored.pk)).exists()


def test_a_read_only_client_cannot_register_a_key(read_only, db):
    customer = CustomerFactory()

    response = read_only.post(keys_url(customer), {"name": "prod"}, format="json")

    assert response.status_code == 403
    assert not ModelApiKey.objects.exists()


def test_a_key_for_an_unknown_customer_is_refused_naming_it(billing, db):
    response = billing.post("/api/v1/customers/NO-SUCH/model-api-keys", {"name": "prod"}, format="json")

    assert response.status_code == 404
    assert "NO-SUCH" in response.json()["detail"]


def test_a_key_without_a_name_is_refused_naming_the_field(billing, db):
    response = billing.post(keys_url(CustomerFactory()), {"name": ""}, format="json")

    assert response.status_code in (400, 422)
    assert '"name"' in response.content.decode()
    assert not ModelApiKey.objects.exists()


def test_billing_revokes_a_key_and_it_no_longer_names_its_customer(billing, db):
    customer = CustomerFactory()
    key, raw = register_model_api_key(actor=None, customer=customer, name="prod")
    assert presented_key(raw).customer == customer.external_id

    response = billing.post(f"/api/v1/model-api-keys/{key.pk}/revocation", {"reason": "Account closed"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["revoked_at"]
    assert presented_key(raw) is None
    assert Event.objects.filter(verb="model_api_key.revoked", target_id=str(key.pk), reason="Account closed").exists()


def test_a_revocation_without_a_reason_is_refused(db):
    key, raw = register_model_api_key(actor=None, customer=CustomerFactory(), name="prod")

    with pytest.raises(ValidationError) as refused:
        revoke_model_api_key(actor=None, key=key, reason=" ")

    assert "reason" in refused.value.message_dict
    assert presented_key(raw) is not None


def test_revoking_twice_records_one_event(db):
    key, _ = register_model_api_key(actor=None, customer=CustomerFactory(), name="prod")

    revoke_model_api_key(actor=None, key=key, reason="Leaked")
    revoke_model_api_key(actor=None, key=key, reason="Leaked again")

    assert Event.objects.filter(verb="model_api_key.revoked", target_id=str(key.pk)).count() == 1


def test_a_person_without_the_right_role_cannot_register_a_key(auditor, db):
    with pytest.raises(PermissionDenied):
        register_model_api_key(actor=auditor, customer=CustomerFactory(), name="prod")


def test_an_unknown_key_names_nobody(db):
    assert presented_key("exm_not-a-key") is None
