"""The team page (/organization/team/): organization admins see members and invites,
invite (new addresses and existing candidates' accounts), withdraw, remove and change
roles; recruiters, candidates and other organizations get 404s."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.models import RecruiterInvite, Role, User
from tests.conftest import PASSWORD


@pytest.fixture
def page_for(db):
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def _invite(
    django_capture_on_commit_callbacks, admin: User, email: str, role: str = Role.RECRUITER
) -> tuple[RecruiterInvite, str]:
    with django_capture_on_commit_callbacks():
        return services.recruiter_invite_create(invited_by=admin, email=email, role=role)


def test_an_admin_sees_members_with_roles_in_words_and_pending_invites(
    page_for, carol, bob, dave, django_capture_on_commit_callbacks
):
    _invite(django_capture_on_commit_callbacks, carol, "newbie@acme.test")
    response = page_for(carol).get("/organization/team/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "bob@acme.test" in html and "carol@acme.test" in html and "dave@globex.test" not in html
    assert "Organization admin" in html and "Recruiter" in html and "org_admin</td>" not in html
    assert "newbie@acme.test" in html and "Pending" in html
    assert 'aria-current="page"' in html and "subnav-team" in html


@pytest.mark.parametrize("who", ["bob", "alice", "anonymous"])
def test_the_team_page_is_a_404_for_recruiters_and_candidates(request, page_for, who, carol):
    if who == "anonymous":
        response = Client().get("/organization/team/")
        assert response.status_code == 302 and "/login/" in response["Location"]
        return
    client = page_for(request.getfixturevalue(who))
    assert client.get("/organization/team/").status_code == 404
    assert client.post("/organization/team/invites/", {"email": "x@acme.test", "role": "recruiter"}).status_code == 404
    assert client.post(f"/organization/team/members/{carol.id}/remove/").status_code == 404
    assert not RecruiterInvite.objects.exists()
    assert User.objects.get(id=carol.id).is_active


def test_inviting_sends_an_invitation_and_shows_it(page_for, carol, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = page_for(carol).post(
            "/organization/team/invites/", {"email": "New@Acme.test", "role": "org_admin"}, follow=True
        )
    assert response.redirect_chain[-1][0] == "/organization/team/"
    invite = RecruiterInvite.objects.get()
    assert invite.email == "new@acme.test" and invite.role == Role.ORG_ADMIN and invite.organization_id == carol.organization_id
    assert len(callbacks) == 1  # the email, once committed
    assert "Invitation sent to new@acme.test" in response.content.decode()


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-email", "Enter a valid email address"),
        ("dave@globex.test", "belongs to an account of another organization"),
        ("bob@acme.test", "already a member of your organization"),
    ],
)
def test_a_refused_invite_shows_the_error_next_to_the_email(page_for, carol, bob, dave, email, message):
    response = page_for(carol).post("/organization/team/invites/", {"email": email, "role": "recruiter"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_email_error"' in html and message in html
    assert f'value="{email}"' in html  # nothing lost
    assert not RecruiterInvite.objects.exists()


def test_an_existing_candidate_is_invited_and_joins_once_signed_in(page_for, carol, alice, django_capture_on_commit_callbacks):
    response = page_for(carol).post("/organization/team/invites/", {"email": "alice@example.test", "role": "recruiter"})
    assert response.status_code == 302
    invite = RecruiterInvite.objects.get()
    _, token = _invite(django_capture_on_commit_callbacks, carol, "alice@example.test")

    signed_out = Client().get(f"/invites/{token}/")
    assert signed_out.status_code == 200 and "Sign in to accept" in signed_out.content.decode()
    assert f"/login/?next=%2Finvites%2F{token}%2F" in signed_out.content.decode()

    as_bob = page_for(User.objects.get(email="carol@acme.test")).get(f"/invites/{token}/")
    assert as_bob.status_code == 403 and "signed in as" in as_bob.content.decode()

    client = page_for(alice)
    assert "Join Acme Robotics" in client.get(f"/invites/{token}/").content.decode()
    joined = client.post(f"/invites/{token}/", follow=True)
    assert joined.status_code == 200 and "You joined Acme Robotics as recruiter" in joined.content.decode()
    alice.refresh_from_db()
    assert alice.role == Role.RECRUITER and alice.organization_id == carol.organization_id
    assert alice.check_password(PASSWORD)
    assert RecruiterInvite.objects.exclude(id=invite.id).get().accepted_by_id == alice.id
    assert client.get("/organization/").status_code == 200
    assert client.post(f"/invites/{token}/").status_code == 410  # used once


def test_an_account_that_joined_an_organization_since_cannot_accept(
    page_for, carol, erin, alice, django_capture_on_commit_callbacks
):
    _, token = _invite(django_capture_on_commit_callbacks, carol, "alice@example.test")
    _, other = _invite(django_capture_on_commit_callbacks, erin, "alice@example.test")
    client = page_for(alice)
    assert client.post(f"/invites/{other}/").status_code == 302
    response = client.post(f"/invites/{token}/")
    assert response.status_code == 409 and "already belongs to Globex Analytics" in response.content.decode()
    alice.refresh_from_db()
    assert alice.organization.slug == "globex"


def test_withdrawing_an_invite_stops_its_link(page_for, carol, erin, django_capture_on_commit_callbacks):
    invite, token = _invite(django_capture_on_commit_callbacks, carol, "maybe@acme.test")
    assert page_for(erin).post(f"/organization/team/invites/{invite.id}/revoke/").status_code == 404
    response = page_for(carol).post(f"/organization/team/invites/{invite.id}/revoke/", follow=True)
    assert "was withdrawn" in response.content.decode()
    assert RecruiterInvite.objects.get(id=invite.id).status == "revoked"
    assert Client().get(f"/invites/{token}/").status_code == 410
    again = page_for(carol).post(f"/organization/team/invites/{invite.id}/revoke/")
    assert again.status_code == 409 and "already revoked" in again.content.decode()


def test_removing_a_member_ends_their_access_and_keeps_the_account(page_for, carol, bob, erin):
    token = Token.objects.create(user=bob)
    bob_client = page_for(bob)
    assert bob_client.get("/organization/").status_code == 200
    assert page_for(erin).post(f"/organization/team/members/{bob.id}/remove/").status_code == 404

    response = page_for(carol).post(f"/organization/team/members/{bob.id}/remove/", follow=True)
    assert "was removed from Acme Robotics" in response.content.decode()
    bob.refresh_from_db()
    assert not bob.is_active and bob.organization_id == carol.organization_id  # kept, for their records
    assert not Token.objects.filter(key=token.key).exists()
    gone = bob_client.get("/organization/")
    assert gone.status_code == 302 and "/login/" in gone["Location"]
    signed_in = Client().post("/login/", {"username": "bob@acme.test", "password": PASSWORD})
    assert signed_in.status_code == 200 and "_auth_user_id" not in signed_in.client.session
    assert "bob@acme.test" not in page_for(carol).get("/organization/team/").content.decode()


def test_a_removed_member_comes_back_with_a_new_invite(page_for, carol, bob, django_capture_on_commit_callbacks):
    services.organization_member_remove(removed_by=carol, member=bob)
    _, token = _invite(django_capture_on_commit_callbacks, carol, "bob@acme.test")
    response = Client().post(f"/invites/{token}/", {"password": "another-long-password-7", "name": "Bob"})
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.is_active and bob.role == Role.RECRUITER and bob.check_password("another-long-password-7")


def test_an_admin_cannot_remove_or_demote_themselves(page_for, carol):
    client = page_for(carol)
    assert client.post(f"/organization/team/members/{carol.id}/remove/").status_code == 400
    response = client.post(f"/organization/team/members/{carol.id}/role/", {f"m{carol.id}-role": "recruiter"})
    assert response.status_code == 400 and "your own membership" in response.content.decode()
    carol.refresh_from_db()
    assert carol.is_active and carol.role == Role.ORG_ADMIN


def test_roles_change_and_the_last_admin_stays_one(page_for, carol, bob):
    response = page_for(carol).post(f"/organization/team/members/{bob.id}/role/", {f"m{bob.id}-role": "org_admin"}, follow=True)
    assert "is now organization admin" in response.content.decode()
    bob.refresh_from_db()
    assert bob.role == Role.ORG_ADMIN
    bad = page_for(carol).post(f"/organization/team/members/{bob.id}/role/", {f"m{bob.id}-role": "candidate"})
    assert bad.status_code == 400

    # Two admins demoting each other at once: the second (whose own admin role is stale
    # in memory) finds carol is the last admin and is refused.
    stale_bob = User.objects.get(id=bob.id)
    services.organization_member_role_change(changed_by=carol, member=bob, role=Role.RECRUITER)
    from config.errors import ConflictError

    with pytest.raises(ConflictError) as refused:
        services.organization_member_role_change(changed_by=stale_bob, member=carol, role=Role.RECRUITER)
    assert refused.value.code == "last_admin"
    with pytest.raises(ConflictError):
        services.organization_member_remove(removed_by=stale_bob, member=carol)
    carol.refresh_from_db()
    assert carol.role == Role.ORG_ADMIN and carol.is_active


def test_revoking_rereads_the_invite_under_its_lock_so_an_accepted_one_stays_accepted(carol, django_capture_on_commit_callbacks):
    invite, token = _invite(django_capture_on_commit_callbacks, carol, "racer@acme.test")
    stale = RecruiterInvite.objects.get(id=invite.id)  # loaded by the revoke view, still pending
    services.recruiter_invite_accept(token=token, password="a-long-enough-password-7")
    with pytest.raises(services.ApplicationError) as refused:
        services.recruiter_invite_revoke(invite=stale, revoked_by=carol)
    assert refused.value.code == "invite_not_pending" and "already accepted" in refused.value.message
    stored = RecruiterInvite.objects.get(id=invite.id)
    assert stored.revoked_at is None and stored.status == "accepted"


def test_a_revoke_waits_for_an_accept_in_progress(transactional_db, carol):
    import threading

    from django.db import connection, transaction

    invite, token = services.recruiter_invite_create(invited_by=carol, email="racer@acme.test", role=Role.RECRUITER)
    locked, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def revoke() -> None:
        try:
            locked.wait(5)
            stale = RecruiterInvite.objects.get(id=invite.id)
            release.set()  # the accept commits while this revoke waits for the row
            services.recruiter_invite_revoke(invite=stale, revoked_by=carol)
            outcome["revoked"] = True
        except services.ApplicationError as exc:
            outcome["refused"] = exc.code
        finally:
            connection.close()

    thread = threading.Thread(target=revoke)
    thread.start()
    with transaction.atomic():
        held = services.invite_lock(RecruiterInvite.objects.all(), token, what="this invitation link")
        locked.set()
        release.wait(5)
        threading.Event().wait(0.3)  # the revoke is now blocked on the row lock
        user = User.objects.create_user(
            email="racer@acme.test", password=PASSWORD, role=Role.RECRUITER, organization=carol.organization
        )
        services._invite_mark_accepted(held, user)
    thread.join(10)
    assert outcome == {"refused": "invite_not_pending"}
    assert RecruiterInvite.objects.get(id=invite.id).revoked_at is None


def test_removing_a_member_says_how_many_webhook_endpoints_they_added(page_for, carol, bob, settings):
    from accounts import webhook_services
    from accounts.models import WebhookEndpoint

    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    bob = services.organization_member_role_change(changed_by=carol, member=bob, role=Role.ORG_ADMIN)
    for path in ("a", "b"):
        webhook_services.webhook_endpoint_create(user=bob, url=f"http://127.0.0.1:9/{path}", events=["session.graded"])
    page = page_for(carol).get("/organization/team/").content.decode()
    assert f'id="remove-hint-{bob.id}"' in page and "Added 2 webhook endpoints: they stay active after removal." in page
    assert f'aria-describedby="remove-hint-{bob.id}"' in page

    response = page_for(carol).post(f"/organization/team/members/{bob.id}/remove/", follow=True)
    html = response.content.decode()
    assert "The 2 webhook endpoints they added stay active, managed by the organization&#x27;s admins" in html
    assert WebhookEndpoint.objects.filter(created_by=bob, is_active=True).count() == 2
