"""The bank, single-question practice, the progress page and the home page's next step,
in a real browser at a desktop and a phone size."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from interview import services
from interview.models import InterviewSession
from questions.models import Question
from tests.web.browsing import assert_accessible, assert_fits_width, needs_chromium, screenshot, sign_in

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def bank_titles(page) -> list[str]:
    return [t.strip() for t in page.locator(".bank-table td.bank-title a").all_inner_texts()]


def practised(candidate, slug: str, payload: dict, *, days_ago: int) -> InterviewSession:
    session = services.practice_start_question(candidate=candidate, question=Question.objects.get(slug=slug))
    services.answer_save(session=session, position=1, payload=payload, revision=1)
    services.session_candidate_finish(session=session)
    InterviewSession.objects.filter(id=session.id).update(finished_at=timezone.now() - timedelta(days=days_ago))
    return session


def test_the_bank_shows_human_names_and_sorts_difficulty_easy_to_hard(sized_page, screen, alice, bank):
    page = sized_page
    sign_in(page, "alice@example.test")
    page.goto("/questions/")
    table = page.inner_text(".bank-table")
    for name in ("Python / DSA", "ML fundamentals", "System design", "Coding", "Multiple choice", "Numeric", "Written"):
        assert name in table
    assert not re.search(r"python_dsa|ml_fundamentals|multiple_choice|free_text", page.inner_text("main"))
    page.select_option("select[name=sort]", "hardest")
    page.click(".bank-filters button[type=submit]")
    page.wait_for_url("**sort=hardest**")
    assert bank_titles(page) == [
        "Design a distributed cache",
        "AUC of a tiny ranking",
        "Count pairs with a given sum",
        "Pick a metric for rare positives",
    ]
    difficulties = page.locator(".bank-table .difficulty").all_inner_texts()
    assert difficulties == ["Hard", "Medium", "Easy", "Easy"]
    assert_fits_width(page)
    assert_accessible(page)
    if screen == "phone":
        # A card per question: the title and its practise button, no sideways scroll.
        box = page.locator(".bank-table tr").nth(1).bounding_box()
        assert box is not None and box["width"] <= 390
        screenshot(page, "bank-phone.png", full_page=True)
    else:
        screenshot(page, "bank.png")


def test_a_new_search_starts_from_clean_filters_and_an_empty_one_offers_to_clear(sized_page, alice, bank):
    page = sized_page
    sign_in(page, "alice@example.test")
    page.goto("/questions/")
    page.select_option("select[name=track]", "ml_fundamentals")
    page.click(".bank-filters button[type=submit]")
    page.wait_for_url("**track=ml_fundamentals**")
    assert page.inner_text("#bank-count") == "2 questions"
    assert "Track: ML fundamentals" in page.inner_text(".bank-summary")

    page.fill("#bank-search-input", "cache")
    with page.expect_navigation():
        page.press("#bank-search-input", "Enter")
    assert page.url.endswith("/questions/?search=cache"), page.url
    assert bank_titles(page) == ["Design a distributed cache"]
    assert page.input_value("select[name=track]") == ""

    # Keeping the filters is a choice; the empty result says what was searched and offers a way out.
    page.select_option("select[name=track]", "ml_fundamentals")
    page.click(".bank-filters button[type=submit]")
    page.wait_for_selector("#bank-empty")
    assert "Nothing matches “cache” with Track: ML fundamentals." in page.inner_text("#bank-empty")
    assert_accessible(page)
    assert_fits_width(page)
    page.click("#bank-empty a:has-text('Clear filters')")
    page.wait_for_selector(".bank-table")
    assert bank_titles(page) == ["Design a distributed cache"]

    # Ticking "Keep my filters" searches within them.
    page.select_option("select[name=kind]", "numeric")
    page.click(".bank-filters button[type=submit]")
    page.wait_for_selector("#bank-empty")
    page.fill("#bank-search-input", "metric")
    page.check("#keep-filters")
    with page.expect_navigation():
        page.press("#bank-search-input", "Enter")
    assert bank_titles(page) == ["AUC of a tiny ranking"]
    assert "Kind: Numeric" in page.inner_text(".bank-summary")


def test_a_single_question_practice_starts_from_the_bank_and_resumes(sized_page, screen, alice, bank):
    page = sized_page
    sign_in(page, "alice@example.test")
    page.goto("/questions/")
    row = page.locator(".bank-table tr", has_text="AUC of a tiny ranking")
    button = row.locator("button")
    assert "Practise" in button.inner_text() and "5 min" in button.inner_text()
    button.click()
    page.wait_for_url(re.compile(r"/sessions/\d+/$"))
    page.wait_for_selector("#question-title:has-text('AUC of a tiny ranking')")
    session = InterviewSession.objects.get(candidate=alice)
    assert session.questions.count() == 1 and session.deadline - session.started_at == timedelta(minutes=5)
    page.fill("#numeric-answer", "0.75")
    page.wait_for_selector("#save-status[data-state=saved]")

    # From the question's own page, the same button resumes it, the answer kept.
    page.goto(f"/questions/{Question.objects.get(slug='auc-value').id}/")
    assert_accessible(page)
    assert_fits_width(page)
    page.click("#practise-question")
    page.wait_for_url(f"**/sessions/{session.id}/")
    page.wait_for_selector("#question-title:has-text('AUC of a tiny ranking')")
    assert page.input_value("#numeric-answer") == "0.75"
    assert InterviewSession.objects.filter(candidate=alice).count() == 1


def test_progress_after_two_practices_shows_history_chart_weak_topics_and_suggestions(sized_page, screen, alice, bank):
    practised(alice, "pick-metric", {"selected": ["a"]}, days_ago=2)  # 0 on metrics, class imbalance
    practised(alice, "auc-value", {"value": 0.75}, days_ago=1)  # 100 on metrics
    page = sized_page
    sign_in(page, "alice@example.test")
    page.goto("/practice/")
    page.click("#progress-link")
    page.wait_for_url("**/progress/")

    history = page.locator("#history .history-row")
    assert history.count() == 2
    assert "AUC of a tiny ranking" in history.nth(0).inner_text() and "100" in history.nth(0).inner_text()
    assert "Pick a metric for rare positives" in history.nth(1).inner_text()

    chart = page.locator("#track-chart-figure svg[role=img]")
    assert chart.is_visible()
    assert page.locator("#track-chart-title").text_content() == "Your average score per track, session by session"
    assert "ML fundamentals: 0 on" in page.locator("#track-chart-desc").text_content()
    page.click("#track-chart-figure summary")
    table = page.inner_text("#track-chart-figure table")
    assert "ML fundamentals" in table and "100" in table

    weakest = page.locator("#weakest li")
    assert weakest.nth(0).locator(".topic-name").inner_text() == "Class imbalance"
    assert "from 1 question" in weakest.nth(0).inner_text()
    assert "Metrics" in weakest.nth(1).inner_text() and "50" in weakest.nth(1).inner_text()

    suggestions = page.locator("#practise-next .suggestion")
    texts = suggestions.all_inner_texts()
    assert "Pick a metric for rare positives" in texts[0] and "Try again" in texts[0]
    unseen = [t for t in texts if "New to you" in t]
    assert any("Count pairs with a given sum" in t for t in unseen)
    assert not any("Acme" in t for t in texts)

    assert_fits_width(page)
    assert_accessible(page)
    page.select_option("#topic-select", "weakest")
    page.click(".topic-choice button")
    page.wait_for_url("**topics=weakest**")
    assert page.locator("#topic-chart-figure svg").is_visible()
    if screen == "desktop":
        page.goto("/progress/")
        screenshot(page, "progress.png", full_page=True)
    else:
        screenshot(page, "progress-phone.png", full_page=True)

    # One click on a suggestion starts it.
    page.locator("#practise-next .suggestion", has_text="Count pairs with a given sum").locator("button").click()
    page.wait_for_url(re.compile(r"/sessions/\d+/$"))
    page.wait_for_selector("#question-title:has-text('Count pairs with a given sum')")


def test_a_new_candidate_gets_a_first_step_on_home_and_an_invitation_on_progress(sized_page, screen, alice, bank):
    page = sized_page
    sign_in(page, "alice@example.test")
    page.goto("/")
    step = page.locator("#next-step")
    assert "Start your first practice" in step.inner_text()
    assert_fits_width(page)
    assert_accessible(page)
    if screen == "desktop":
        screenshot(page, "home-first-step.png")

    page.goto("/progress/")
    empty = page.locator("#progress-empty")
    assert empty.is_visible() and "Start your first practice interview" in empty.inner_text()
    assert page.locator("svg.chart").count() == 0
    assert page.locator("#practise-next .suggestion").count() >= 1
    assert_fits_width(page)
    assert_accessible(page)
    if screen == "desktop":
        screenshot(page, "progress-empty.png")
    page.click("#first-practice")
    page.wait_for_url("**/practice/")

    # The home page's quick start: one short question, then "continue" while it runs.
    page.goto("/")
    page.click("#next-step button")
    page.wait_for_url(re.compile(r"/sessions/\d+/$"))
    page.goto("/")
    assert "Pick up where you left off" in page.inner_text("#next-step")
    page.click("#next-step a:has-text('Continue your practice')")
    page.wait_for_url(re.compile(r"/sessions/\d+/$"))
