"""The practice results page in a real browser, at desktop and phone sizes: every question
with the answer beside the right one, options labelled as the candidate saw them, scores
explained in words, hidden tests by category, no stored names, and grades arriving on
their own while the page is open."""

from __future__ import annotations

import re

import pytest

from grading import services as grading_services
from interview import services
from interview.models import Answer, InterviewSession, SessionQuestion
from tests.interview.results_session import HALF_RIGHT, LEAKAGE_CORRECT, TEXT, results_template
from tests.web.browsing import assert_accessible, assert_fits_width, needs_chromium, screenshot, sign_in

__all__ = ["results_template"]

pytestmark = needs_chromium

# Stored names that must never reach the page's text.
STORED_NAMES = ("multiple_choice", "free_text", "wrong_answer", "time_limit_exceeded", "accepted", "python_dsa", "grade_status")


def _finished_practice(alice, template) -> tuple[InterviewSession, dict[str, SessionQuestion]]:
    """Answers every question and finishes; no worker runs, so the code and the text wait."""
    session = services.practice_start(candidate=alice, template=template)
    by_kind = {q.question_version.question.kind: q for q in session.questions.select_related("question_version__question")}
    order = by_kind["multiple_choice"].option_order
    right = [i for i in order if i in LEAKAGE_CORRECT][:2]
    wrong = [i for i in order if i not in LEAKAGE_CORRECT][:1]
    for kind, payload in (
        ("coding", {"source": HALF_RIGHT}),
        ("multiple_choice", {"selected": sorted(right + wrong)}),
        ("numeric", {"value": 0.8}),
        ("free_text", {"text": TEXT}),
    ):
        services.answer_save(session=session, position=by_kind[kind].position, payload=payload, revision=1)
    session = services.session_candidate_finish(session=session)
    return session, by_kind


def _grading_finishes(session: InterviewSession, by_kind: dict[str, SessionQuestion]) -> None:
    """The workers' part, done here while the page is open."""
    coding = Answer.objects.get(session_question=by_kind["coding"])
    grading_services.submission_run(submission_id=coding.submission_id, worker="test")
    services.answer_rubric_grade(answer_id=Answer.objects.get(session_question=by_kind["free_text"]).id)


def _page_text_outside_code(page) -> str:
    """The page's text without code (candidates' code and Python calls may hold underscores)."""
    return page.evaluate(
        """() => { const c = document.body.cloneNode(true);
            c.querySelectorAll("pre, code").forEach(e => e.remove());
            return c.innerText; }"""
    )


@pytest.mark.django_db(transaction=True)
def test_the_results_page_teaches_and_updates_itself(sized_page, screen, alice, results_template, settings):
    from config.celery import app

    settings.OPENAI_API_KEY = settings.OPENAI_BASE_URL = ""  # the local grader
    page = sized_page
    session, by_kind = _finished_practice(alice, results_template)
    sign_in(page, "alice@example.test")
    page.goto(f"/sessions/{session.id}/results/")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    coding = page.locator(f"#result-{by_kind['coding'].position}")
    choice = page.locator(f"#result-{by_kind['multiple_choice'].position}")
    numeric = page.locator(f"#result-{by_kind['numeric'].position}")
    written = page.locator(f"#result-{by_kind['free_text'].position}")
    assert "Grading…" in coding.inner_text() and "Waiting for the rubric grader" in written.inner_text()
    assert "Grading in progress" in page.inner_text("#results-summary")
    assert "updates by itself" in page.inner_text("#results-summary")

    # Every question shows its prompt.
    assert "Return how many index pairs" in coding.inner_text()
    assert "ROC AUC" in numeric.inner_text()

    # Options in the order the candidate saw them, labelled A, B, C…; picks and key in words.
    order = by_kind["multiple_choice"].option_order
    spec = {o["id"]: o["text"] for o in by_kind["multiple_choice"].question_version.spec["options"]}
    options = choice.locator(".choice")
    assert options.count() == 6
    for index, option_id in enumerate(order):
        option = options.nth(index)
        label = "ABCDEF"[index]
        assert option.locator(".choice-label").inner_text() == label
        assert " ".join(spec[option_id].split())[:60] in " ".join(option.locator(".choice-text").inner_text().split())
        marks = option.locator(".choice-marks").inner_text()
        picked = option_id in Answer.objects.get(session_question=by_kind["multiple_choice"]).payload["selected"]
        assert ("Your pick" in marks) == picked
        assert ("Correct" in marks) == (option_id in LEAKAGE_CORRECT)
        assert ("Not correct" in marks) == (picked and option_id not in LEAKAGE_CORRECT)
        assert ("Missed" in marks) == (option_id in LEAKAGE_CORRECT and not picked)
        # The explanation's part about this option sits under it, citing it by its label.
        assert option.locator(".choice-why").inner_text().startswith(f"({label}) ")
    card = choice.inner_text()
    assert "2 of 3 correct picks, 1 wrong → 33.33/100" in card
    assert "each wrong pick takes one share away" in card
    assert "- (a)" not in card and not re.search(r"\([a-f]\)", card)
    assert choice.locator(".explanation p").first.inner_text().startswith("Anything fitted on data")

    assert "Your 0.8 is outside the tolerance of 0.75 ± 0.01 → 0/100." in numeric.inner_text()
    assert "Outside tolerance" in numeric.inner_text() and "0.75 ± 0.01" in numeric.inner_text()

    # Grading finishes while the page is open: it updates without a reload.
    page.evaluate("() => { window.notReloaded = true; }")
    _grading_finishes(session, by_kind)
    page.wait_for_selector("#results-announce:has-text('Grading finished')", timeout=30_000)
    assert page.evaluate("() => window.notReloaded") is True
    assert not errors, errors
    session.refresh_from_db()
    assert session.score is not None
    summary = page.inner_text("#results-summary")
    assert "updates by itself" not in summary
    assert "The mean of your 4 question scores, each counting equally" in summary

    code = coding.inner_text()
    assert "66.67 / 100" in code
    assert "2 of 3 tests passed → 66.67/100 (each test counts equally)." in code
    assert "Wrong answer" in code
    example = coding.locator("table.tests tbody tr").first.inner_text()
    assert "example" in example and "count_pairs([1, 2, 3, 4], 5)" in example and "Passed" in example
    groups = coding.locator(".hidden-groups li")
    assert [groups.nth(i).inner_text().strip() for i in range(groups.count())] == [
        "✓ Edge cases: 1 of 1 passed",
        "✗ Repeated values: 0 of 1 passed (1 wrong answer)",
    ]
    assert "SECRET-hidden" not in page.content() and "[2, 2, 2]" not in page.content()
    assert "def count_pairs" in coding.locator("pre.code").inner_text()

    text = written.inner_text()
    assert "Weighted levels: Partitioning level" in text and "Rubric feedback" in text
    assert "consistent hashing over the nodes" in text  # the candidate's own text, beside the rubric

    visible = _page_text_outside_code(page)
    for name in STORED_NAMES:
        assert name not in visible, name
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", visible), re.findall(r"\b[a-z]+_[a-z_]+\b", visible)

    if screen == "phone":
        assert_fits_width(page)
    else:
        screenshot(page, "results.png", full_page=True)
    assert_accessible(page)
    app.control.purge()  # the tasks no worker took: the next test's worker must not find them
