"""Every page a recruiter or an organization admin meets, scanned by axe-core (no serious
or critical WCAG 2.1 A/AA violation) and fitted to the screen, at 1280x800 and 390x844.
The journeys are tested in their own files; this sweep keeps a page no journey opens
(or a state it does not reach, such as a filled list) from slipping through."""

from __future__ import annotations

import uuid

import pytest

from accounts.models import WebhookDelivery
from accounts.services import recruiter_invite_create
from accounts.webhook_services import webhook_endpoint_create
from interview.services import assessment_invite_create
from interview.services.templates import template_create
from tests.review.reporting import graded_assessment, report_template
from tests.web.browsing import needs_chromium, sign_in, sweep

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def test_every_recruiter_and_admin_page_is_accessible_and_fits(
    sized_page, screen, bank, alice, bob, carol, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    with django_capture_on_commit_callbacks():
        template = template_create(
            user=bob,
            title="Acme hiring loop",
            total_minutes=30,
            sections=[
                {"title": "Theory", "draw_count": 1, "draw_kind": "multiple_choice"},
                {"title": "Numbers", "draw_count": 1, "draw_kind": "numeric"},
            ],
        )
        assessment_invite_create(invited_by=bob, template=template, email="noor@example.test", candidate_name="Noor")
        recruiter_invite_create(invited_by=carol, email="future@acme.test")
    endpoint = webhook_endpoint_create(user=carol, url="http://127.0.0.1:9/acme-hooks", events=["session.graded"])
    WebhookDelivery.objects.create(
        endpoint=endpoint, event_id=uuid.uuid4(), event="session.graded", payload={"id": "x"}, status="failed"
    )
    session = graded_assessment(bob, alice, report_template(), capture=django_capture_on_commit_callbacks)

    page = sized_page
    sign_in(page, carol.email)
    pages = {
        "home": "/",
        "dashboard": "/dashboard/",
        "invites": "/dashboard/invites/",
        "templates": "/templates/",
        "new template": "/templates/new/",
        "edit template": f"/templates/{template.id}/",
        "template preview": f"/templates/{template.id}/preview/",
        "review queue": "/reviews/",
        "report": f"/reports/{session.id}/",
        "organization settings": "/organization/",
        "team": "/organization/team/",
        "webhooks": "/organization/webhooks/",
        "webhook deliveries": f"/organization/webhooks/{endpoint.id}/",
    }
    sweep(page, pages, screen)
    # Every page of the organization is one click away from the main navigation.
    page.goto("/")
    if screen == "phone":
        page.click("#nav-toggle")
    nav = page.locator("#site-nav")
    for name in ("Dashboard", "Invites", "Templates", "Reviews", "Organization"):
        assert nav.get_by_role("link", name=name).is_visible(), name
