"""The interviewer's follow-up questions on the interview page, in a real browser: a
practice "AI engineer screen (60 min)" from the real bank taken end to end (accepted code
gets its follow-up, a submitted design answer two), replies autosaved, panels that come
back on reload with their time left, time boxes that end on the server's clock and say so
in words, and no serious accessibility fault with the panels open, at a desktop's and a
phone's width. Offline: the follow-ups are the bank's authored probes."""

from __future__ import annotations

import importlib
import re
import shutil
from datetime import timedelta
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from interview import services
from interview.models import Answer, FollowUp, InterviewSession, InterviewTemplate, SessionQuestion, TemplateSection
from interview.services import invites
from questions.models import Question
from questions.services import bank_import
from tests.web.browsing import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_fits_width,
    needs_chromium,
    screenshot,
    sign_in,
    sweep,
)

pytestmark = needs_chromium

BANK = Path(__file__).resolve().parents[2] / "questions" / "bank"
# What the template's sections draw from (interview/migrations/0006): two medium coding
# questions (each import runs its reference, naive and wrong solutions: kept to two), every
# deep-learning multiple-choice question and every LLM design question of the real bank.
CODING = ["merge-intervals", "daily-temperatures"]
# The template's own draw (its seed migration), so the copied questions are the ones it draws.
DEEP_LEARNING_TOPICS = set(import_module("interview.migrations.0006_seed_ai_engineer_template").DEEP_LEARNING_TOPICS)
# A design answer that says little about anything: the interviewer probes its two weakest criteria.
VAGUE_DESIGN = "I would put the model behind an API and make sure it works well and is fast for users."
CODING_REPLY = "Sorting is O(n log n) and the sweep is O(n); the output takes O(n) space."
REPLIES = [
    "I would measure it offline on a labelled set first and then watch it online with dashboards.",
    "Requests that fail are retried once on a second provider and then cached for a short time.",
]


def _yaml_topics(folder: Path) -> tuple[str, set[str]]:
    text = (folder / "question.yaml").read_text()
    kind = re.search(r"^kind: (\S+)", text, re.M).group(1)
    topics = re.search(r"^topics: \[(.*)\]", text, re.M).group(1)
    return kind, {t.strip() for t in topics.split(",")}


@pytest.fixture
def ai_engineer_screen(db, tmp_path, settings) -> InterviewTemplate:
    """The public "AI engineer screen (60 min)" with the part of the real bank it draws from."""
    settings.OPENAI_API_KEY = settings.OPENAI_BASE_URL = ""  # offline: the local grader and the authored probes
    for slug in CODING:
        shutil.copytree(BANK / "python_dsa" / slug, tmp_path / "python_dsa" / slug)
    for track, kind, topics in (
        ("ml_fundamentals", "multiple_choice", DEEP_LEARNING_TOPICS),
        ("system_design", "free_text", {"llm"}),
    ):
        for folder in sorted((BANK / track).iterdir()):
            found_kind, found_topics = _yaml_topics(folder)
            if found_kind == kind and found_topics & topics:
                shutil.copytree(folder, tmp_path / track / folder.name)
    bank_import(root=tmp_path)
    # The template is a migration's row; a transactional test before this one may have
    # flushed it, so the migrations that make it (and opt it in) run again if so.
    if not InterviewTemplate.objects.filter(organization__isnull=True, slug="ai-engineer-screen").exists():
        importlib.import_module("interview.migrations.0006_seed_ai_engineer_template").seed(django_apps, None)
        importlib.import_module("interview.migrations.0008_ai_engineer_follow_ups").opt_in(django_apps, None)
    template = InterviewTemplate.objects.get(organization__isnull=True, slug="ai-engineer-screen")
    assert template.follow_ups and template.title == "AI engineer screen (60 min)"
    return template


def open_question(page, position: int) -> None:
    page.click(f"#question-list button[data-position='{position}']")
    page.wait_for_function(
        "(p) => document.querySelector('#question-list li.current button')?.dataset.position === String(p)", arg=position
    )


def set_code(page, source: str) -> None:
    """Puts the source in the editor as a paste would (no auto-indent of typed lines)."""
    page.click("#code-editor .cm-content")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(source)


def focused_text(page) -> str:
    return page.evaluate("() => document.activeElement ? document.activeElement.textContent : ''")


def wait_saved(page, follow_up_id: int) -> None:
    page.wait_for_selector(f"#follow-up-{follow_up_id}-status[data-state=saved]")


