"""Grading an interview's answers: each kind is sent to the grading core, and each result
is recorded on its answer and in the session's score.

- Multiple choice and numeric: scored at once (grading/objective.py).
- Coding: a graded submission (grading/services.py); its end arrives as the signal
  ``submission_finished`` (interview/receivers.py → ``answer_submission_finished``).
- Written: queued for the rubric grader (``answer_rubric_grade_task``); each stored grade,
  and each recruiter override, arrives as ``rubric_grade_stored`` (→ ``answer_rubric_grade_apply``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.models import WebhookEvent
from config.celery import enqueue_on_commit
from config.errors import ApplicationError
from config.notify import notify_publish_on_commit
from grading import objective, rubric_services
from grading import services as grading_services
from grading.models import AnswerGrade, Submission
from interview import events
from interview.models import Answer, FollowUp, InterviewSession
from questions.bank_format import Kind

# A coding follow-up's reply that is graded: one answered in time, or (in an assessment,
# for a recruiter to see) one that tried to steer the grader.
_FOLLOW_UP_TO_GRADE = Q(state=FollowUp.State.ANSWERED) | Q(
    state=FollowUp.State.FLAGGED, answer__session_question__session__organization__isnull=False
)


def answer_grade(answer: Answer) -> None:
    """Grades a finished interview's answer, or sends it to be graded (then it is pending)."""
    version = answer.session_question.question_version
    kind = version.question.kind
    if kind in (Kind.MULTIPLE_CHOICE, Kind.NUMERIC):
        scorer = objective.multiple_choice_grade if kind == Kind.MULTIPLE_CHOICE else objective.numeric_grade
        result = scorer(version.spec, answer.payload)
        answer.score, answer.feedback = result.score, result.feedback
        answer.grade_status = Answer.GradeStatus.GRADED
    elif kind == Kind.CODING:
        _coding_answer_grade(answer)
        if answer.follow_ups.filter(_FOLLOW_UP_TO_GRADE).exists():
            from interview.tasks import follow_up_grade_task

            enqueue_on_commit(follow_up_grade_task, answer.id)
    else:
        from interview.tasks import answer_rubric_grade_task

        answer.grade_status = Answer.GradeStatus.PENDING
        # The grader may be a paid, slow API: it runs in a worker after this commits.
        # If the broker is down, the answer stays pending and answers_rubric_grade_requeue queues it.
        enqueue_on_commit(answer_rubric_grade_task, answer.id)
    answer.save(update_fields=["score", "feedback", "grade_status", "submission"])


def _coding_answer_grade(answer: Answer) -> None:
    version = answer.session_question.question_version
    source = answer.payload.get("source", "")
    if not source.strip() or source == version.spec["starter"]:
        answer.score = 0.0
        answer.feedback = {"message": "no code was written"}
        answer.grade_status = Answer.GradeStatus.GRADED
        return
    session = answer.session_question.session
    answer.submission = grading_services.submission_create(
        user=session.candidate,
        question=version.question,
        source=source,
        mode=Submission.Mode.SUBMIT,
        version=version,
        visible_to_author=session.mode == InterviewSession.Mode.PRACTICE,
    )
    answer.grade_status = Answer.GradeStatus.PENDING


# -- written answers: the rubric grader ------------------------------------------------


def answer_rubric_grade(*, answer_id: int) -> AnswerGrade:
    """Has a written answer graded to its question's rubric (the work of
    ``answer_rubric_grade_task``); the grade reaches the answer through ``rubric_grade_stored``.

    Raises the grading core's LlmUnavailable (the answer stays pending, never 0) and BudgetExhausted.
    """
    answer = Answer.objects.select_related(
        "session_question__question_version__question", "session_question__session__organization"
    ).get(id=answer_id)
    session = answer.session_question.session
    exchange, reasons = _exchange(answer)
    return rubric_services.rubric_grade(
        answer_id=answer.id,
        version=answer.session_question.question_version,
        text=answer.payload.get("text", "") or "",
        organization=session.organization,
        candidate_id=session.candidate_id,
        exchange=exchange,
        extra_reasons=reasons,
    )


