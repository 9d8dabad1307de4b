from __future__ import annotations

import pytest

from accounts.models import Organization, Role, User
from tests.conftest import PASSWORD, error_code


def test_it_signs_up_a_candidate_without_an_organization(api, db):
    response = api.post("/api/auth/signup/", {"email": "New@Example.test", "password": PASSWORD, "name": "Nia"})
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == "new@example.test"
    assert body["user"]["role"] == "candidate" and body["user"]["organization"] is None
    me = api.get("/api/me/", HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert me.status_code == 200 and me.json()["email"] == "new@example.test"


def test_it_creates_an_organization_with_its_first_admin(api, db):
    response = api.post("/api/auth/signup/", {"email": "boss@initech.test", "password": PASSWORD, "organization_name": "Initech"})
    assert response.status_code == 201
    user = User.objects.get(email="boss@initech.test")
    assert user.role == Role.ORG_ADMIN and user.organization == Organization.objects.get(slug="initech")


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"email": "not-an-email", "password": PASSWORD}, "invalid", "email"),
        ({"email": "x@example.test"}, "invalid", "password"),
        ({"email": "x@example.test", "password": "short"}, "weak_password", "password"),
        ({"email": "x@example.test", "password": "1234567890123"}, "weak_password", "password"),
        ({"email": "x@example.test", "password": PASSWORD, "name": ["not", "a", "string"]}, "invalid", "name"),
    ],
)
def test_it_refuses_bad_sign_ups(api, db, payload, code, field):
    response = api.post("/api/auth/signup/", payload, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and field in error["fields"]
    assert not User.objects.filter(email="x@example.test").exists()


def test_it_refuses_a_second_account_for_the_same_email(api, alice):
    response = api.post("/api/auth/signup/", {"email": "ALICE@example.test", "password": PASSWORD})
    assert response.status_code == 409
    assert error_code(response) == "email_taken"


def test_it_exchanges_credentials_for_a_token_and_revokes_it(api, alice):
    response = api.post("/api/auth/token/", {"email": "alice@example.test", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    assert api.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    assert api.post("/api/auth/token/delete/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 204
    refused = api.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert refused.status_code in (401, 403)
    assert error_code(refused) == "authentication_failed"


def test_it_refuses_wrong_credentials(api, alice):
    response = api.post("/api/auth/token/", {"email": "alice@example.test", "password": "wrong-password-123"})
    assert response.status_code == 401
    assert error_code(response) == "invalid_credentials"


def test_a_malformed_json_body_is_a_clear_400(api, db):
    response = api.post("/api/auth/token/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert error_code(response) == "malformed_request"


def test_a_staff_role_always_has_an_organization(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("lone@x.test", PASSWORD, role=Role.RECRUITER, organization=None)