@pytest.mark.django_db(transaction=True)
def test_a_practice_ai_engineer_screen_with_follow_ups(page, alice, ai_engineer_screen, celery_worker):
    page.set_viewport_size(DESKTOP)
    sign_in(page, "alice@example.test")
    page.goto("/practice/")
    page.click(".card:has-text('AI engineer screen (60 min)') button:has-text('Start')")
    page.wait_for_selector("#code-editor .cm-content")
    session = InterviewSession.objects.get(candidate=alice)
    drawn = list(session.questions.select_related("question_version__question").order_by("position"))
    assert [q.question_version.question.kind for q in drawn] == ["coding"] + ["multiple_choice"] * 3 + ["free_text"]
    coding, *choices, design = drawn

    # Coding: the reference solution, submitted; the verdict, then the interviewer's follow-up under it.
    question = coding.question_version.question
    set_code(page, (BANK / question.track / question.slug / "solution.py").read_text())
    page.click("#submit")
    page.wait_for_selector("#run-output .run-summary .verdict.accepted", timeout=120_000)
    page.wait_for_selector("#follow-ups .follow-up h2:has-text('Follow-up on your solution')", timeout=20_000)
    coding_follow_up = FollowUp.objects.get(answer__session_question=coding)
    panel = page.locator(f"#follow-up-{coding_follow_up.id}")
    assert coding_follow_up.question in panel.inner_text()
    # It was asked right after the candidate's Submit: focus is on it, and it was said once.
    assert focused_text(page) == "Follow-up on your solution"
    page.wait_for_function(
        "() => document.getElementById('announcer').textContent.includes('follow-up question on your solution')"
    )
    assert re.fullmatch(r"0[34]:[0-5]\d", page.inner_text(f"#follow-up-{coding_follow_up.id}-clock"))
    assert "Time left" in panel.inner_text()
    page.fill(f"#follow-up-{coding_follow_up.id}-reply", CODING_REPLY)
    wait_saved(page, coding_follow_up.id)
    coding_follow_up.refresh_from_db()
    assert coding_follow_up.reply == CODING_REPLY
    assert_accessible(page)
    assert "follow-up open" in page.inner_text("#question-list li.current")

    # The three multiple-choice questions, each answered with its keyed options.
    for choice in choices:
        open_question(page, choice.position)
        correct = choice.question_version.spec["correct"]
        for option in [correct] if isinstance(correct, str) else correct:
            page.check(f"input[value='{option}']")
    page.wait_for_selector("#save-status[data-state=saved]")

    # The design answer: written, then submitted; it becomes read-only and two follow-ups come.
    open_question(page, design.position)
    assert page.locator("#submit-answer").is_visible()
    assert "the interviewer may ask a follow-up question or two" in page.inner_text("#submit-answer-note")
    page.click("#text-editor .cm-content")
    page.keyboard.type(VAGUE_DESIGN)
    page.click("#submit-answer")
    page.wait_for_selector("#follow-ups .follow-up >> nth=1")
    asked = list(FollowUp.objects.filter(answer__session_question=design).order_by("number"))
    assert [f.number for f in asked] == [1, 2]
    assert focused_text(page) == "Follow-up 1"
    page.wait_for_function("() => document.getElementById('announcer').textContent.includes('asked 2 follow-up questions')")
    assert page.locator("#submit-answer").count() == 0
    assert "Answer submitted at" in page.inner_text("#submitted-note")
    answer = Answer.objects.get(session_question=design)
    assert answer.payload["text"] == VAGUE_DESIGN and answer.submitted_at is not None
    assert page.get_attribute("#text-editor .cm-content", "aria-readonly") == "true"
    page.click("#text-editor .cm-content")
    page.keyboard.type(" more")
    assert page.inner_text("#text-editor .cm-content") == VAGUE_DESIGN
    for follow_up, reply in zip(asked, REPLIES, strict=True):
        assert follow_up.question in page.inner_text(f"#follow-up-{follow_up.id}")
        page.fill(f"#follow-up-{follow_up.id}-reply", reply)
        wait_saved(page, follow_up.id)
    assert [f.reply for f in FollowUp.objects.filter(answer__session_question=design).order_by("number")] == REPLIES

    # With the panels open: a reload brings them back as they were, and nothing is wrong
    # for axe at either width (sweep reloads the page).
    url = f"/sessions/{session.id}/"
    sweep(page, {"interview with follow-ups": url}, "desktop")
    screenshot(page, "interview-follow-ups.png")
    for follow_up, reply in zip(asked, REPLIES, strict=True):
        assert page.input_value(f"#follow-up-{follow_up.id}-reply") == reply
        assert re.fullmatch(r"0[0-3]:[0-5]\d", page.inner_text(f"#follow-up-{follow_up.id}-clock"))
    assert focused_text(page) != "Follow-up 1"  # a reload moves no focus, and announces nothing again
    assert "follow-up" not in page.inner_text("#announcer")
    page.set_viewport_size(PHONE)
    sweep(page, {"interview with follow-ups": url}, "phone")
    page.set_viewport_size(DESKTOP)

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#finish")
    page.wait_for_url("**/results/")
    session.refresh_from_db()
    assert session.status == "finished"
    assert dict(FollowUp.objects.filter(answer__session_question__session=session).values_list("id", "state")) == {
        f.id: FollowUp.State.ANSWERED for f in [coding_follow_up, *asked]
    }
    # The results page fills in the score once the worker has graded the code's follow-up
    # reply and the design answer.
    page.wait_for_function(
        "() => /^\\d/.test(document.getElementById('session-score').textContent.trim())", timeout=120_000, polling=500
    )
    assert page.locator(".result-card").count() == 5


