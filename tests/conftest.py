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
    return User.objects.create_user(email, PASSWORD, name=email.split("@")[0].title(), role=role, organization=organization, **extra)


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
