import pyotp
import pytest
from django.urls import reverse

from licensing.accounts.models import LoginFailure

PASSWORD = "correct horse battery staple"


def _sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_failures_lock_the_account_even_for_the_right_password(client, officer, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    for _ in range(5):
        assert _sign_in(client, "officer", "wrong").status_code == 200
    assert LoginFailure.objects.filter(username="officer").count() == 5
    response = _sign_in(client, "officer", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_success_before_the_limit_clears_the_count(client, officer):
    for _ in range(3):
        _sign_in(client, "officer", "wrong")
    assert _sign_in(client, "officer", PASSWORD).status_code == 302
    assert not LoginFailure.objects.filter(username="officer").exists()


def test_the_admin_sign_in_is_locked_too(client, admin_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post(reverse("admin:login"), {"username": "admin", "password": "wrong"})
    client.post(reverse("admin:login"), {"username": "admin", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_weak_passwords_are_refused(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("password1234", "123456789012", "short"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("ledger-orbit-candle-97")


def test_security_headers_on_every_page(client):
    response = client.get(reverse("login"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_two_factor_enrolment_then_every_new_session_asks_for_a_code(client, officer):
    client.force_login(officer)
    page = client.get(reverse("two_factor"))
    secret = page.context["secret"]
    assert client.post(reverse("two_factor"), {"code": "000000"}).context["form"].errors
    client.post(reverse("two_factor"), {"code": pyotp.TOTP(secret).now()})
    officer.refresh_from_db()
    assert officer.totp_secret == secret

    client.logout()
    assert _sign_in(client, "officer", PASSWORD).status_code == 302
    blocked = client.get(reverse("home"))
    assert blocked.status_code == 302 and blocked["Location"].startswith(reverse("two_factor_verify"))
    wrong = client.post(reverse("two_factor_verify"), {"code": "123456", "next": "/"})
    assert "not valid" in wrong.content.decode()
    client.post(reverse("two_factor_verify"), {"code": pyotp.TOTP(secret).now(), "next": "/"})
    assert client.get(reverse("home")).status_code == 200


def test_verification_does_not_redirect_off_site(client, officer):
    officer.totp_secret = pyotp.random_base32()
    officer.save()
    client.force_login(officer)
    response = client.post(
        reverse("two_factor_verify"), {"code": pyotp.TOTP(officer.totp_secret).now(), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