@pytest.fixture
def follow_up_template(template, settings):
    """Mini loop (tests/data/bank) with follow-ups: design-cache (4) gets two on a vague answer."""
    settings.OPENAI_API_KEY = settings.OPENAI_BASE_URL = ""
    template.follow_ups = True
    template.save()
    return template


def start_mini_loop(page) -> InterviewSession:
    sign_in(page, "alice@example.test")
    page.goto("/practice/")
    page.click(".card:has-text('Mini loop') button:has-text('Start')")
    page.wait_for_selector("#code-editor .cm-content")
    return InterviewSession.objects.get(candidate__email="alice@example.test")


WEAK = "I would put a cache in front of the database so that reads are fast and the database is not overloaded."


@pytest.mark.django_db(transaction=True)
def test_a_follow_ups_time_box_ends_on_the_servers_clock_and_says_so(sized_page, screen, alice, follow_up_template):
    page = sized_page
    session = start_mini_loop(page)
    open_question(page, 4)
    page.click("#text-editor .cm-content")
    page.keyboard.type(WEAK)
    page.click("#submit-answer")
    page.wait_for_selector("#follow-ups .follow-up >> nth=1")
    first, second = FollowUp.objects.filter(answer__session_question__session=session).order_by("number")
    page.fill(f"#follow-up-{first.id}-reply", "Consistent hashing with virtual nodes.")
    wait_saved(page, first.id)
    assert_accessible(page)
    assert_fits_width(page)

    # The server's box closed while this page still counts down: the reply is kept, not
    # graded, and the page says so and takes no more.
    FollowUp.objects.filter(id=second.id).update(deadline=timezone.now() - timedelta(seconds=30))
    page.fill(f"#follow-up-{second.id}-reply", "LRU with TTLs")
    page.wait_for_selector(f"#follow-up-{second.id}-ended:has-text('your reply was kept')")
    assert "only a reply saved in time is graded" in page.inner_text(f"#follow-up-{second.id}-ended")
    assert page.get_attribute(f"#follow-up-{second.id}-reply", "readonly") is not None
    second.refresh_from_db()
    assert second.late_reply == "LRU with TTLs" and second.reply == ""

    # The first one's box ends a moment after a reload: read-only, and its state in words.
    FollowUp.objects.filter(id=first.id).update(deadline=timezone.now() + timedelta(seconds=4))
    page.reload()
    page.wait_for_selector(f"#follow-up-{first.id}")
    assert page.input_value(f"#follow-up-{first.id}-reply") == "Consistent hashing with virtual nodes."
    assert "came after its time limit" in page.inner_text(f"#follow-up-{second.id}-ended")
    page.wait_for_selector(
        f"#follow-up-{first.id}-ended:has-text('Time is up for this follow-up: your reply was saved.')", timeout=15_000
    )
    assert page.get_attribute(f"#follow-up-{first.id}-reply", "readonly") is not None
    assert page.inner_text(f"#follow-up-{first.id}-clock") == "00:00"
    page.wait_for_function("() => document.getElementById('announcer').textContent.includes('your reply was saved')")
    assert_accessible(page)
    assert_fits_width(page)


@pytest.mark.django_db(transaction=True)
def test_an_empty_follow_up_box_and_an_answer_with_no_follow_up(page, alice, follow_up_template):
    session = start_mini_loop(page)
    open_question(page, 4)
    page.click("#submit-answer")  # nothing written: nothing to ask about
    page.wait_for_selector("#follow-ups-status:has-text('No follow-up questions on this answer.')")
    assert page.locator(".follow-up").count() == 0
    assert Answer.objects.get(session_question__session=session, session_question__position=4).submitted_at is not None


