"""Every recruiter and admin page, as every kind of visitor: organization isolation holds
on each of them, whatever the page's own tests check.

Acme's objects (a template, a candidate invite, a recruiter invite, a webhook endpoint and
its delivery, a graded assessment) are opened by Globex's recruiter and admin, by a
self-serve candidate and by nobody signed in. A page about one object is a 404 to another
organization (its existence is not even confirmed); a list shows none of Acme's rows; an
action changes nothing. Acme's recruiter reaches every recruiter page; the team page is
its admin's alone.
"""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from accounts.models import RecruiterInvite, WebhookDelivery, WebhookEndpoint
from accounts.services import recruiter_invite_create
from accounts.webhook_services import webhook_endpoint_create
from interview.models import AssessmentInvite
from interview.services import assessment_invite_create
from interview.services.templates import template_create
from tests.review.reporting import graded_assessment, report_template

ACME_MARKS = ("noor.acme@example.test", "future.recruiter@acme.test", "acme-hooks", "Acme hiring loop")


@pytest.fixture
def acme_objects(bank, alice, bob, carol, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    with django_capture_on_commit_callbacks():
        template = template_create(
            user=bob,
            title="Acme hiring loop",
            total_minutes=30,
            sections=[{"title": "Theory", "draw_count": 1, "draw_kind": "multiple_choice"}],
        )
        invite, _ = assessment_invite_create(invited_by=bob, template=template, email="noor.acme@example.test")
        recruiter_invite, _ = recruiter_invite_create(invited_by=carol, email="future.recruiter@acme.test")
    endpoint = webhook_endpoint_create(user=carol, url="http://127.0.0.1:9/acme-hooks", events=["session.graded"])
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id=uuid.uuid4(), event="session.graded", payload={"id": "x"}, status="failed"
    )
    session = graded_assessment(bob, alice, report_template(), capture=django_capture_on_commit_callbacks)
    return {
        "template": template,
        "invite": invite,
        "recruiter_invite": recruiter_invite,
        "endpoint": endpoint,
        "delivery": delivery,
        "session": session,
    }


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _lists() -> list[str]:
    return [
        "/dashboard/",
        "/dashboard/invites/",
        "/dashboard/export.csv",
        "/dashboard/export.xlsx",
        "/templates/",
        "/reviews/",
        "/organization/",
        "/organization/webhooks/",
    ]


def _object_pages(o) -> list[str]:
    return [
        f"/templates/{o['template'].id}/",
        f"/templates/{o['template'].id}/preview/",
        f"/organization/webhooks/{o['endpoint'].id}/",
        f"/reports/{o['session'].id}/",
        f"/reports/{o['session'].id}/pdf/",
    ]


def _object_actions(o) -> list[str]:
    return [
        f"/dashboard/invites/{o['invite'].id}/resend/",
        f"/dashboard/invites/{o['invite'].id}/revoke/",
        f"/templates/{o['template'].id}/duplicate/",
        f"/templates/{o['template'].id}/archive/",
        f"/organization/team/invites/{o['recruiter_invite'].id}/revoke/",
        f"/organization/webhooks/{o['endpoint'].id}/rotate/",
        f"/organization/webhooks/{o['endpoint'].id}/delete/",
        f"/organization/webhooks/deliveries/{o['delivery'].id}/redeliver/",
    ]


def _unchanged(o) -> None:
    invite = AssessmentInvite.objects.get(id=o["invite"].id)
    assert invite.status == "pending" and invite.token_hash == o["invite"].token_hash
    assert RecruiterInvite.objects.get(id=o["recruiter_invite"].id).status == "pending"
    endpoint = WebhookEndpoint.objects.get(id=o["endpoint"].id)
    assert endpoint.secret == o["endpoint"].secret
    assert WebhookDelivery.objects.get(id=o["delivery"].id).attempts == 0
    template = type(o["template"]).objects.get(id=o["template"].id)
    assert template.is_active
    assert type(o["template"]).objects.filter(title__startswith="Acme hiring loop").count() == 1


def test_nobody_signed_in_is_sent_to_sign_in_everywhere(acme_objects):
    client = _client(None)
    for url in _lists() + _object_pages(acme_objects) + ["/organization/team/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    for url in _object_actions(acme_objects):
        assert client.post(url).status_code in (302, 403), url
    _unchanged(acme_objects)


def test_a_candidate_meets_no_recruiter_page(acme_objects, alice):
    client = _client(alice)
    for url in _lists() + _object_pages(acme_objects) + ["/organization/team/"]:
        assert client.get(url).status_code == 404, url
    for url in _object_actions(acme_objects):
        assert client.post(url).status_code == 404, url
    _unchanged(acme_objects)


@pytest.mark.parametrize("outsider", ["dave", "erin"])
def test_another_organization_sees_nothing_of_acme_and_changes_nothing(acme_objects, outsider, request):
    user = request.getfixturevalue(outsider)
    client = _client(user)
    for url in _lists() + (["/organization/team/"] if outsider == "erin" else []):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode(errors="replace") if not url.endswith(".xlsx") else ""
        for mark in ACME_MARKS:
            assert mark not in body, (url, mark)
    for url in _object_pages(acme_objects):
        assert client.get(url).status_code == 404, url
    for url in _object_actions(acme_objects):
        assert client.post(url).status_code == 404, url
    _unchanged(acme_objects)


def test_acme_reaches_its_own_pages_and_only_its_admin_the_team(acme_objects, bob, carol):
    recruiter = _client(bob)
    for url in _lists() + _object_pages(acme_objects):
        assert recruiter.get(url).status_code == 200, url
    assert recruiter.get("/organization/team/").status_code == 404
    admin = _client(carol)
    team = admin.get("/organization/team/")
    assert team.status_code == 200 and "future.recruiter@acme.test" in team.content.decode()
