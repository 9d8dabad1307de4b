"""A recruiter's and an admin's whole job in the browser, never touching the API docs:
invite from the dashboard, follow the interview, review and override, compare against the
cohort, export; the admin brings in a recruiter and subscribes a webhook. Only the
candidate's part (tested in its own files) runs through the services."""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

import pytest
from django.core import mail

from interview import services
from interview.models import InterviewSession, InterviewTemplate, TemplateSection
from questions.models import Question
from tests.web.browsing import needs_chromium, sign_in

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def _wait(condition, what: str, seconds: float = 90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"{what}: not within {seconds} s")


@pytest.fixture
def acme_screen(bank, acme) -> InterviewTemplate:
    template = InterviewTemplate.objects.create(slug="acme-screen", title="Acme screen", total_minutes=30, organization=acme)
    section = TemplateSection.objects.create(template=template, position=1, title="Theory and design")
    section.questions.add(Question.objects.get(slug="pick-metric"), Question.objects.get(slug="design-cache"))
    return template


def test_a_recruiter_invites_follows_reviews_and_exports_and_an_admin_runs_the_team(
    browser, live_server, bob, carol, alice, acme_screen, celery_worker, tmp_path, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True  # the test's receiver is the live server, on 127.0.0.1
    context = browser.new_context(viewport={"width": 1280, "height": 860}, base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)

    # Invite: from the dashboard's button, a template chosen by its title.
    sign_in(page, bob.email)
    page.goto("/dashboard/")
    page.click("#invite-candidates")
    page.wait_for_url("**/dashboard/invites/")
    form = page.locator("#invite-one-form")
    form.get_by_label("Template").select_option(label="Acme screen")
    form.get_by_label("Email").fill(alice.email)
    form.get_by_label("Name").fill("Alice Candidate")
    page.click("#invite-one-submit")
    page.wait_for_load_state()
    assert "Pending" in page.locator("#invite-table tbody tr", has_text=alice.email).inner_text()

    # The candidate's part: the emailed link, started, answered, finished.
    message = _wait(lambda: next((m for m in mail.outbox if alice.email in m.to), None), "the invitation email")
    token = re.search(r"/assess/([\w-]+)/", message.body).group(1)
    session = services.assessment_start(token=token, candidate=alice)
    for question in session.questions.select_related("question_version__question"):
        kind = question.question_version.question.kind
        payload = {"selected": ["b"]} if kind == "multiple_choice" else {"text": "A cache with consistent hashing and LRU."}
        services.answer_save(session=session, position=question.position, payload=payload, revision=1)
    services.session_candidate_finish(session=session)
    _wait(lambda: InterviewSession.objects.filter(id=session.id, score__isnull=False).exists(), "the grading")

    # Follow: the dashboard row says where the interview stands and opens the report.
    page.goto("/dashboard/")
    row = page.locator("#dashboard-table tr[data-session]", has_text="Alice")
    assert row.count() == 1 and "Acme screen" in row.inner_text()
    row.get_by_role("link", name=re.compile("Alice")).click()
    page.wait_for_url(f"**/reports/{session.id}/")
    assert "better than" in page.inner_text("main") or "nothing to compare" in page.inner_text("main")

    # Review and override a rubric level: the confirmation shows beside the question.
    criterion = page.locator("tr[data-criterion]").first
    criterion.locator("select[name=level]").select_option("1")
    criterion.locator("input[name=comment]").fill("Named the pieces, designed none")
    criterion.get_by_role("button", name="Set").click()
    page.wait_for_load_state()
    status = page.locator("#override-status")
    assert status.is_visible() and "saved" in status.inner_text().lower()

    # Export: the dashboard's CSV carries the interview, now reviewed by a person.
    page.goto("/dashboard/")
    with page.expect_download() as download:
        page.click("#export-csv")
    path = Path(tmp_path / "export.csv")
    download.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [r["candidate_email"] for r in rows] == [alice.email]
    assert "reviewed" in " ".join(rows[0].values()).lower()
    context.close()

    # The admin: a recruiter invited from the team page, a webhook subscribed.
    context = browser.new_context(viewport={"width": 1280, "height": 860}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in(page, carol.email)
    page.goto("/")
    page.locator("#site-nav").get_by_role("link", name="Organization").click()
    page.wait_for_url("**/organization/")
    page.get_by_role("link", name="Team").click()
    page.wait_for_url("**/organization/team/")
    page.locator("#invite-form").get_by_label("Email").fill("rita@acme.test")
    page.click("#invite-submit")
    page.wait_for_load_state()
    assert "rita@acme.test" in page.locator("#invites-table").inner_text()
    page.get_by_role("link", name="Webhooks").click()
    page.wait_for_url("**/organization/webhooks/")
    page.locator("#webhook-form").get_by_label("URL").fill(f"{live_server.url}/hooks/in")
    page.locator("#events-fieldset input[type=checkbox]").first.check()
    page.click("#webhook-add")
    page.wait_for_load_state()
    assert page.get_by_label("Signing secret").input_value().startswith("whsec_")
    context.close()
