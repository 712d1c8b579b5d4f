"""Sign-in lockout: per username and per address, atomic under concurrency, with a way back in nobody else can block."""

import datetime
import re
import threading
from unittest import mock

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from licensing.accounts.lockout import client_address
from licensing.accounts.models import LoginFailure, Throttle, ThrottleScope
from licensing.audit.models import Event
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    settings.LOGIN_LOCKOUT_MINUTES = 15
    settings.LOGIN_LINK_MINUTES = 30
    settings.EXPORTDESK_BASE_URL = "https://exportdesk.example"
    return settings


@pytest.fixture
def owner(officer):
    officer.email = "officer@example.com"
    officer.save(update_fields=["email"])
    return officer


def _sign_in(username, password, address="198.51.100.1", client=None):
    client = client or Client(REMOTE_ADDR=address)
    client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)
    return client


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _lock_from_many_addresses(username, times=5):
    for n in range(times):
        _sign_in(username, "wrong", address=f"203.0.113.{n + 1}")


def _link_in(message) -> str:
    return re.search(r"https://exportdesk\.example(/account/sign-in-link/\S+/)", message.body).group(1)


# Per address


def test_failures_from_one_address_lock_that_address_for_every_username(limits, owner):
    for username in ("alice", "bob", "carol"):
        _sign_in(username, "wrong", address="198.51.100.7")

    assert not _signed_in(_sign_in("officer", PASSWORD, address="198.51.100.7"))


def test_an_address_locked_by_failures_does_not_lock_the_same_user_elsewhere(limits, owner):
    for username in ("alice", "bob", "carol"):
        _sign_in(username, "wrong", address="198.51.100.7")

    assert _signed_in(_sign_in("officer", PASSWORD, address="198.51.100.8"))


def test_behind_trusted_proxies_the_address_they_saw_is_counted_not_what_the_client_wrote(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().post("/login/", HTTP_X_FORWARDED_FOR="10.9.9.9, 192.0.2.44", REMOTE_ADDR="10.0.0.2")

    assert client_address(request) == "192.0.2.44"


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().post("/login/", HTTP_X_FORWARDED_FOR="192.0.2.44", REMOTE_ADDR="198.51.100.9")

    assert client_address(request) == "198.51.100.9"


# Per username, and the e-mailed way back in


def test_failures_from_many_addresses_lock_the_username_and_email_its_owner_once(limits, owner):
    _lock_from_many_addresses("officer", times=7)

    assert not _signed_in(_sign_in("officer", PASSWORD, address="192.0.2.200"))
    assert [message.to for message in mail.outbox] == [["officer@example.com"]]
    assert Event.objects.filter(verb="user.sign_in_locked", target_id=str(owner.pk)).count() == 1


def test_a_locked_username_nobody_has_sends_no_mail(limits, owner):
    _lock_from_many_addresses("nobody")

    assert mail.outbox == []


def test_the_emailed_link_lets_the_locked_out_user_in(limits, owner):
    _lock_from_many_addresses("officer")
    client = Client()
    path = _link_in(mail.outbox[0])

    page = client.get(path)
    response = client.post(path, {"password": PASSWORD})

    assert page.status_code == 200 and "officer" in page.content.decode()
    assert response.status_code == 302
    assert _signed_in(client)
    assert Event.objects.filter(verb="user.signed_in_by_link", target_id=str(owner.pk)).exists()


def test_the_link_still_asks_for_the_password(limits, owner):
    _lock_from_many_addresses("officer")
    client = Client()
    path = _link_in(mail.outbox[0])

    response = client.post(path, {"password": "wrong"})

    assert "not right" in response.content.decode()
    assert not _signed_in(client)


def test_the_link_is_spent_by_too_many_wrong_passwords(limits, owner):
    _lock_from_many_addresses("officer")
    client = Client()
    path = _link_in(mail.outbox[0])
    for _ in range(5):
        client.post(path, {"password": "wrong"})

    response = client.post(path, {"password": PASSWORD})

    assert response.status_code == 410
    assert not _signed_in(client)


def test_the_link_works_once(limits, owner):
    _lock_from_many_addresses("officer")
    path = _link_in(mail.outbox[0])
    Client().post(path, {"password": PASSWORD})
    again = Client()

    response = again.post(path, {"password": PASSWORD})

    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert not _signed_in(again)


def test_the_link_expires(limits, owner):
    _lock_from_many_addresses("officer")
    path = _link_in(mail.outbox[0])
    client = Client()

    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + datetime.timedelta(minutes=31)):
        response = client.post(path, {"password": PASSWORD})

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not _signed_in(client)


