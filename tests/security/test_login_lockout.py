"""Sign-in lockouts (django-axes) on the token API and the sign-in page."""

from __future__ import annotations

import pytest
from axes.utils import reset
from django.test import Client

from tests.conftest import PASSWORD, error_code


@pytest.fixture
def limit(settings) -> int:
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def _token(api, email: str, password: str, ip: str = "203.0.113.7"):
    return api.post("/api/auth/token/", {"email": email, "password": password}, REMOTE_ADDR=ip)


def test_the_api_locks_an_email_after_repeated_wrong_passwords(limit, settings, api, alice, bob):
    for _ in range(limit - 1):
        response = _token(api, "alice@example.test", "wrong-password-1")
        assert response.status_code == 401 and error_code(response) == "invalid_credentials"
    locked = _token(api, "alice@example.test", "wrong-password-1")
    assert locked.status_code == 429 and error_code(locked) == "login_locked"
    # Now even the right password is refused, and the answer says when to come back.
    response = _token(api, "Alice@Example.test", PASSWORD)
    assert response.status_code == 429 and error_code(response) == "login_locked"
    assert int(response["Retry-After"]) == settings.LOGIN_COOLOFF_MINUTES * 60
    assert f"Try again in {settings.LOGIN_COOLOFF_MINUTES} minutes" in response.json()["error"]["message"]
    assert "token" not in response.json()

    # Another user, and the same user from another address, are not affected.
    assert _token(api, "bob@acme.test", PASSWORD).status_code == 200
    assert _token(api, "alice@example.test", PASSWORD, ip="198.51.100.4").status_code == 200


def test_after_the_cool_off_the_right_password_works(limit, api, alice):
    for _ in range(limit):
        _token(api, "alice@example.test", "wrong-password-1")
    assert _token(api, "alice@example.test", PASSWORD).status_code == 429
    reset(username="alice@example.test")  # what the cool-off's end does
    response = _token(api, "alice@example.test", PASSWORD)
    assert response.status_code == 200 and response.json()["token"]


def test_the_cool_off_ends_by_itself(limit, settings, api, alice):
    from datetime import timedelta

    for _ in range(limit):
        _token(api, "alice@example.test", "wrong-password-1")
    assert _token(api, "alice@example.test", PASSWORD).status_code == 429
    # A cool-off that has already passed: the stored failures no longer count.
    settings.AXES_COOLOFF_TIME = timedelta(microseconds=1)
    assert _token(api, "alice@example.test", PASSWORD).status_code == 200


def test_the_sign_in_page_locks_out_with_a_clear_message(limit, settings, alice):
    browser = Client()
    for _ in range(limit):
        browser.post("/login/", {"username": "alice@example.test", "password": "wrong-password-1"})
    response = browser.post("/login/", {"username": "alice@example.test", "password": PASSWORD})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-ins" in page and f"{settings.LOGIN_COOLOFF_MINUTES} minutes" in page
    assert response["Retry-After"]
    assert "_auth_user_id" not in browser.session
    # The page's and the API's failures count together.
    assert _token(Client(), "alice@example.test", PASSWORD, ip="127.0.0.1").status_code == 429
