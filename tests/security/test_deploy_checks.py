"""Production settings pass Django's deployment checks, and the headers and cookies say so."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.test import Client

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
# Variables the test runner sets that a production deployment would not.
# (The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright in this process.)
_DEV_ONLY = (
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def _check_deploy(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in _DEV_ONLY and not k.startswith("PYTEST")}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="mockloop.example.com",
        CSRF_TRUSTED_ORIGINS="https://mockloop.example.com",
    )
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = _check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_behind_a_tls_proxy_still_passes():
    result = _check_deploy(BEHIND_TLS_PROXY="true", SECURE_HSTS_PRELOAD="true")
    assert result.returncode == 0, result.stdout + result.stderr


def test_insecure_cookies_fail_check_deploy():
    result = _check_deploy(SESSION_COOKIE_SECURE="false", CSRF_COOKIE_SECURE="false", SECURE_SSL_REDIRECT="false")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "security.W012" in output and "security.W016" in output and "security.W008" in output


def test_responses_carry_the_security_headers(db):
    response = Client().get("/login/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_cookies_are_secure_and_http_only(alice):
    browser = Client()
    page = browser.get("/login/", secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = browser.post(
        "/login/",
        {"username": "alice@example.test", "password": PASSWORD, "csrfmiddlewaretoken": csrf.value},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_the_proxy_flag_is_strict():
    result = _check_deploy(BEHIND_TLS_PROXY="maybe")
    assert result.returncode != 0 and "BEHIND_TLS_PROXY" in result.stderr
