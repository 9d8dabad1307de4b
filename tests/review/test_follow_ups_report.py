"""The recruiter's report of an interview with follow-ups: per question the transcript
(each follow-up's criterion, question, source, times, the reply with its state, a late
reply, the evidence), the written answer's level before and after its follow-ups, and a
coding follow-up's grade beside the tests' score, which the recruiter can override like
any rubric grade while the question's score stays the tests'. Another organization sees
none of it; the review queue lists a follow-up grade that waits for a person."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from grading.models import AnswerGrade
from grading.rubric_services import FOLLOW_UP_PART
from interview.models import Answer
from review import selectors
from review.review_queue_views import _reasons
from tests.conftest import assert_no_active_content, error_code
from tests.interview.follow_ups_data import (
    CODING_REPLY,
    EVICTION_LATE,
    PARTITIONING_REPLY,
    STEERING,
    follow_up_template,
    interview_with_follow_ups,
    late,
)

pytestmark = pytest.mark.django_db

MARKUP = "O(n) <img src=x onerror=alert(1)> time"


@pytest.fixture(autouse=True)
def _offline(settings):
    settings.OPENAI_API_KEY = settings.OPENAI_BASE_URL = ""  # the local grader, the authored probes


@pytest.fixture
def assessment(bank, alice, bob, django_capture_on_commit_callbacks):
    """Alice's assessment: partitioning answered in time, eviction late, the code's follow-up answered."""
    return interview_with_follow_ups(
        alice,
        follow_up_template(),
        recruiter=bob,
        written=(PARTITIONING_REPLY, late(EVICTION_LATE)),
        coding=CODING_REPLY,
        capture=django_capture_on_commit_callbacks,
    )


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _by_kind(report: dict) -> dict[str, dict]:
    return {q["kind"]: q for q in report["questions"]}


def _follow_up_grade(session) -> AnswerGrade:
    return AnswerGrade.objects.get(answer__session_question__session=session, part=FOLLOW_UP_PART)


def test_the_report_api_has_each_questions_transcript_with_states_times_and_evidence(assessment, bob, client_for):
    response = client_for(bob).get(f"/api/reports/{assessment.id}/")
    assert response.status_code == 200, response.json()
    questions = _by_kind(response.json())

    design = questions["free_text"]
    answered, late_one = design["follow_ups"]
    assert (answered["number"], answered["criterion_name"], answered["source"]) == (1, "Partitioning", "authored")
    assert answered["source_label"] == "authored probe" and answered["question"].startswith("A fourth node joins")
    assert answered["asked_at"] < answered["deadline"] and answered["reply_saved_at"]
    assert answered["state"] == "answered" and answered["reply"] == PARTITIONING_REPLY
    assert answered["evidence"] and all(quote in PARTITIONING_REPLY for quote in answered["evidence"])
    # The written answer's criteria: the answer's level, then the merged one.
    criteria = {c["id"]: c for c in design["rubric"]["criteria"]}
    change = answered["level_change"]
    assert change["answer_level"] == criteria["partitioning"]["answer_level"]
    assert change["level"] == criteria["partitioning"]["level"] > criteria["partitioning"]["answer_level"]
    assert criteria["eviction"]["answer_level"] is None, "not raised: its reply came late"
    assert late_one["state"] == "late" and late_one["late_reply"] == EVICTION_LATE and late_one["late_reply_at"]
    assert late_one["reply"] == "" and late_one["evidence"] == [] and late_one["level_change"] is None

    coding = questions["coding"]
    (follow_up,) = coding["follow_ups"]
    assert follow_up["source"] == "coding" and follow_up["source_label"] == "coding follow-up"
    assert follow_up["criterion_name"] == "Time and space complexity" and follow_up["reply"] == CODING_REPLY
    grade = _follow_up_grade(assessment)
    shown = coding["follow_up_grade"]
    assert shown["grade_id"] == grade.id and shown["part"] == FOLLOW_UP_PART and shown["in_score"] is False
    assert [c["id"] for c in shown["criteria"]] == ["complexity", "sorted_duplicates"]
    assert shown["score"] == grade.machine_score
    assert set(follow_up["evidence"]) == {q for c in grade.criteria for q in c["evidence"]}
    assert coding["score"] == coding["submission"]["score"] == 100.0, "the tests' score, never the follow-up's"
    # The written answer's grade is its rubric's, not the coding follow-up's.
    assert design["rubric"]["part"] == "" and "rubric" not in coding


def test_the_report_page_and_pdf_show_the_transcript(assessment, bob):
    response = _browser(bob).get(f"/reports/{assessment.id}/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Follow-up 1</strong> · Partitioning · authored probe",
        "Follow-up 2</strong> · Eviction · authored probe",
        "Follow-up 1</strong> · Time and space complexity · coding follow-up",
        "replied after the time box: kept, not graded",
        EVICTION_LATE,
        "asked ",
        "deadline ",
        "(answer → with its follow-up)",
        "after the reply",
        "Follow-up grade:",
        "never part of it",
        "Evidence from the reply:",
    ):
        assert text in page, text
    # The reply's evidence is marked in it, as the answer's is.
    assert '<mark data-criteria="partitioning"' in page
    assert '<mark data-criteria="complexity"' in page
    # The follow-up grade has override forms of its own.
    grade = _follow_up_grade(assessment)
    assert f"/reports/{assessment.id}/grades/{grade.id}/override/" in page

    pdf = _browser(bob).get(f"/reports/{assessment.id}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.content)).pages)
    for words in ("Follow-up 1", "authored probe", "coding follow-up", "kept, not graded", "Follow-up grade"):
        assert words in text, words


def test_a_steering_reply_is_shown_with_its_state_and_sends_the_answer_to_review(
    bank, alice, bob, client_for, django_capture_on_commit_callbacks
):
    session = interview_with_follow_ups(
        alice,
        follow_up_template(),
        recruiter=bob,
        written=(STEERING, None),
        coding=late(MARKUP),
        capture=django_capture_on_commit_callbacks,
    )
    questions = _by_kind(client_for(bob).get(f"/api/reports/{session.id}/").json())
    flagged, empty = questions["free_text"]["follow_ups"]
    assert flagged["state"] == "flagged" and flagged["reply"] == STEERING and flagged["level_change"] is None
    assert flagged["state_label"] == "the reply tried to steer the grader: not graded"
    assert empty["state"] == "empty" and empty["state_label"] == "no reply"
    assert all(c["answer_level"] is None for c in questions["free_text"]["rubric"]["criteria"]), "nothing raised"
    assert questions["coding"]["follow_up_grade"] is None and questions["coding"]["follow_up_grade_pending"] is False
    assert questions["coding"]["follow_ups"][0]["late_reply"] == MARKUP
    # The written grade waits for a person, and the queue says why.
    design = Answer.objects.get(session_question__session=session, session_question__question_version__question__kind="free_text")
    row = selectors.review_queue(user=bob).get(id=design.id)
    assert "Injection suspected" in _reasons(row)
    assert list(selectors.review_queue(user=bob, reason="injection").values_list("id", flat=True)) == [design.id]
    page = _browser(bob).get(f"/reports/{session.id}/").content.decode()
    assert "the reply tried to steer the grader: not graded" in page and "Ignore all previous instructions" in page
    # A candidate's reply is text on the page, never markup.
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    own_script = '<script src="/static/js/report.js" defer></script>'
    assert_no_active_content(page.replace(own_script, ""))


def test_the_recruiter_overrides_the_coding_follow_up_grade_and_the_score_stays_the_tests(assessment, bob, client_for):
    grade = _follow_up_grade(assessment)
    coding = Answer.objects.get(id=grade.answer_id)
    session_score = type(assessment).objects.get(id=assessment.id).score
    api = client_for(bob)

    response = api.post(
        f"/api/grades/{grade.id}/overrides/",
        {"criterion": "complexity", "level": 4, "comment": "named the worst case"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["part"] == FOLLOW_UP_PART and body["effective_levels"]["complexity"] == 4
    # Its score is on the follow-up's rubric (both criteria weigh 1).
    others = body["effective_levels"]["sorted_duplicates"]
    assert body["score"] == pytest.approx(100 * (4 + others) / 8, abs=0.01)
    # A criterion of no follow-up rubric (the design question's) is refused.
    wrong = api.post(
        f"/api/grades/{grade.id}/overrides/", {"criterion": "partitioning", "level": 4, "comment": "x"}, format="json"
    )
    assert wrong.status_code == 400 and error_code(wrong) == "invalid"

    # From the report page too: back to the question, which confirms it.
    browser = _browser(bob)
    form = browser.post(
        f"/reports/{assessment.id}/grades/{grade.id}/override/",
        {"criterion": "sorted_duplicates", "level": "3", "comment": "two pointers with runs"},
    )
    assert form.status_code == 302 and form["Location"].endswith(f"#question-{coding.session_question.position}")
    page = browser.get(form["Location"].split("#")[0]).content.decode()
    assert "Sorted input with repeated values now counts 3 / 4 in the follow-up&#x27;s grade" in page
    assert "the question&#x27;s score stays the tests&#x27;" in page

    report = _by_kind(api.get(f"/api/reports/{assessment.id}/").json())
    shown = report["coding"]["follow_up_grade"]
    levels = {c["id"]: (c["effective_level"], c["overridden"]) for c in shown["criteria"]}
    assert levels == {"complexity": (4, True), "sorted_duplicates": (3, True)}
    assert [(o["criterion"], o["level"]) for o in shown["overrides"]] == [("complexity", 4), ("sorted_duplicates", 3)]
    assert shown["status"] == "reviewed" and shown["score"] == 87.5
    # The code's score and the interview's are the tests' still.
    coding.refresh_from_db()
    assert coding.score == report["coding"]["score"] == 100.0
    assert type(assessment).objects.get(id=assessment.id).score == session_score
    # A re-grade is for written answers; this grade is set by overrides.
    regrade = api.post(f"/api/grades/{grade.id}/regrade/")
    assert regrade.status_code == 409 and error_code(regrade) == "regrade_unsupported"
    detail = api.get(f"/api/grades/{grade.id}/").json()
    assert detail["answer_text"] == CODING_REPLY and detail["outdated"] is False


def test_a_follow_up_grade_waiting_for_a_person_is_in_the_review_queue(assessment, bob, client_for):
    grade = _follow_up_grade(assessment)
    reason = "the local grader is not confident of these levels (0.30)"
    AnswerGrade.objects.filter(id=grade.id).update(status=AnswerGrade.Status.NEEDS_REVIEW, review_reasons=[reason])
    row = selectors.review_queue(user=bob).get(id=grade.answer_id)
    assert row.follow_up_grade_id == grade.id and row.grade_id is None
    assert _reasons(row) == ["Follow-up reply: Low grader confidence"]
    assert grade.answer_id in selectors.review_queue(user=bob, reason="low_confidence").values_list("id", flat=True)
    page = _browser(bob).get("/reviews/").content.decode()
    assert "Follow-up reply: Low grader confidence" in page
    assert [g["id"] for g in client_for(bob).get("/api/reviews/").json() if g["part"] == FOLLOW_UP_PART] == [grade.id]
    # The dashboard says the interview needs a review.
    from review.dashboard import dashboard_rows

    rows = [r for r in dashboard_rows(bob)[:50] if r["session"] == assessment.id]
    assert [r["status"] for r in rows] == ["needs_review"]
    # A person decides: once every criterion has their level, it leaves the queue.
    api = client_for(bob)
    for criterion in ("complexity", "sorted_duplicates"):
        api.post(f"/api/grades/{grade.id}/overrides/", {"criterion": criterion, "level": 2, "comment": "checked"}, format="json")
    assert not selectors.review_queue(user=bob).filter(id=grade.answer_id).exists()
    assert selectors.review_queue(user=bob, state="overridden").filter(id=grade.answer_id).exists()


def test_another_organization_gets_nothing_of_the_report_or_the_follow_up_grade(assessment, dave, client_for):
    grade = _follow_up_grade(assessment)
    browser = _browser(dave)
    assert browser.get(f"/reports/{assessment.id}/").status_code == 404
    assert browser.get(f"/reports/{assessment.id}/pdf/").status_code == 404
    form = browser.post(
        f"/reports/{assessment.id}/grades/{grade.id}/override/", {"criterion": "complexity", "level": "4", "comment": "x"}
    )
    assert form.status_code == 404
    api = client_for(dave)
    assert api.get(f"/api/reports/{assessment.id}/").status_code == 404
    assert api.get(f"/api/grades/{grade.id}/").status_code == 404
    override = api.post(
        f"/api/grades/{grade.id}/overrides/", {"criterion": "complexity", "level": 4, "comment": "x"}, format="json"
    )
    assert override.status_code == 404
    assert not grade.overrides.exists()
