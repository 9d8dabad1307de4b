"""What a candidate reads of the interviewer's follow-ups once the interview is over.

Practice: each answer's transcript (the answer, then each follow-up's question and the
reply, or its state in words: no reply, a late reply kept but not graded, a reply that
tried to steer the grader), what a written reply did to its criterion ("level 1 → 3
after your reply") with the reply's quotes, and a coding follow-up's own grade, never
part of the score. Never the grader's reasoning or the rubric's key points.
Assessments: nothing, on any page the candidate can open.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from grading.local_grader import LocalGrader
from grading.models import AnswerGrade
from grading.rubric_services import FOLLOW_UP_PART, effective_levels
from interview.models import Answer, FollowUp
from tests.conftest import error_code
from tests.interview.follow_ups_data import (
    CODING_REPLY,
    EVICTION_LATE,
    PARTITIONING_REPLY,
    STEERING,
    WEAK,
    follow_up_template,
    interview_with_follow_ups,
    late,
)

pytestmark = pytest.mark.django_db

# follow_up_template's questions by kind (the theory section's order may vary).
CODING, DESIGN = "coding", "free_text"


@pytest.fixture(autouse=True)
def _offline(settings):
    settings.OPENAI_API_KEY = settings.OPENAI_BASE_URL = ""  # the local grader, the authored probes


def _results(client_for, user, session) -> dict:
    response = client_for(user).get(f"/api/sessions/{session.id}/results/")
    assert response.status_code == 200, response.json()
    return response.json()


def _page(user, session) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/sessions/{session.id}/results/")
    assert response.status_code == 200
    return response.content.decode()


def _grader_internals(text: str) -> list[str]:
    """What of the grader's own words or the rubric's key points a text holds."""
    # The last: from the coding follow-up's reference reply, which stays with the graders.
    words = ("reasoning", "Local grader (", "key_points", "One pass with a counter of the values seen so far")
    return [word for word in words if word in text]


def test_practice_results_show_each_answer_with_its_follow_ups_replies_and_level_changes(
    bank, alice, client_for, django_capture_on_commit_callbacks
):
    session = interview_with_follow_ups(
        alice,
        follow_up_template(),
        written=(PARTITIONING_REPLY, late(EVICTION_LATE)),
        coding=CODING_REPLY,
        capture=django_capture_on_commit_callbacks,
    )
    results = _results(client_for, alice, session)
    by_kind = {q["kind"]: q for q in results["questions"]}

    # The written answer: the reply in time raised partitioning, in words, with its quotes.
    design = by_kind[DESIGN]
    answered, late_one = design["follow_ups"]
    assert answered["label"] == "Follow-up 1" and answered["question"].startswith("A fourth node joins")
    assert answered["state"] == "answered" and answered["reply"] == PARTITIONING_REPLY
    criteria = {c["id"]: c for c in design["feedback"]["criteria"]}
    before, after = criteria["partitioning"]["answer_level"], criteria["partitioning"]["level"]
    assert after > before
    assert answered["change"] == f"Partitioning: level {before} → {after} after your reply"
    assert answered["evidence"] and all(quote in PARTITIONING_REPLY for quote in answered["evidence"])
    # The late reply is kept and shown, not graded: eviction keeps the answer's own level.
    assert late_one["state"] == "late" and late_one["late_reply"] == EVICTION_LATE and late_one["reply"] == ""
    assert late_one["state_label"] == "Replied after the time box — kept, not graded"
    assert "follow_up" not in criteria["eviction"]
    own = _own_levels(session)
    assert criteria["eviction"]["level"] == own["eviction"]
    assert late_one["change"] == f"Eviction: stays at level {own['eviction']}; this reply changed nothing"
    # The reply's own reasoning stays with the recruiter, as the answer's does.
    assert "reasoning" not in criteria["partitioning"]["follow_up"]
    assert criteria["partitioning"]["follow_up"]["evidence"] == answered["evidence"]

    # The code: its follow-up's grade beside the tests' score, never in it.
    coding = by_kind[CODING]
    (follow_up,) = coding["follow_ups"]
    assert follow_up["state"] == "answered" and follow_up["reply"] == CODING_REPLY and not follow_up["pending"]
    grade = AnswerGrade.objects.get(answer_id=_answer_id(session, CODING), part=FOLLOW_UP_PART)
    shown = coding["follow_up_grade"]
    assert {c["id"]: c["level"] for c in shown["criteria"]} == effective_levels(grade)
    assert [c["name"] for c in shown["criteria"]] == ["Time and space complexity", "Sorted input with repeated values"]
    assert all(c["strong"] or c["level"] == 0 for c in shown["criteria"]) and all("stronger" in c for c in shown["criteria"])
    assert all(quote in CODING_REPLY for c in shown["criteria"] for quote in c["evidence"])
    assert shown["note"].startswith("Not part of the score") and shown["score"] == grade.machine_score
    assert coding["score"] == 100.0, "the tests' score alone"
    assert results["score"] == round(sum(q["score"] for q in results["questions"]) / 3, 2)
    assert results["graded"] is True and results["follow_ups_pending"] is False
    assert coding["follow_ups_state"] == f"graded:{grade.id}"

    # Never the grader's internals, in the payload or on the page.
    assert _grader_internals(json.dumps(results)) == []
    page = _page(alice, session)
    assert _grader_internals(page) == []
    for text in (
        "Follow-up 1:",
        "Partitioning: level",
        "after your reply",
        "Replied after the time box — kept, not graded",
        EVICTION_LATE,
        "Not part of the score",
        "Time and space complexity",
    ):
        assert text in page, text
    assert 'data-graded="true"' in page


def test_an_empty_or_steering_reply_is_said_in_words_and_raises_nothing(
    bank, alice, client_for, django_capture_on_commit_callbacks
):
    session = interview_with_follow_ups(
        alice, follow_up_template(), written=(STEERING, None), coding=None, capture=django_capture_on_commit_callbacks
    )
    results = _results(client_for, alice, session)
    by_kind = {q["kind"]: q for q in results["questions"]}
    flagged, empty = by_kind[DESIGN]["follow_ups"]
    assert flagged["state"] == "flagged" and flagged["reply"] == STEERING  # nothing the candidate wrote is lost
    assert flagged["state_label"] == "This reply tried to instruct the grader, so it was not graded"
    assert empty["state"] == "empty" and empty["state_label"] == "No reply"
    assert not flagged["evidence"] and not empty["evidence"]
    # Neither reply changed a level: the answer's own levels, and its own score.
    own = _own_levels(session)
    criteria = by_kind[DESIGN]["feedback"]["criteria"]
    assert {c["id"]: c["level"] for c in criteria} == own
    assert all("follow_up" not in c and "answer_level" not in c for c in criteria)
    assert flagged["change"] == f"Partitioning: stays at level {own['partitioning']}; this reply changed nothing"
    # The code's follow-up had no reply: nothing to grade, nothing pending.
    coding = by_kind[CODING]
    assert [f["state"] for f in coding["follow_ups"]] == ["empty"]
    assert coding["follow_up_grade"] is None and coding["follow_ups_state"] == "none"
    assert not AnswerGrade.objects.filter(part=FOLLOW_UP_PART).exists()
    assert results["follow_ups_pending"] is False and coding["score"] == 100.0

    page = _page(alice, session)
    assert "This reply tried to instruct the grader, so it was not graded" in page
    assert "No reply" in page and "Ignore all previous instructions" in page
    assert _grader_internals(page) == []


def test_the_page_waits_for_a_coding_follow_up_still_being_graded(bank, alice, client_for, django_capture_on_commit_callbacks):
    session = interview_with_follow_ups(
        alice, follow_up_template(), capture=django_capture_on_commit_callbacks, grade_follow_up=False
    )
    results = _results(client_for, alice, session)
    coding = next(q for q in results["questions"] if q["kind"] == CODING)
    assert coding["follow_up_grade"] is None and coding["follow_ups_state"] == "pending"
    assert coding["follow_ups"][0]["pending"] is True
    # The score is final (the follow-up is never in it), but the page keeps polling for the grade.
    assert results["graded"] is True and results["follow_ups_pending"] is True
    page = _page(alice, session)
    assert 'data-graded="false"' in page and "Your reply is being graded." in page
    assert 'data-follow-ups="pending"' in page


def test_an_assessment_candidate_sees_nothing_of_the_follow_ups(bank, alice, bob, client_for, django_capture_on_commit_callbacks):
    session = interview_with_follow_ups(
        alice,
        follow_up_template(),
        recruiter=bob,
        written=(PARTITIONING_REPLY, STEERING),
        capture=django_capture_on_commit_callbacks,
    )
    assert FollowUp.objects.filter(answer__session_question__session=session).count() == 3
    assert AnswerGrade.objects.filter(answer__session_question__session=session, part=FOLLOW_UP_PART).exists()
    response = client_for(alice).get(f"/api/sessions/{session.id}/results/")
    assert response.status_code == 403 and error_code(response) == "results_hidden"
    page = _page(alice, session)  # the "thank you" page, for an assessment
    for secret in ("Follow-up", "Partitioning", "level", "steer", "instruct the grader", "Not part of the score", "/ 100"):
        assert secret not in page, secret


def _answer_id(session, kind: str) -> int:
    return Answer.objects.get(session_question__session=session, session_question__question_version__question__kind=kind).id


def _own_levels(session) -> dict[str, int]:
    """The design answer's levels on its own, without any follow-up."""
    spec = Answer.objects.get(id=_answer_id(session, DESIGN)).session_question.question_version.spec
    return {c.id: c.level for c in LocalGrader(spec).grade(WEAK, precheck=[]).criteria}