@pytest.mark.django_db(transaction=True)
def test_while_the_interviewer_writes_the_follow_ups_the_page_waits_for_them(
    page, alice, follow_up_template, settings, monkeypatch
):
    # An LLM is configured but its worker never comes: the page says the interviewer is
    # reading, reads the session again, and shows the authored probes the server then asks.
    from interview.services import follow_ups

    settings.OPENAI_API_KEY = "test-key-not-real"
    monkeypatch.setattr(follow_ups, "enqueue_on_commit", lambda *args, **kwargs: None)
    monkeypatch.setattr(follow_ups, "WRITER_PATIENCE_SECONDS", 3)
    start_mini_loop(page)
    open_question(page, 4)
    page.click("#text-editor .cm-content")
    page.keyboard.type(WEAK)
    page.click("#submit-answer")
    page.wait_for_selector("#follow-ups-status:has-text('The interviewer is reading your answer…')")
    assert focused_text(page).startswith("Answer submitted at")
    page.wait_for_selector("#follow-ups .follow-up >> nth=1", timeout=20_000)
    assert page.locator("#follow-ups-status").count() == 0
    # The candidate pressed Submit and typed nowhere since: focus goes to the first one.
    assert focused_text(page) == "Follow-up 1"


@pytest.mark.django_db(transaction=True)
def test_without_follow_ups_a_written_answer_has_no_submit(page, alice, template):
    start_mini_loop(page)
    open_question(page, 4)
    page.wait_for_selector("#text-editor .cm-content")
    assert page.locator("#submit-answer").count() == 0
    assert page.locator("#follow-ups").count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_sections_end_submits_the_written_answer_and_its_follow_ups_appear(page, alice, follow_up_template):
    session = start_mini_loop(page)
    open_question(page, 4)
    page.click("#text-editor .cm-content")
    page.keyboard.type(WEAK)
    page.wait_for_selector("#save-status[data-state=saved]")
    SessionQuestion.objects.filter(session=session, position=4).update(section_deadline=timezone.now() + timedelta(seconds=3))
    page.reload()
    page.wait_for_selector("#submit-answer")
    # The section's time runs out: its answer no longer changes, the rest of the interview goes on.
    page.wait_for_selector("#banner:has-text('Time is up for the section')", timeout=10_000)
    assert page.locator("#submit-answer").count() == 0
    assert page.get_attribute("#text-editor .cm-content", "aria-readonly") == "true"
    # The server submits it then, and the interviewer asks; nobody pressed Submit, so focus stays.
    page.wait_for_selector("#follow-ups .follow-up >> nth=1", timeout=20_000)
    assert "Answer submitted at" in page.inner_text("#submitted-note")
    assert focused_text(page) not in ("Follow-up 1", "Follow-up 2")
    assert InterviewSession.objects.get(id=session.id).status == "in_progress"
    open_question(page, 2)
    assert not page.is_disabled("input[value=b]")


@pytest.mark.django_db(transaction=True)
def test_in_an_assessment_the_coding_follow_up_comes_right_after_submit(sized_page, screen, alice, bob, bank, settings):
    settings.OPENAI_API_KEY = settings.OPENAI_BASE_URL = ""
    page = sized_page
    template = InterviewTemplate.objects.create(
        organization=bob.organization, slug="acme-screen", title="Acme screen", total_minutes=30, follow_ups=True
    )
    TemplateSection.objects.create(template=template, position=1, title="Code").questions.add(
        Question.objects.get(slug="sum-pairs")
    )
    _, token = invites.assessment_invite_create(invited_by=bob, template=template, email=alice.email)
    session = services.assessment_start(token=token, candidate=alice)
    sign_in(page, alice.email)
    page.goto(f"/sessions/{session.id}/")
    page.wait_for_selector("#code-editor .cm-content")
    assert page.locator("#follow-ups .follow-up").count() == 0
    # Whatever the code does: asking after every first submit reveals nothing about it.
    set_code(page, "def count_pairs(nums, target):\n    return 0\n")
    page.click("#submit")
    page.wait_for_selector("#run-output:has-text('It will be graded when the interview ends')")
    page.wait_for_selector("#follow-ups .follow-up h2:has-text('Follow-up on your solution')")
    follow_up = FollowUp.objects.get(answer__session_question__session=session)
    assert focused_text(page) == "Follow-up on your solution"
    page.fill(f"#follow-up-{follow_up.id}-reply", "O(n) time with a counter, O(n) space.")
    wait_saved(page, follow_up.id)
    assert_accessible(page)
    assert_fits_width(page)