def _exchange(answer: Answer) -> tuple[list[dict[str, Any]], list[str]]:
    """The follow-ups answered in time, for the grader; and, in an assessment, why a
    person should look (a reply that tried to steer the grader is never graded)."""
    exchange, reasons = [], []
    for follow_up in answer.follow_ups.all():
        if follow_up.state == FollowUp.State.ANSWERED:
            exchange.append({"criterion_id": follow_up.criterion_id, "question": follow_up.question, "reply": follow_up.reply})
        elif follow_up.state == FollowUp.State.FLAGGED and answer.session_question.session.organization_id:
            reasons.append(f"the reply to follow-up {follow_up.number} tried to steer the grader; it was not graded")
    return exchange, reasons


def answer_follow_up_grade(*, answer_id: int) -> AnswerGrade | None:
    """Has the reply to a coding answer's follow-up graded against its rubric (the work
    of ``follow_up_grade_task``). The code's score stays the tests': the follow-up's
    grade is shown beside it, for the recruiter to read and override."""
    answer = Answer.objects.select_related(
        "session_question__question_version__question", "session_question__session__organization"
    ).get(id=answer_id)
    session = answer.session_question.session
    follow_up = answer.follow_ups.filter(_FOLLOW_UP_TO_GRADE).first()
    if follow_up is None:
        return None
    reasons = []
    if follow_up.state == FollowUp.State.FLAGGED:
        if session.organization_id is None:
            return None  # practice: a steering reply is not graded, and no one reviews
        reasons.append("the reply to the coding follow-up tried to steer the grader")
    return rubric_services.follow_up_grade(
        answer_id=answer.id,
        version=answer.session_question.question_version,
        question=follow_up.question,
        reply=follow_up.reply,
        code=(answer.payload or {}).get("source", ""),
        organization=session.organization,
        candidate_id=session.candidate_id,
        extra_reasons=reasons,
    )


def answer_rubric_grade_waiting(*, answer_id: int, status: str, message: str) -> None:
    """Says on the answer why it has no grade yet (the grader is down, the budget is spent)."""
    Answer.objects.filter(id=answer_id).update(feedback={"status": status, "message": message})


def answer_rubric_grade_apply(*, answer_id: int, grade_id: int) -> None:
    """Records a rubric grade (the machine's, or with a recruiter's overrides) on its answer."""
    answer = Answer.objects.select_related("session_question__question_version").get(id=answer_id)
    grade = AnswerGrade.objects.prefetch_related("overrides").get(id=grade_id, answer_id=answer_id)
    if grade.part == rubric_services.FOLLOW_UP_PART:
        # A coding follow-up's grade: beside the tests' score, never in it (answer_follow_up_grade);
        # the results page, waiting for it, hears of it.
        notify_publish_on_commit(session_grading_channel(answer.session_question.session_id))
        return
    rubric = answer.session_question.question_version.spec
    score = rubric_services.grade_score(grade, rubric)
    levels = rubric_services.effective_levels(grade)
    answer.score = score
    answer.grade_status = Answer.GradeStatus.GRADED if score is not None else Answer.GradeStatus.PENDING
    answer.feedback = {
        "grade_id": grade.id,
        "grader": grade.grader,
        "provisional": grade.grader == "local",
        "confidence": grade.confidence,
        "status": grade.status,
        "review_reasons": grade.review_reasons,
        "criteria": [
            {
                **c,
                "name": next((r["name"] for r in rubric["criteria"] if r["id"] == c["id"]), c["id"]),
                "effective_level": levels.get(c["id"]),
            }
            for c in grade.criteria
        ],
    }
    answer.save(update_fields=["score", "grade_status", "feedback"])
    session_score_update(session_id=answer.session_question.session_id)


