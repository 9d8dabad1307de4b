"""The interview in a real browser: headless Chromium driven by Playwright.

Chromium is Debian's (`/usr/bin/chromium`); `playwright install` cannot download
browsers here. Screenshots of the key pages go to docs/screenshots/ when
UPDATE_SCREENSHOTS=1.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from interview.models import Answer, InterviewSession
from tests.web.browsing import needs_chromium, screenshot, sign_in

pytestmark = needs_chromium


def open_question(page, title: str) -> None:
    page.click(f"#question-list button:has-text('{title}')")
    page.wait_for_selector(f"#question-title:has-text('{title}')")


@pytest.mark.django_db(transaction=True)
def test_a_candidate_takes_a_practice_interview(page, alice, template, celery_worker):
    sign_in(page, "alice@example.test")
    page.goto("/practice/")
    page.click(".card:has-text('Mini loop') button:has-text('Start')")
    page.wait_for_selector("#code-editor .cm-content")
    assert page.inner_text("#question-title") == "Count pairs with a given sum"

    # Type into the real editor: CodeMirror indents the line after the colon itself.
    page.click("#code-editor .cm-content")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("def count_pairs(nums, target):\n")
    page.keyboard.type("return sum(1 for i in range(len(nums)) for j in range(i + 1, len(nums)) if nums[i] + nums[j] == target)")
    page.click("#run")
    page.wait_for_selector("#run-output table.tests")
    assert "Passed" in page.inner_text("#run-output")
    assert "example" in page.inner_text("#run-output table.tests")
    # (interview-coding.png is taken by test_interview_page.py, side by side at 1280x800.)

    page.click("#submit")
    page.wait_for_selector("#run-output:has-text('score 100')")
    assert "Hidden tests passed: 2 of 2" in page.inner_text("#run-output")

    open_question(page, "Pick a metric for rare positives")
    page.check("input[value=b]")
    open_question(page, "Design a distributed cache")
    page.click("#text-editor .cm-content")
    page.keyboard.type("Use consistent hashing with virtual nodes; evict with LRU and TTLs.")
    page.wait_for_selector("#save-status[data-state=saved]")
    screenshot(page, "interview-design.png")

    # A reload resumes exactly where the candidate was: on the question last shown.
    page.reload()
    page.wait_for_selector("#question-title:has-text('Design a distributed cache')")
    assert "consistent hashing" in page.inner_text("#text-editor .cm-content")
    open_question(page, "Count pairs with a given sum")
    assert "return sum(1 for i" in page.inner_text("#code-editor .cm-content")
    open_question(page, "Pick a metric for rare positives")
    assert page.is_checked("input[value=b]")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#finish")
    page.wait_for_url("**/results/")
    session = InterviewSession.objects.get(candidate=alice)
    assert session.status == "finished" and session.finish_reason == "candidate"
    # The code and the design answer are graded by the worker; the page shows them on reload.
    for _ in range(120):
        statuses = set(Answer.objects.filter(session_question__session=session).values_list("grade_status", flat=True))
        if statuses == {"graded"}:
            break
        page.wait_for_timeout(250)
    page.reload()
    cards = page.locator(".result-card")
    assert "100 / 100" in cards.nth(0).inner_text() and "3 of 3 tests passed" in cards.nth(0).inner_text()
    assert "100 / 100" in cards.nth(1).inner_text()
    design = cards.nth(3).inner_text()
    assert (
        "Provisional — local grader" in design
        and "Partitioning" in design
        and "consistent hashing with virtual nodes" in design.lower()
    )
    screenshot(page, "interview-results.png")


@pytest.mark.django_db(transaction=True)
def test_an_expired_interview_refuses_saves_and_grades_what_was_saved(page, alice, template):
    sign_in(page, "alice@example.test")
    page.goto("/practice/")
    page.click(".card:has-text('Mini loop') button:has-text('Start')")
    page.wait_for_selector("#code-editor .cm-content")
    open_question(page, "Pick a metric for rare positives")
    page.check("input[value=b]")
    page.wait_for_selector("#save-status[data-state=saved]")

    # The server's clock runs out while this tab still thinks there is time left.
    session = InterviewSession.objects.get(candidate=alice)
    InterviewSession.objects.filter(id=session.id).update(deadline=timezone.now() - timedelta(seconds=30))
    open_question(page, "AUC of a tiny ranking")
    page.fill("#numeric-answer", "0.75")
    page.wait_for_selector("#banner:has-text('Time is up')")
    screenshot(page, "interview-expired.png")
    page.wait_for_url("**/results/", timeout=15_000)

    session.refresh_from_db()
    assert session.status == "finished" and session.finish_reason == "expired"
    assert "time ran out" in page.inner_text(".score-line")
    cards = page.locator(".result-card")
    assert "100 / 100" in cards.nth(1).inner_text()  # the saved choice was graded
    assert "No answer; the expected answer is" in cards.nth(2).inner_text()  # the refused save was not stored


@pytest.mark.django_db(transaction=True)
def test_the_countdown_closes_the_interview_when_time_runs_out(page, alice, template):
    sign_in(page, "alice@example.test")
    page.goto("/practice/")
    page.click(".card:has-text('Mini loop') button:has-text('Start')")
    page.wait_for_selector("#code-editor .cm-content")
    InterviewSession.objects.filter(candidate=alice).update(deadline=timezone.now() + timedelta(seconds=4))
    page.reload()
    page.wait_for_selector("#banner:has-text('Time is up')", timeout=15_000)
    assert page.is_disabled("#run")
    page.wait_for_url("**/results/", timeout=20_000)
    assert InterviewSession.objects.get(candidate=alice).finish_reason == "expired"