def test_a_made_up_link_is_refused(limits, owner):
    response = Client().get(reverse("sign_in_link", args=["not-a-token"]))

    assert response.status_code == 410


def test_the_link_leaves_the_password_path_locked_for_whoever_is_guessing(limits, owner):
    _lock_from_many_addresses("officer")
    Client().post(_link_in(mail.outbox[0]), {"password": PASSWORD})

    assert not _signed_in(_sign_in("officer", PASSWORD, address="192.0.2.201"))


def test_the_lock_ends_after_its_minutes(limits, owner):
    _lock_from_many_addresses("officer")

    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + datetime.timedelta(minutes=16)):
        client = _sign_in("officer", PASSWORD, address="192.0.2.202")

    assert _signed_in(client)


# The administrator's way


def test_an_administrator_can_unlock_a_user(limits, owner, admin_user):
    _lock_from_many_addresses("officer")
    admin = Client()
    admin.force_login(admin_user)

    admin.post(reverse("admin:accounts_user_changelist"), {"action": "unlock_sign_in", "_selected_action": [owner.pk]})

    assert _signed_in(_sign_in("officer", PASSWORD, address="192.0.2.203"))
    assert Event.objects.filter(verb="user.sign_in_unlocked", target_id=str(owner.pk), actor=admin_user).exists()


def test_a_user_who_is_not_an_administrator_cannot_unlock(limits, owner, officer2):
    _lock_from_many_addresses("officer")
    other = Client()
    other.force_login(officer2)

    response = other.post(
        reverse("admin:accounts_user_changelist"), {"action": "unlock_sign_in", "_selected_action": [owner.pk]}
    )

    assert response.status_code in (302, 403)
    assert not _signed_in(_sign_in("officer", PASSWORD, address="192.0.2.204"))
    assert not Event.objects.filter(verb="user.sign_in_unlocked").exists()


# Concurrency


def _guess_in_parallel(guesses: list[tuple[str, str]]) -> None:
    """Run each (username, address) guess with a wrong password in its own thread and database connection."""
    start = threading.Barrier(len(guesses))
    errors = []

    def guess(username, address):
        try:
            start.wait()
            authenticate(RequestFactory().post("/login/", REMOTE_ADDR=address), username=username, password="wrong")
        except Exception as error:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=pair) for pair in guesses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_forty_parallel_guesses_at_one_username_never_get_past_the_limit(settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 100
    UserFactory(username="target", email="target@example.com")

    _guess_in_parallel([("target", f"203.0.113.{n + 1}") for n in range(40)])

    # A failure row is written only after a password was actually checked.
    assert LoginFailure.objects.filter(username="target").count() == 5
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_forty_parallel_guesses_from_one_address_never_get_past_its_limit(settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 5

    _guess_in_parallel([(f"user{n}", "198.51.100.77") for n in range(40)])

    assert LoginFailure.objects.count() == 5


def test_a_locked_sign_in_says_so_and_where_the_way_back_in_is(limits, owner):
    _lock_from_many_addresses("officer")

    response = Client(REMOTE_ADDR="192.0.2.205").post(
        reverse("login"), {"username": "officer", "password": PASSWORD}, REMOTE_ADDR="192.0.2.205"
    )

    assert "password sign-in is paused for 15 minutes" in response.content.decode()
    assert "link e-mailed" in response.content.decode()


def test_an_administrator_can_lift_an_address_lock(limits, owner, admin_user):
    for username in ("alice", "bob", "carol"):
        _sign_in(username, "wrong", address="198.51.100.7")
    locked = Throttle.objects.get(scope=ThrottleScope.ADDRESS, key="198.51.100.7")
    admin = Client()
    admin.force_login(admin_user)

    admin.post(reverse("admin:accounts_throttle_changelist"), {"action": "unlock", "_selected_action": [locked.pk]})

    assert _signed_in(_sign_in("officer", PASSWORD, address="198.51.100.7"))
    assert Event.objects.filter(verb="throttle.unlocked", actor=admin_user).exists()


def test_a_staff_member_who_is_not_a_superuser_cannot_lift_an_address_lock(limits, owner, officer2):
    for username in ("alice", "bob", "carol"):
        _sign_in(username, "wrong", address="198.51.100.7")
    locked = Throttle.objects.get(scope=ThrottleScope.ADDRESS, key="198.51.100.7")
    other = Client()
    other.force_login(officer2)

    other.post(reverse("admin:accounts_throttle_changelist"), {"action": "unlock", "_selected_action": [locked.pk]})

    assert not _signed_in(_sign_in("officer", PASSWORD, address="198.51.100.7"))
    assert not Event.objects.filter(verb="throttle.unlocked").exists()
