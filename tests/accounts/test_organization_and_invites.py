from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import RecruiterInvite, Role, User
from accounts.services import recruiter_invite_create
from tests.conftest import PASSWORD, error_code


def test_recruiters_see_their_own_organization_only(client_for, bob, carol, dave):
    body = client_for(bob).get("/api/organization/").json()
    assert body["slug"] == "acme"
    assert {m["email"] for m in body["members"]} == {"bob@acme.test", "carol@acme.test"}
    assert "dave@globex.test" not in str(body)


def test_candidates_have_no_organization_page(client_for, alice):
    response = client_for(alice).get("/api/organization/")
    assert response.status_code == 403
    assert error_code(response) == "permission_denied"


@pytest.mark.django_db(transaction=True)
def test_an_org_admin_invites_a_recruiter_who_joins_with_the_emailed_link(client_for, carol, api, celery_worker):
    response = client_for(carol).post("/api/organization/invites/", {"email": "Newbie@Acme.test"})
    assert response.status_code == 201
    assert response.json()["status"] == "pending" and response.json()["email"] == "newbie@acme.test"
    _wait_for(lambda: len(mail.outbox) == 1)
    message = mail.outbox[0]
    assert message.to == ["newbie@acme.test"] and "Acme Robotics" in message.subject
    token = message.body.split("/invites/")[1].split("/")[0]

    accepted = api.post("/api/invites/accept/", {"token": token, "password": PASSWORD, "name": "Newbie"})
    assert accepted.status_code == 201
    user = User.objects.get(email="newbie@acme.test")
    assert user.role == Role.RECRUITER and user.organization_id == carol.organization_id

    replay = api.post("/api/invites/accept/", {"token": token, "password": PASSWORD})
    assert replay.status_code == 410
    assert error_code(replay) == "invite_accepted"


def _wait_for(condition, seconds: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the Celery worker")
        time.sleep(0.05)


def test_the_token_is_stored_only_as_a_hash(carol, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        invite, token = recruiter_invite_create(invited_by=carol, email="x@acme.test")
    assert token not in invite.token_hash and len(invite.token_hash) == 64


def test_an_expired_invite_cannot_be_used(carol, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        invite, token = recruiter_invite_create(invited_by=carol, email="late@acme.test")
    RecruiterInvite.objects.filter(id=invite.id).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = api.post("/api/invites/accept/", {"token": token, "password": PASSWORD})
    assert response.status_code == 410
    assert error_code(response) == "invite_expired"
    assert not User.objects.filter(email="late@acme.test").exists()


def test_an_unknown_token_is_a_404(api, db):
    response = api.post("/api/invites/accept/", {"token": "made-up", "password": PASSWORD})
    assert response.status_code == 404
    assert error_code(response) == "invite_invalid"


def test_only_org_admins_invite(client_for, alice, bob):
    for user in (alice, bob):
        response = client_for(user).post("/api/organization/invites/", {"email": "x@acme.test"})
        assert response.status_code == 403
        assert error_code(response) == "permission_denied"
    assert not RecruiterInvite.objects.exists()


def test_an_invite_cannot_make_a_candidate_or_target_an_organization_account(client_for, carol, bob, dave):
    bad_role = client_for(carol).post("/api/organization/invites/", {"email": "x@acme.test", "role": "candidate"})
    assert bad_role.status_code == 400 and "role" in bad_role.json()["error"]["fields"]
    # A candidate's account of no organization may be invited (tests/accounts/test_team_page.py).
    other = client_for(carol).post("/api/organization/invites/", {"email": "dave@globex.test"})
    assert other.status_code == 409 and error_code(other) == "account_in_organization"
    member = client_for(carol).post("/api/organization/invites/", {"email": "bob@acme.test"})
    assert member.status_code == 409 and error_code(member) == "already_member"


def test_admins_list_and_revoke_only_their_own_invites(client_for, carol, erin, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        invite, token = recruiter_invite_create(invited_by=carol, email="maybe@acme.test")
    assert [i["email"] for i in client_for(carol).get("/api/organization/invites/").json()] == ["maybe@acme.test"]
    assert client_for(erin).get("/api/organization/invites/").json() == []

    other = client_for(erin).post(f"/api/organization/invites/{invite.id}/revoke/")
    assert other.status_code == 404
    revoked = client_for(carol).post(f"/api/organization/invites/{invite.id}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    response = api.post("/api/invites/accept/", {"token": token, "password": PASSWORD})
    assert response.status_code == 410 and error_code(response) == "invite_revoked"
