"""The seeded demo cohort shows what the issue promises: a cohort, a copier flagged, pastes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from grading.models import Submission
from grading.services import submission_run
from interview.demo import DEMO_QUESTIONS
from interview.models import Answer, AssessmentInvite, InterviewSession
from interview.services import answer_rubric_grade
from questions.services import bank_import
from review.models import SimilarityFlag
from review.similarity_services import answer_similarity_check

BANK = Path(__file__).resolve().parents[2] / "questions" / "bank"


@pytest.fixture
def demo(db, client_for):
    for track, slug in DEMO_QUESTIONS:
        bank_import(root=BANK / track / slug)
    call_command("seed_demo", stdout=io.StringIO())
    # What the worker does after each finished interview.
    for submission in Submission.objects.filter(status=Submission.Status.QUEUED):
        submission_run(submission_id=submission.id, worker="test")
    for answer in Answer.objects.filter(grade_status="pending", session_question__question_version__question__kind="free_text"):
        answer_rubric_grade(answer_id=answer.id)
    for answer in Answer.objects.filter(session_question__question_version__question__kind__in=["coding", "free_text"]):
        answer_similarity_check(answer_id=answer.id)


def test_the_demo_cohort_is_graded_ranked_and_flags_the_copier(demo, client_for, django_user_model):
    sessions = {s.candidate.email: s for s in InterviewSession.objects.select_related("candidate")}
    assert set(sessions) == {"priya@example.test", "sam@example.test", "lee@example.test", "kim@example.test"}
    assert all(s.status == "finished" and s.score is not None for s in sessions.values())
    assert sessions["priya@example.test"].score > sessions["lee@example.test"].score > sessions["kim@example.test"].score
    assert AssessmentInvite.objects.filter(email="noor@example.test", used_at=None).exists()

    code_flags = SimilarityFlag.objects.filter(kind="code")
    pairs = {
        frozenset((f.answer_a.session_question.session.candidate.email, f.answer_b.session_question.session.candidate.email))
        for f in code_flags
    }
    assert pairs == {frozenset(("priya@example.test", "sam@example.test"))}
    assert SimilarityFlag.objects.filter(kind="text").count() == 1  # Sam copied Priya's design too

    recruiter = django_user_model.objects.get(email="recruiter@acme.test")
    report = client_for(recruiter).get(f"/api/reports/{sessions['sam@example.test'].id}/").json()
    # Sam copied Priya's code and the first 900 characters of her design: full marks on the
    # code, the choice and the number, fewer on the shortened design. So he is second of four.
    score = {email.split("@")[0]: s.score for email, s in sessions.items()}
    assert score["priya"] > score["sam"] > score["lee"] > score["kim"]
    # The mid-rank percentile: the share of the cohort (Sam included) scoring below him,
    # counting equal scores (his own) as half: (2 + 1/2) / 4 = 62.5.
    cohort = list(score.values())
    below = sum(s < score["sam"] for s in cohort)
    equal = sum(s == score["sam"] for s in cohort)
    assert (below, equal) == (2, 1)
    assert report["cohort"] == {
        "size": 4,
        "median": round((score["sam"] + score["lee"]) / 2, 2),  # the two middle scores of four
        "percentile": 62.5,
    }
    assert report["cohort"]["percentile"] == round(100 * (below + equal / 2) / len(cohort), 1)
    assert any(f["other_candidate"] == "priya@example.test" for f in report["integrity"]["similarity_flags"])
    assert report["integrity"]["events"]["pastes"] == 2 and report["integrity"]["events"]["focus_losses"] == 2
    assert {s["kind"] for s in report["integrity"]["events"]["signals"]} == {"answer_mostly_pasted"}
    assert [q["minutes_spent"] for q in report["questions"]] == [17.0, 3.0, 6.0, 19.0]

    call_command("seed_demo", stdout=io.StringIO())
    assert InterviewSession.objects.count() == 4  # idempotent
