"""The interview page as a LeetCode or CoderPad user expects it, in a real browser, at
a desktop's and a phone's width: problem and editor side by side (stacked on a phone),
Ctrl+Enter, a run's live state, errors marked in the editor, tests with their inputs,
Python custom input, prose written as typed, nothing lost on reload or close, time
warnings, and no serious accessibility fault on any kind of question."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from grading.models import Submission
from interview.models import Answer, InterviewSession, SessionQuestion
from questions.models import Question
from tests.web.browsing import assert_accessible, assert_fits_width, needs_chromium, screenshot, sign_in

pytestmark = needs_chromium

MULTIPLE_RULE = (
    "Select all that apply. Partial credit: each correct option you pick earns its share; "
    "each wrong pick takes one share away; the score never goes below zero."
)


def start(page) -> InterviewSession:
    sign_in(page, "alice@example.test")
    page.goto("/practice/")
    page.click(".card:has-text('Mini loop') button:has-text('Start')")
    page.wait_for_selector("#code-editor .cm-content")
    return InterviewSession.objects.get(candidate__email="alice@example.test")


def open_question(page, position: int, title: str) -> None:
    page.click(f"#question-list button[data-position='{position}']")
    page.wait_for_selector(f"#question-title:has-text('{title}')")


def replace_code(page, *lines: str) -> None:
    """Types into the real editor; CodeMirror indents after a colon by itself, so each
    line is typed without its leading indentation, and a blank line dedents."""
    page.click("#code-editor .cm-content")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("\n".join(lines))


def box(page, selector: str) -> dict:
    return page.locator(selector).bounding_box()


def wait_for_run(page) -> None:
    page.wait_for_selector("#run-output .run-summary", timeout=60_000)
    page.wait_for_function("() => !document.getElementById('run').disabled")


@pytest.mark.django_db(transaction=True)
def test_the_coding_journey(sized_page, screen, alice, template, celery_worker):
    page = sized_page
    start(page)

    problem, editor = box(page, "#prompt"), box(page, "#code-editor")
    if screen == "desktop":
        # Side by side, the editor starting above the fold, split by a separator you can move.
        assert problem["x"] + problem["width"] <= editor["x"]
        assert editor["y"] < 300 and editor["y"] + 200 < 800
        separator = page.locator("#splitter")
        assert separator.get_attribute("role") == "separator"
        before = int(separator.get_attribute("aria-valuenow"))
        separator.focus()
        page.keyboard.press("ArrowRight")
        assert int(separator.get_attribute("aria-valuenow")) == before + 5
        assert box(page, "#code-editor")["x"] > editor["x"]
    else:
        assert page.locator("#splitter").is_hidden()
        assert editor["y"] > problem["y"] + problem["height"] - 1
        assert_fits_width(page)

    # The visible tests show their input as a call, in Python; the limits say what is limited.
    assert "count_pairs([1, 2, 3, 4], 5)" in page.inner_text("#examples")
    assert "1 s of CPU time, 3 s wall clock" in page.inner_text("#limits")
    assert "Esc, then Tab" in page.inner_text("#editor-hint")

    # A syntax error: a traceback of the candidate's own code and a mark in the gutter.
    replace_code(page, "def count_pairs(nums, target):", "return nums +* target")
    page.keyboard.press("Control+Enter")
    wait_for_run(page)
    output = page.inner_text("#run-output")
    assert 'File "solution.py", line 2' in output and "SyntaxError" in output
    assert "harness" not in output and "/opt/" not in output
    assert page.locator("#code-editor .cm-gutter-lint .cm-lint-marker-error").count() == 1
    assert page.locator("#code-editor .cm-error-line").count() == 1

    # A runtime error too, with the line marked and only the candidate's frames.
    replace_code(page, "def count_pairs(nums, target):", "return len(nums) / 0")
    page.keyboard.press("Meta+Enter")  # Cmd+Enter, as on a Mac
    wait_for_run(page)
    output = page.inner_text("#run-output")
    assert "Runtime error" in output and "ZeroDivisionError" in output and "line 2, in count_pairs" in output
    assert "harness" not in output and "/opt/" not in output
    assert page.locator("#code-editor .cm-lint-marker-error").count() == 1

    # An endless loop: Run is disabled while it runs, the elapsed time ticks, clicks do not queue runs,
    # and the message states the same limits as the page.
    replace_code(page, "def count_pairs(nums, target):", "while True:", "pass")
    runs = Submission.objects.count()
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#run:disabled")
    assert page.is_disabled("#submit")
    page.wait_for_function(
        "() => { const m = document.getElementById('run-state').textContent.match(/Running… ([0-9.]+) s/);"
        " return m && parseFloat(m[1]) >= 0.5; }"
    )
    for _ in range(5):
        page.locator("#run").click(force=True)
    wait_for_run(page)
    assert Submission.objects.count() == runs + 1
    output = page.inner_text("#run-output")
    assert "Time limit exceeded" in output and "1 s of CPU time, 3 s wall clock" in output

    # A Python literal as custom input, and a run with nothing to compare is not "accepted".
    replace_code(
        page,
        "def count_pairs(nums, target):",
        "pairs = [(i, j) for i in range(len(nums)) for j in range(i + 1, len(nums))]",
        "return None if target is None else sum(1 for i, j in pairs if nums[i] + nums[j] == target)",
    )
    page.fill("#custom-input", "[[1, 2], None]")
    page.press("#custom-input", "Control+Enter")
    wait_for_run(page)
    rows = page.locator("#run-output table.tests tbody tr")
    assert rows.count() == 2
    example, custom = rows.nth(0).inner_text(), rows.nth(1).inner_text()
    assert "Passed" in example and "count_pairs([1, 2, 3, 4], 5)" in example and "Expected" in example
    assert "Ran — no expected output to compare" in custom and "count_pairs([1, 2], None)" in custom
    assert "None" in custom and "Passed" not in custom
    assert page.locator("#code-editor .cm-lint-marker-error").count() == 0
    if screen == "desktop":
        page.locator("#run-output table.tests").scroll_into_view_if_needed()
        screenshot(page, "interview-coding.png")
    else:
        assert_fits_width(page)
        page.evaluate("window.scrollTo(0, 0)")
        screenshot(page, "interview-phone.png")

    # Custom input that is not a value gets a clear message, and nothing runs.
    runs = Submission.objects.count()
    page.fill("#custom-input", "[1, nums]")
    page.click("#run")
    page.wait_for_selector("#run-output .error")
    assert "unknown name 'nums'" in page.inner_text("#run-output")
    assert Submission.objects.count() == runs


@pytest.mark.django_db(transaction=True)
def test_a_written_answer_is_saved_exactly_as_typed(sized_page, screen, alice, template):
    page = sized_page
    session = start(page)
    open_question(page, 4, "Design a distributed cache")
    editor = page.locator("#text-editor .cm-content")
    assert page.locator("#text-editor .cm-lineNumbers").count() == 0
    assert "monospace" not in editor.evaluate("node => getComputedStyle(node).fontFamily")
    assert page.inner_text("#word-count") == "0 / 800 words"
    editor.click()
    page.keyboard.type("- item\n- item2\n# Heading\n1. first\n2. second (done)")
    page.wait_for_selector("#save-status[data-state=saved]")
    answer = Answer.objects.get(session_question__session=session, session_question__position=4)
    assert answer.payload["text"] == "- item\n- item2\n# Heading\n1. first\n2. second (done)"
    assert page.inner_text("#word-count") == "11 / 800 words"
    if screen == "phone":
        assert_fits_width(page)


@pytest.mark.django_db(transaction=True)
def test_a_reload_resumes_with_custom_input_and_the_last_run(sized_page, screen, alice, template, celery_worker):
    page = sized_page
    start(page)
    page.fill("#custom-input", "[[5, 0, 5], 5]")
    page.click("#run")
    wait_for_run(page)
    assert "count_pairs([5, 0, 5], 5)" in page.inner_text("#run-output")

    open_question(page, 3, "AUC of a tiny ranking")
    page.reload()
    page.wait_for_selector("#question-title:has-text('AUC of a tiny ranking')")
    open_question(page, 1, "Count pairs with a given sum")
    assert page.input_value("#custom-input") == "[[5, 0, 5], 5]"
    page.wait_for_selector("#run-output table.tests")
    assert "count_pairs([5, 0, 5], 5)" in page.inner_text("#run-output")

    if screen == "desktop":
        # The split follows a drag of the separator, and is remembered.
        handle = box(page, "#splitter")
        page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + 200)
        page.mouse.down()
        page.mouse.move(handle["x"] - 150, handle["y"] + 200, steps=5)
        page.mouse.up()
        dragged = int(page.get_attribute("#splitter", "aria-valuenow"))
        assert dragged < 42

    page.reload()
    page.wait_for_selector("#run-output table.tests")
    assert page.input_value("#custom-input") == "[[5, 0, 5], 5]"
    if screen == "desktop":
        assert int(page.get_attribute("#splitter", "aria-valuenow")) == dragged


@pytest.mark.django_db(transaction=True)
def test_an_edit_right_before_closing_the_page_is_saved(sized_page, screen, alice, template):
    page = sized_page
    session = start(page)
    open_question(page, 4, "Design a distributed cache")
    page.click("#text-editor .cm-content")
    page.keyboard.type("Shard by consistent hashing")
    page.close()  # at once: well inside the 0.8 s the page waits before saving
    answer = Answer.objects.get(session_question__session=session, session_question__position=4)
    for _ in range(50):
        answer.refresh_from_db()
        if answer.payload.get("text"):
            break
        time.sleep(0.1)
    assert answer.payload.get("text") == "Shard by consistent hashing"


@pytest.mark.django_db(transaction=True)
def test_warnings_at_five_minutes_and_at_one(sized_page, screen, alice, template):
    page = sized_page
    session = start(page)
    assert page.get_attribute("#countdown", "aria-live") is None
    assert page.get_attribute("#announcer", "aria-live") == "polite"

    InterviewSession.objects.filter(id=session.id).update(deadline=timezone.now() + timedelta(minutes=4, seconds=50))
    page.reload()
    page.wait_for_selector("#banner:has-text('5 minutes left')")
    page.wait_for_function("() => document.getElementById('announcer').textContent.includes('5 minutes left')")
    if screen == "phone":
        assert_fits_width(page)

    # Once a minute, the time left is said (the countdown itself is not a live region).
    InterviewSession.objects.filter(id=session.id).update(deadline=timezone.now() + timedelta(minutes=2, seconds=3))
    page.reload()
    page.wait_for_function("() => document.getElementById('announcer').textContent === '2 minutes left'", timeout=15_000)

    InterviewSession.objects.filter(id=session.id).update(deadline=timezone.now() + timedelta(seconds=50))
    page.reload()
    page.wait_for_selector("#banner:has-text('1 minute left')")
    page.wait_for_function("() => document.getElementById('announcer').textContent.includes('1 minute left')")
    assert "urgent" in page.get_attribute("#countdown", "class")


@pytest.mark.django_db(transaction=True)
def test_every_kind_of_question_is_accessible(sized_page, screen, alice, template):
    page = sized_page
    metric = Question.objects.get(slug="pick-metric").current_version
    metric.spec = {**metric.spec, "multiple": True, "correct": ["b", "c"]}
    metric.save()
    session = start(page)
    SessionQuestion.objects.filter(session=session, position=2).update(option_order=["c", "a", "b"])
    page.reload()
    page.wait_for_selector("#code-editor .cm-content")
    assert_accessible(page)
    if screen == "phone":
        assert_fits_width(page)

    # The editor is no Tab trap: Esc, then Tab leaves it.
    page.click("#code-editor .cm-content")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("() => !document.activeElement.closest('.cm-editor')")
    # Finish comes after the answer area in Tab order.
    order = page.evaluate(
        "() => [document.getElementById('answer-area'), document.getElementById('finish')]"
        ".map(n => [...document.querySelectorAll('*')].indexOf(n))"
    )
    assert order[0] < order[1]

    open_question(page, 2, "Pick a metric for rare positives")
    assert page.inner_text(".options legend") == MULTIPLE_RULE
    labels = [re.sub(r"\s+", " ", t).strip() for t in page.locator(".option").all_inner_texts()]
    assert labels == ["A. Mean squared error", "B. Accuracy", "C. Precision-recall AUC"]
    assert_accessible(page)

    open_question(page, 3, "AUC of a tiny ranking")
    assert_accessible(page)
    open_question(page, 4, "Design a distributed cache")
    assert_accessible(page)
    if screen == "phone":
        assert_fits_width(page)
