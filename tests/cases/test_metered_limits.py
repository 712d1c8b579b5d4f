"""A licence may limit the model calls and tokens the gateway lets through: recorded with the approval, validated."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from licensing.cases.models import Licence, LicenceApplication
from licensing.cases.services import applications, licences


@pytest.fixture
def registered(case, officer, reviewer):
    application = applications.approve_for_filing(actor=reviewer, application=case["application"])
    application = applications.record_submission(actor=officer, application=application, control_number="Z333333")
    return applications.record_registration(actor=officer, application=application)


def test_an_approval_records_the_calls_and_tokens_the_licence_authorises(registered, officer, today):
    licence = licences.record_approval(
        actor=officer,
        application=registered,
        licence_number="D7000001",
        valid_from=today,
        authorised_calls=100,
        authorised_tokens=250_000,
    )

    licence.refresh_from_db()
    assert (licence.authorised_calls, licence.authorised_tokens, licence.is_metered) == (100, 250_000, True)


def test_a_licence_without_limits_is_not_metered(registered, officer, today):
    licence = licences.record_approval(
        actor=officer, application=registered, licence_number="D7000002", valid_from=today
    )

    assert (licence.authorised_calls, licence.authorised_tokens, licence.is_metered) == (None, None, False)


@pytest.mark.parametrize(
    ("limits", "field"),
    [
        ({"authorised_calls": 0}, "authorised_calls"),
        ({"authorised_calls": -5}, "authorised_calls"),
        ({"authorised_calls": "100"}, "authorised_calls"),
        ({"authorised_calls": True}, "authorised_calls"),
        ({"authorised_tokens": 2.5}, "authorised_tokens"),
        ({"authorised_tokens": 10**16}, "authorised_tokens"),
    ],
)
def test_a_limit_that_is_not_a_positive_whole_number_is_refused_naming_the_field_and_nothing_is_written(
    registered, officer, today, limits, field
):
    with pytest.raises(ValidationError) as refused:
        licences.record_approval(
            actor=officer, application=registered, licence_number="D7000003", valid_from=today, **limits
        )

    assert list(refused.value.message_dict) == [field]
    registered.refresh_from_db()
    assert registered.status == LicenceApplication.Status.REGISTERED
    assert not Licence.objects.filter(number="D7000003").exists()


def test_the_approval_page_records_the_limits_and_the_licence_page_shows_them(client, registered, officer):
    client.force_login(officer)
    url = reverse("application_transition", args=[registered.pk, "record_approval"])
    data = {
        "record_approval-licence_number": "D7000004",
        "record_approval-valid_from": "2026-11-01",
        "record_approval-authorised_calls": "100",
    }

    assert client.post(url, data).status_code == 302

    licence = Licence.objects.get(number="D7000004")
    assert (licence.authorised_calls, licence.authorised_tokens) == (100, None)
    page = client.get(reverse("licence_detail", args=[licence.pk])).content.decode()
    assert "0 counted of 100 authorised at the gateway" in page


def test_the_approval_page_refuses_a_limit_of_zero_naming_the_field(client, registered, officer):
    client.force_login(officer)
    url = reverse("application_transition", args=[registered.pk, "record_approval"])
    data = {
        "record_approval-licence_number": "D7000005",
        "record_approval-valid_from": "2026-11-01",
        "record_approval-authorised_calls": "0",
    }

    response = client.post(url, data)

    assert response.status_code == 400
    assert "Model calls authorised" in response.content.decode()
    registered.refresh_from_db()
    assert registered.status == LicenceApplication.Status.REGISTERED