def answer_regrade(*, answer_id: int) -> None:
    """Grades a written answer again (after a rubric or prompt change); its grades stay on record.

    Queued now, not on commit: no sweep re-queues an answer that has a grade, so if the
    broker refuses, the answer keeps its grade and the caller hears so (503).
    """
    from interview.tasks import answer_rubric_grade_task

    previous = Answer.objects.filter(id=answer_id).values_list("grade_status", flat=True).first()
    Answer.objects.filter(id=answer_id).update(grade_status=Answer.GradeStatus.PENDING)
    try:
        answer_rubric_grade_task.delay(answer_id, regrade=True)
    except Exception as exc:
        Answer.objects.filter(id=answer_id).update(grade_status=previous)
        raise ApplicationError(
            "the regrade could not be queued; the current grade stands. Try again in a minute.",
            code="queue_unavailable",
            status_code=503,
        ) from exc


def answers_rubric_grade_pending() -> list[int]:
    """Written answers of finished interviews that still have no grade (their task was lost)."""
    return list(
        Answer.objects.filter(
            grade_status=Answer.GradeStatus.PENDING,
            session_question__session__status=InterviewSession.Status.FINISHED,
            session_question__question_version__question__kind=Kind.FREE_TEXT,
            grades__isnull=True,
        ).values_list("id", flat=True)[:200]
    )


def answers_follow_up_grade_pending() -> list[int]:
    """Coding answers of finished interviews whose answered follow-up has no grade yet
    (their task was lost)."""
    return list(
        Answer.objects.filter(
            session_question__session__status=InterviewSession.Status.FINISHED,
            session_question__question_version__question__kind=Kind.CODING,
        )
        .filter(
            Q(follow_ups__state=FollowUp.State.ANSWERED)
            | Q(follow_ups__state=FollowUp.State.FLAGGED, session_question__session__organization__isnull=False)
        )
        .exclude(grades__part=rubric_services.FOLLOW_UP_PART)
        .values_list("id", flat=True)
        .distinct()[:200]
    )


# -- coding answers: the graded submission -----------------------------------------------


def answer_submission_finished(*, submission_id: int) -> None:
    """A coding answer's graded submission ended: record its score (none if it failed for good)."""
    answer = Answer.objects.filter(submission_id=submission_id).select_related("session_question", "submission").first()
    if answer is None:
        return
    submission = answer.submission
    answer.score = submission.score if submission.status == Submission.Status.FINISHED else None
    answer.feedback = {"verdict": submission.verdict}
    answer.grade_status = Answer.GradeStatus.GRADED if answer.score is not None else Answer.GradeStatus.PENDING
    answer.save(update_fields=["score", "feedback", "grade_status"])
    session_score_update(session_id=answer.session_question.session_id)


# -- the session's score -------------------------------------------------------------------


def session_grading_channel(session_id: int) -> str:
    """The channel (config/notify.py) on which a change to a session's grades is announced
    to the results page's long poll."""
    return f"session-grading:{session_id}"


def session_score_update(*, session_id: int) -> None:
    """The session's score: the mean of its questions' scores, once all are graded.

    Called after each answer's grade changes: the change is announced, once committed,
    on ``session_grading_channel``."""
    notify_publish_on_commit(session_grading_channel(session_id))
    answers = list(Answer.objects.filter(session_question__session_id=session_id).values_list("grade_status", "score"))
    if answers and all(status == Answer.GradeStatus.GRADED for status, _ in answers):
        score = round(sum(score or 0.0 for _, score in answers) / len(answers), 2)
        # Conditional, so that of two graders finishing at once only one announces the score.
        if InterviewSession.objects.filter(id=session_id, score__isnull=True).update(score=score):
            events.session_event_emit(session_id=session_id, event=WebhookEvent.SESSION_GRADED)
        else:
            InterviewSession.objects.filter(id=session_id).update(score=score)
