"""Shared fixtures: named users of two organizations, API clients and a small bank.

alice  — a self-serve candidate (no organization)
bob    — recruiter at Acme          carol — organization admin at Acme
dave   — recruiter at Globex        erin  — organization admin at Globex
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rest_framework.test import APIClient

from accounts.models import Organization, Role, User
from questions.services import bank_import

DATA = Path(__file__).parent / "data"
PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def acme(db) -> Organization:
    return Organization.objects.create(name="Acme Robotics", slug="acme")


@pytest.fixture
def globex(db) -> Organization:
    return Organization.objects.create(name="Globex Analytics", slug="globex")


def _user(email: str, role: str, organization: Organization | None, **extra: object) -> User:
    return User.objects.create_user(
        email, PASSWORD, name=email.split("@")[0].title(), role=role, organization=organization, **extra
    )


@pytest.fixture
def alice(db) -> User:
    return _user("alice@example.test", Role.CANDIDATE, None)


@pytest.fixture
def bob(acme) -> User:
    return _user("bob@acme.test", Role.RECRUITER, acme)


@pytest.fixture
def carol(acme) -> User:
    return _user("carol@acme.test", Role.ORG_ADMIN, acme)


@pytest.fixture
def dave(globex) -> User:
    return _user("dave@globex.test", Role.RECRUITER, globex)


@pytest.fixture
def erin(globex) -> User:
    return _user("erin@globex.test", Role.ORG_ADMIN, globex)


@pytest.fixture
def staff(db) -> User:
    return _user("staff@mockloop.test", Role.CANDIDATE, None, is_staff=True)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for():
    """client_for(user): an API client signed in as that user."""

    def make(user: User) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def bank(db, acme):
    """The small test bank (one question of each kind) plus one private Acme question."""
    bank_import(root=DATA / "bank")
    bank_import(root=DATA / "org_bank", organization=acme)


def error_code(response) -> str:
    return response.json()["error"]["code"]


def assert_no_active_content(html: str) -> None:
    """No script element, no event-handler attribute, no javascript: URL in this HTML."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Finder(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("script", "iframe", "object", "embed"):
                found.append(f"<{tag}>")
            for name, value in attrs:
                if name.startswith("on"):
                    found.append(f"{tag} {name}=")
                if value and value.strip().lower().startswith("javascript:"):
                    found.append(f"{tag} {name}={value}")

    Finder().feed(html)
    assert not found, found


@pytest.fixture(scope="session")
def celery_config():
    from django.conf import settings

    return {"broker_url": settings.CELERY_BROKER_URL, "result_backend": settings.CELERY_RESULT_BACKEND}


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker thread on the real Redis broker, for tests about queuing."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


# --- Production readiness: limits --------------------------------------------------
# Tests run code and sign in far more often than a person would. Every test starts
# with generous budgets and empty counters; the limit tests set small ones.
GENEROUS_THROTTLE_RATES = {"user": "100000/min", "anon": "100000/min", "run": "100000/min", "submit": "100000/min"}


@pytest.fixture(autouse=True)
def _generous_limits(settings):
    from django.core.cache import cache

    settings.THROTTLE_RATES = dict(GENEROUS_THROTTLE_RATES)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fake_llm(settings):
    """A local OpenAI-compatible server (tests/fake_openai.py) configured as the grader."""
    from tests.fake_openai import FakeOpenAI

    fake = FakeOpenAI().start()
    settings.OPENAI_BASE_URL = fake.base_url
    settings.OPENAI_API_KEY = "test-key-not-real"
    settings.LLM_MODEL = "fake-grader"
    settings.LLM_BACKOFF_SECONDS = 0.01
    settings.LLM_TIMEOUT_SECONDS = 2
    settings.LLM_SAMPLES = 1
    yield fake
    fake.stop()
