"""The recruiter's invitations page and the dashboard's exports in a real browser: bob
invites one candidate, pastes three with a bad line (nobody invited, the text kept),
fixes it, sends one again, revokes one (whose link then refuses), and downloads the
exports; at desktop and phone size. Globex's dave and candidate alice see none of it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook

from interview import services
from interview.models import AssessmentInvite, InterviewTemplate, TemplateSection
from questions.models import Question
from tests.review.reporting import graded_assessment
from tests.web.browsing import assert_accessible, assert_fits_width, needs_chromium, screenshot, sign_in

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def no_resend_cooldown(settings):
    """The flow sends again at once; the cooldown is tested in tests/review/test_invites_page.py."""
    settings.ASSESSMENT_INVITE_RESEND_COOLDOWN_SECONDS = 0


@pytest.fixture
def acme_template(bank, acme) -> InterviewTemplate:
    template = InterviewTemplate.objects.create(slug="acme-screen", title="Acme screen", total_minutes=30, organization=acme)
    TemplateSection.objects.create(template=template, position=1, title="Code").questions.add(
        Question.objects.get(slug="sum-pairs")
    )
    return template


def check_page(page) -> None:
    assert_fits_width(page)
    assert_accessible(page)


def row(page, email: str):
    return page.locator("#invite-table tbody tr", has_text=email)


def test_bob_invites_resends_revokes_and_exports(sized_page, screen, bob, alice, acme_template):
    page = sized_page
    # A finished interview for the exports, and an invite whose link the test keeps.
    graded_assessment(bob, alice, acme_template, grade=False)
    kept, token = services.assessment_invite_create(invited_by=bob, template=acme_template, email="kept@example.test")

    sign_in(page, bob.email)
    page.goto("/dashboard/")
    check_page(page)
    page.click("#invite-candidates")
    page.wait_for_url("**/dashboard/invites/")
    assert page.inner_text("h1") == "Invite candidates"
    check_page(page)

    # One.
    page.select_option("#id_one-template", label="Acme screen")
    page.fill("#id_one-email", "jane@example.test")
    page.fill("#id_one-name", "Jane Roe")
    page.click("#invite-one-submit")
    page.wait_for_selector(".messages >> text=Invitation to “Acme screen” sent to jane@example.test.")
    assert row(page, "jane@example.test").locator(".status-badge").inner_text() == "Pending"

    # Many, with a bad line: nobody is invited and the text stays.
    pasted = "Kim Lee, kim@example.test\nlee at example.test\nMo <mo@example.test>"
    page.select_option("#id_bulk-template", label="Acme screen")
    page.fill("#id_bulk-lines", pasted)
    page.click("#invite-bulk-submit")
    page.wait_for_selector("#bulk-line-errors")
    assert "Line 2: “lee at example.test” is not a valid email address" in page.inner_text("#bulk-line-errors")
    assert page.input_value("#id_bulk-lines") == pasted
    assert page.get_attribute("#id_bulk-lines", "aria-invalid") == "true"
    assert not AssessmentInvite.objects.filter(email__in=["kim@example.test", "mo@example.test"]).exists()
    check_page(page)
    page.fill("#id_bulk-lines", pasted.replace("lee at example.test", "Lee, lee@example.test"))
    page.click("#invite-bulk-submit")
    page.wait_for_selector(".messages >> text=3 invitations to “Acme screen” sent.")
    for email in ("kim@example.test", "lee@example.test", "mo@example.test"):
        assert row(page, email).count() == 1
    assert row(page, alice.email).locator(".status-badge").inner_text() == "Used"
    if screen == "desktop":
        screenshot(page, "recruiter-invites.png", full_page=True)

    # Send one again, revoke another.
    row(page, "kim@example.test").get_by_role("button", name="Send again").click()
    page.wait_for_selector(".messages >> text=Invitation sent again to kim@example.test")
    assert AssessmentInvite.objects.get(email="kim@example.test").send_count == 2
    assert "sent 2 times" in row(page, "kim@example.test").inner_text()
    row(page, "kept@example.test").get_by_role("button", name="Revoke").click()
    page.wait_for_selector(".messages >> text=Invitation of kept@example.test revoked")
    assert row(page, "kept@example.test").locator(".status-badge").inner_text() == "Revoked"
    assert row(page, "kept@example.test").get_by_role("button").count() == 0
    page.select_option("#invite-filter-status", "revoked")
    page.click("#invite-filter-submit")
    page.wait_for_url("**/dashboard/invites/?status=revoked*")
    assert page.locator("#invite-table tbody tr").count() == 1
    check_page(page)

    # The revoked link refuses.
    response = page.goto(f"/assess/{token}/")
    assert response.status == 410 and "withdrawn" in page.inner_text("main")

    # The dashboard says so, and its exports download what it shows.
    page.goto("/dashboard/")
    assert page.locator(f'tr[data-invite="{kept.id}"] .status-badge').inner_text() == "Revoked"
    with page.expect_download() as download:
        page.click("#export-csv")
    assert download.value.suggested_filename.startswith("interviews-all-")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [(r["candidate_email"], r["template"], r["status"]) for r in rows] == [(alice.email, "Acme screen", "Finished")]
    page.select_option("#filter-template", label="Acme screen")
    page.click("#filter-submit")
    page.wait_for_url("**/dashboard/?template=*")
    with page.expect_download() as download:
        page.click("#export-xlsx")
    assert download.value.suggested_filename.startswith("interviews-acme-screen-")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))["Interviews"]
    header = [cell.value for cell in sheet[1]]
    assert sheet.max_row == 2 and sheet.cell(row=2, column=header.index("Email") + 1).value == alice.email
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold


def test_other_organizations_and_candidates_reach_none_of_it(page, bob, dave, alice, acme_template):
    invite, _ = services.assessment_invite_create(invited_by=bob, template=acme_template, email="jane@example.test")
    sign_in(page, dave.email)
    page.goto("/dashboard/invites/")
    assert "jane@example.test" not in page.content() and "No invitations yet." in page.inner_text("#invite-table")
    assert "Acme screen" not in page.inner_text("#id_one-template")
    check_page(page)

    other = Client()
    other.force_login(dave)
    for action in ("resend", "revoke"):
        assert other.post(f"/dashboard/invites/{invite.id}/{action}/").status_code == 404
    invite.refresh_from_db()
    assert invite.status == "pending" and invite.send_count == 1

    candidate = page.context.browser.new_context(base_url=page.url.split("/dashboard")[0]).new_page()
    sign_in(candidate, alice.email)
    assert candidate.goto("/dashboard/invites/").status == 404
    candidate.context.close()
