"""A recruiter's review in a real browser: dashboard, filter, report, override, PDF."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from interview.models import InterviewSession
from tests.conftest import PASSWORD
from tests.review.reporting import graded_assessment, report_template
from tests.web.browsing import needs_chromium, screenshot, sign_in

pytestmark = needs_chromium

WEAK = "def count_pairs(nums, target):\n    return 0\n"


def wait_until_graded(session_ids: list[int], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not InterviewSession.objects.filter(id__in=session_ids, score__isnull=True).exists():
            return
        time.sleep(0.3)
    raise AssertionError("the worker did not grade the sessions in time")


@pytest.mark.django_db(transaction=True)
def test_a_recruiter_reviews_a_candidate_from_dashboard_to_pdf(page, bank, bob, alice, django_user_model, celery_worker):
    template = report_template()
    other = django_user_model.objects.create_user("omar@example.test", PASSWORD, name="Omar Other")
    sessions = [
        graded_assessment(bob, alice, template, grade=False),
        graded_assessment(bob, other, template, code=WEAK, text="A cache.", choice="a", grade=False),
    ]
    wait_until_graded([s.id for s in sessions])
    alice_session = InterviewSession.objects.get(id=sessions[0].id)

    sign_in(page, "bob@acme.test")
    page.goto("/dashboard/")
    assert page.locator("#dashboard-table tr[data-session]").count() == 2
    # Side by side first: tick both, compare.
    for box in page.locator("#compare-form input[name=session]").all():
        box.check()
    page.click("#compare-button")
    page.wait_for_url("**/dashboard/compare/**")
    header = page.locator("#compare-table").inner_text()
    assert "Alice" in header and "Omar Other" in header
    screenshot(page, "recruiter-compare.png", full_page=True)
    page.goto("/dashboard/")
    page.select_option("#dashboard-filters select[name=status]", "graded")
    page.fill("#dashboard-filters input[name=score_min]", "60")
    page.click("#dashboard-filters button[type=submit]")
    page.wait_for_url("**status=graded**")
    rows = page.locator("#dashboard-table tr[data-session]")
    assert rows.count() == 1 and "Alice" in rows.first.inner_text()
    screenshot(page, "recruiter-dashboard.png")

    rows.first.get_by_role("link", name="Alice").click()
    page.wait_for_url(f"**/reports/{alice_session.id}/")
    assert page.locator("#chart-sections svg").is_visible() and page.locator("#chart-cohort svg").is_visible()
    assert "better than" in page.locator("#chart-cohort").inner_text()
    assert "candidates on this template" in page.locator("#report-standing").inner_text()
    screenshot(page, "recruiter-report.png", full_page=True)

    row = page.locator("tr[data-criterion=eviction]")
    machine = row.locator("td").nth(1).inner_text()
    row.locator("select[name=level]").select_option("0")
    row.locator("input[name=comment]").fill("TTLs were only named, never designed")
    row.get_by_role("button", name="Set").click()
    page.wait_for_load_state()
    # The confirmation is in the question's card, beside its criteria, not atop the page.
    assert "Level saved" in page.locator(".report-question #override-status").inner_text()
    assert page.locator(".messages").count() == 0
    row = page.locator("tr[data-criterion=eviction]")
    assert row.locator(".effective-level").inner_text().startswith("0 / 4") and "human" in row.inner_text()
    assert row.locator("td").nth(1).inner_text() == machine  # the machine's level stays on record
    score_before = alice_session.score
    alice_session.refresh_from_db()
    assert alice_session.score < score_before

    with page.expect_download() as download_info:
        page.click("#download-pdf")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF-")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())
    assert "Alice" in text and "alice@example.test" in text
    assert "Section scores" in text and "Cohort distribution (n=2)" in text
    assert "TTLs were only named, never designed" in text
