"""The second factor resists guessing (a lock after repeated wrong codes) and replay (a code is accepted once)."""

import datetime
from unittest import mock

import pyotp
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from licensing.audit.models import Event


@pytest.fixture
def enrolled(officer):
    officer.totp_secret = pyotp.random_base32()
    officer.save(update_fields=["totp_secret"])
    return officer


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _code_at(user, when: datetime.datetime) -> str:
    return pyotp.TOTP(user.totp_secret).at(when)


def _wrong_code(user, when: datetime.datetime) -> str:
    # Not the code of this step, nor of the neighbours the check accepts for drift, should a step pass meanwhile.
    totp = pyotp.TOTP(user.totp_secret)
    near = {totp.at(when + datetime.timedelta(seconds=offset)) for offset in (-60, -30, 0, 30, 60)}
    return next(code for code in (f"{n:06d}" for n in range(1000)) if code not in near)


def _verify(client, code):
    return client.post(reverse("two_factor_verify"), {"code": code, "next": "/"})


def _verified(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_wrong_codes_lock_verification_even_for_the_right_code(enrolled, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    client = _signed_in(enrolled)
    now = timezone.now()
    for _ in range(5):
        assert "not valid" in _verify(client, _wrong_code(enrolled, now)).content.decode()

    refused = _verify(client, _code_at(enrolled, timezone.now()))

    assert "Too many wrong codes" in refused.content.decode()
    assert not _verified(client)
    assert Event.objects.filter(verb="user.two_factor_locked", target_id=str(enrolled.pk)).count() == 1


def test_the_lock_counts_codes_from_every_session_of_the_user(enrolled, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    now = timezone.now()
    for _ in range(3):
        _verify(_signed_in(enrolled), _wrong_code(enrolled, now))

    client = _signed_in(enrolled)
    _verify(client, _code_at(enrolled, timezone.now()))

    assert not _verified(client)


def test_a_fresh_code_works_for_the_real_user_once_the_lock_ends(enrolled, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_LOCKOUT_MINUTES = 15
    client = _signed_in(enrolled)
    now = timezone.now()
    for _ in range(2):
        _verify(client, _wrong_code(enrolled, now))

    later = now + datetime.timedelta(minutes=16)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = _verify(client, _code_at(enrolled, later))

    assert response.status_code == 302
    assert _verified(client)


def test_wrong_codes_below_the_limit_then_the_right_one_verify(enrolled, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    client = _signed_in(enrolled)
    now = timezone.now()
    for _ in range(4):
        _verify(client, _wrong_code(enrolled, now))

    _verify(client, _code_at(enrolled, timezone.now()))

    assert _verified(client)
    assert not Event.objects.filter(verb="user.two_factor_locked").exists()


def test_one_users_wrong_codes_do_not_lock_another_user(enrolled, officer2, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    officer2.totp_secret = pyotp.random_base32()
    officer2.save(update_fields=["totp_secret"])
    now = timezone.now()
    for _ in range(2):
        _verify(_signed_in(enrolled), _wrong_code(enrolled, now))

    client = _signed_in(officer2)
    _verify(client, _code_at(officer2, timezone.now()))

    assert _verified(client)


def test_a_code_accepted_in_one_session_is_refused_in_a_second(enrolled):
    first, second = _signed_in(enrolled), _signed_in(enrolled)
    now = timezone.now()
    code = _code_at(enrolled, now)

    with mock.patch("django.utils.timezone.now", return_value=now):
        _verify(first, code)
        replayed = _verify(second, code)

    assert _verified(first)
    assert "used already" in replayed.content.decode()
    assert not _verified(second)


def test_a_code_of_an_earlier_step_is_refused_after_a_later_one_was_accepted(enrolled):
    now = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=now):
        _verify(_signed_in(enrolled), _code_at(enrolled, now))
        client = _signed_in(enrolled)
        # Still within the one step of drift allowed, but older than the code already used.
        response = _verify(client, _code_at(enrolled, now - datetime.timedelta(seconds=30)))

    assert "used already" in response.content.decode()
    assert not _verified(client)


def test_the_next_code_verifies_the_second_session(enrolled):
    first, second = _signed_in(enrolled), _signed_in(enrolled)
    now = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=now):
        _verify(first, _code_at(enrolled, now))
    later = now + datetime.timedelta(seconds=30)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = _verify(second, _code_at(enrolled, later))

    assert response.status_code == 302
    assert _verified(second)


def test_turning_the_second_factor_off_takes_an_unused_code(enrolled):
    now = timezone.now()
    code = _code_at(enrolled, now)
    with mock.patch("django.utils.timezone.now", return_value=now):
        _verify(_signed_in(enrolled), code)
        client = _signed_in(enrolled)
        session = client.session
        session["two_factor_verified"] = True
        session.save()
        response = client.post(reverse("two_factor"), {"action": "disable", "code": code})

    assert "used already" in response.content.decode()
    enrolled.refresh_from_db()
    assert enrolled.totp_secret


def test_an_administrator_unlocking_the_user_lifts_the_second_factor_lock(enrolled, admin_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    client = _signed_in(enrolled)
    now = timezone.now()
    for _ in range(2):
        _verify(client, _wrong_code(enrolled, now))
    admin = _signed_in(admin_user)

    admin.post(
        reverse("admin:accounts_user_changelist"), {"action": "unlock_sign_in", "_selected_action": [enrolled.pk]}
    )
    _verify(client, _code_at(enrolled, timezone.now()))

    assert _verified(client)
