"""The interviewer's follow-up questions, in templates that opt in (``follow_ups``).

- A written answer is **submitted** (``written_answer_submit``), or its section's time
  runs out (``follow_ups_due``): it no longer changes, and the interviewer asks one or two
  follow-ups on its weakest criteria (grading/follow_up_services.py). With an LLM
  configured the questions are written in a worker (``follow_ups_ask_task``); the
  page shows "preparing" until they are there, and if the worker never comes the
  authored probes are asked.
- A coding answer gets one follow-up after an **accepted** submission in practice; in
  an assessment after the first submit, whatever it did, so that asking reveals nothing.
- Each follow-up has a time box on the server's clock (the template's
  ``follow_up_minutes``; a coding question's own ``minutes``), never past the
  interview's deadline. A reply saved in time counts; one after is kept as
  ``late_reply`` and never graded. When the box closes the state is decided
  (``follow_up_state``): answered, empty, late, or flagged (it tried to steer the grader).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.celery import enqueue_on_commit
from config.errors import ApplicationError, ConflictError, NotFoundError
from config.text import text_problem
from grading.follow_up_services import follow_ups_choose
from grading.follow_ups import coding_follow_up
from grading.models import Submission
from grading.rubric import injection_precheck
from interview.models import Answer, FollowUp, InterviewSession
from interview.services.answers import answer_store
from interview.services.sessions import GRACE_SECONDS
from questions.bank_format import Kind
from sandbox.jobs import Verdict

# Not asked when less than this is left of the interview: no one can reply in time.
MIN_SECONDS_TO_ASK = 30
# A reply is a few paragraphs at most.
MAX_REPLY_CHARS = 5000
# With an LLM writing the questions in a worker: after this long without them, the
# authored probes are asked (the worker or the broker is down).
WRITER_PATIENCE_SECONDS = 20


class FollowUpClosed(ApplicationError):
    code = "follow_up_closed"
    status_code = 409


def _grace() -> timedelta:
    return timedelta(seconds=GRACE_SECONDS)


def follow_up_is_open(follow_up: FollowUp, session: InterviewSession, *, now: datetime | None = None) -> bool:
    """Whether a reply is taken now: the interview is in progress and the box is not over."""
    now = now or timezone.now()
    return session.status == InterviewSession.Status.IN_PROGRESS and now <= follow_up.deadline + _grace()


def follow_up_state(follow_up: FollowUp, session: InterviewSession, *, now: datetime | None = None) -> str:
    """Open while a reply is taken; then answered, flagged, late or empty."""
    if follow_up_is_open(follow_up, session, now=now):
        return FollowUp.State.OPEN
    if follow_up.reply.strip():
        return FollowUp.State.FLAGGED if injection_precheck(follow_up.reply) else FollowUp.State.ANSWERED
    return FollowUp.State.LATE if follow_up.late_reply.strip() else FollowUp.State.EMPTY


def follow_ups_close(*, session: InterviewSession) -> None:
    """Records the state of every follow-up of a finished session (before its grading)."""
    for follow_up in FollowUp.objects.filter(answer__session_question__session=session):
        state = follow_up_state(follow_up, session)
        if state != follow_up.state:
            follow_up.state = state
            follow_up.save(update_fields=["state"])


# -- asking -----------------------------------------------------------------------------


def _follow_ups_create(answer: Answer, questions: list[dict[str, Any]], *, minutes: int, now: datetime) -> list[FollowUp]:
    session = answer.session_question.session
    deadline = min(now + timedelta(minutes=minutes), session.deadline)
    start = answer.follow_ups.count()
    return [
        FollowUp.objects.create(answer=answer, number=start + n, asked_at=now, deadline=deadline, **q)
        for n, q in enumerate(questions, start=1)
    ]


def _may_ask(session: InterviewSession, now: datetime) -> bool:
    return (
        session.template.follow_ups
        and session.status == InterviewSession.Status.IN_PROGRESS
        and (session.deadline - now).total_seconds() >= MIN_SECONDS_TO_ASK
    )


def follow_ups_ask(*, answer_id: int, use_llm: bool | None = None) -> list[FollowUp]:
    """Decides a submitted written answer's follow-ups and asks them (once: a second call
    returns what was asked). ``use_llm`` False: the authored probes, whatever is configured."""
    answer = Answer.objects.select_related(
        "session_question__question_version__question", "session_question__session__template"
    ).get(id=answer_id)
    if answer.follow_ups_asked_at is not None:
        return list(answer.follow_ups.all())
    session = answer.session_question.session
    text = (answer.payload or {}).get("text", "") or ""
    chosen = None
    if _may_ask(session, timezone.now()) and text.strip():
        # Outside the transaction: the local grader and the model take their time.
        chosen = follow_ups_choose(
            version=answer.session_question.question_version,
            text=text,
            organization=session.organization,
            candidate_id=session.candidate_id,
            answer_id=answer.id,
            use_llm=use_llm,
        )
    with transaction.atomic():
        answer = Answer.objects.select_for_update().select_related("session_question__session__template").get(id=answer_id)
        if answer.follow_ups_asked_at is not None:
            return list(answer.follow_ups.all())
        now = timezone.now()
        answer.follow_ups_asked_at = now
        answer.save(update_fields=["follow_ups_asked_at"])
        if chosen is None or not _may_ask(answer.session_question.session, now):
            return []
        questions = [
            {"source": chosen.source, "criterion_id": p.criterion_id, "criterion_name": p.criterion_name, "question": p.question}
            for p in chosen.probes
        ]
        return _follow_ups_create(answer, questions, minutes=session.template.follow_up_minutes, now=now)


def _follow_ups_start(answer: Answer) -> None:
    """Asks now (offline: the local grader and the authored probes take well under a
    second), or has a worker write the questions (an LLM is configured). Call it outside
    a transaction: the answer's row is not held while the questions are chosen."""
    from grading.rubric_services import llm_configured

    if llm_configured():
        from interview.tasks import follow_ups_ask_task

        enqueue_on_commit(follow_ups_ask_task, answer.id)
    else:
        follow_ups_ask(answer_id=answer.id)


def written_answer_submit(*, session: InterviewSession, position: int, payload: Any, revision: int | None) -> Answer:
    """The candidate submits a written answer (templates with follow-ups): it is stored as
    a save would store it, then it no longer changes and its follow-ups are asked."""
    if not session.template.follow_ups:
        raise ConflictError(
            "this interview asks no follow-up questions: written answers are saved as you type", code="follow_ups_off"
        )
    with transaction.atomic():
        answer = answer_store(session=session, position=position, payload=payload, revision=revision, kind=Kind.FREE_TEXT)
        submitted = bool(Answer.objects.filter(id=answer.id, submitted_at__isnull=True).update(submitted_at=timezone.now()))
    if submitted:
        _follow_ups_start(answer)
    return answer


def follow_ups_due(*, session: InterviewSession) -> None:
    """Asks what is due on a session now: written answers whose section's time ran out
    (submitted then, by the clock), and questions an LLM worker never wrote."""
    if not session.template.follow_ups or session.status != InterviewSession.Status.IN_PROGRESS:
        return
    now = timezone.now()
    written = Answer.objects.filter(
        session_question__session=session,
        session_question__question_version__question__kind=Kind.FREE_TEXT,
        follow_ups_asked_at__isnull=True,
    ).select_related("session_question")
    for answer in written:
        section_end = answer.session_question.section_deadline
        if answer.submitted_at is None and section_end is not None and now > section_end + _grace():
            if Answer.objects.filter(id=answer.id, submitted_at__isnull=True).update(submitted_at=section_end):
                _follow_ups_start(answer)  # the section's end stands as the time of submission
        elif answer.submitted_at is not None and (now - answer.submitted_at).total_seconds() > WRITER_PATIENCE_SECONDS:
            follow_ups_ask(answer_id=answer.id, use_llm=False)


def follow_ups_due_sweep() -> int:
    """``follow_ups_due`` for every session with something due (beat, with the expiry sweep)."""
    now = timezone.now()
    due = (
        Answer.objects.filter(
            session_question__session__status=InterviewSession.Status.IN_PROGRESS,
            session_question__session__template__follow_ups=True,
            session_question__question_version__question__kind=Kind.FREE_TEXT,
            follow_ups_asked_at__isnull=True,
        )
        .filter(
            Q(submitted_at__isnull=True, session_question__section_deadline__lt=now - _grace())
            | Q(submitted_at__lt=now - timedelta(seconds=WRITER_PATIENCE_SECONDS))
        )
        .values_list("session_question__session_id", flat=True)
        .distinct()
    )
    sessions = InterviewSession.objects.filter(id__in=list(due[:200])).select_related("template")
    for session in sessions:
        follow_ups_due(session=session)
    return len(sessions)


def _coding_follow_up_ask(answer: Answer) -> FollowUp | None:
    with transaction.atomic():
        answer = (
            Answer.objects.select_for_update()
            .select_related("session_question__question_version", "session_question__session__template")
            .get(id=answer.id)
        )
        now = timezone.now()
        probe = coding_follow_up(answer.session_question.question_version.spec)
        if answer.follow_ups_asked_at is not None or probe is None or not _may_ask(answer.session_question.session, now):
            return None
        answer.follow_ups_asked_at = now
        answer.save(update_fields=["follow_ups_asked_at"])
        minutes = answer.session_question.question_version.spec["follow_up"].get("minutes", 3)
        question = {
            "source": FollowUp.Source.CODING,
            "criterion_id": probe.criterion_id,
            "criterion_name": probe.criterion_name,
            "question": probe.question,
        }
        return _follow_ups_create(answer, [question], minutes=minutes, now=now)[0]


def coding_follow_up_after_submit(*, session: InterviewSession, position: int) -> FollowUp | None:
    """Assessments: the coding follow-up after the first submit, whatever the code did."""
    if session.mode != InterviewSession.Mode.ASSESSMENT or not session.template.follow_ups:
        return None
    answer = Answer.objects.filter(session_question__session=session, session_question__position=position).first()
    return _coding_follow_up_ask(answer) if answer is not None else None


def coding_follow_up_on_submission(*, submission_id: int) -> FollowUp | None:
    """Practice: a graded submission was accepted, so its question's follow-up is asked
    (once), if the submitted code is still the answer of an interview in progress."""
    submission = Submission.objects.filter(id=submission_id).first()
    if submission is None or submission.mode != Submission.Mode.SUBMIT or submission.verdict != Verdict.ACCEPTED:
        return None
    answer = (
        Answer.objects.filter(
            session_question__session__candidate_id=submission.user_id,
            session_question__session__status=InterviewSession.Status.IN_PROGRESS,
            session_question__session__mode=InterviewSession.Mode.PRACTICE,
            session_question__session__template__follow_ups=True,
            session_question__question_version_id=submission.question_version_id,
            follow_ups_asked_at__isnull=True,
        )
        .order_by("-id")
        .first()
    )
    if answer is None or answer.payload.get("source") != submission.source:
        return None
    return _coding_follow_up_ask(answer)


# -- replying ---------------------------------------------------------------------------


def follow_up_reply_save(*, session: InterviewSession, follow_up_id: int, text: Any, revision: int | None = None) -> FollowUp:
    """Saves the reply to a follow-up while its time box is open (revisions as for answers:
    an older save arriving late is ignored). After the box, the reply is kept as
    ``late_reply`` (nothing is lost) and FollowUpClosed says it will not be graded."""
    if not isinstance(text, str):
        raise ApplicationError("the reply must be text", code="invalid", fields={"text": ["must be a string"]})
    if len(text) > MAX_REPLY_CHARS:
        raise ApplicationError(
            f"the reply is over {MAX_REPLY_CHARS} characters",
            code="answer_too_large",
            status_code=413,
            fields={"text": ["too long"]},
        )
    problem = text_problem(text)
    if problem:
        raise ApplicationError(f"the reply {problem}", code="invalid", fields={"text": [problem]})
    now = timezone.now()
    closed: str | None = None
    with transaction.atomic():
        session = InterviewSession.objects.select_for_update().get(id=session.id)
        follow_up = (
            FollowUp.objects.select_for_update().filter(id=follow_up_id, answer__session_question__session=session).first()
        )
        if follow_up is None:
            raise NotFoundError("this interview has no such follow-up question")
        if not follow_up_is_open(follow_up, session, now=now):
            if text.strip() and text != follow_up.reply:
                follow_up.late_reply, follow_up.late_reply_at = text, now
                follow_up.save(update_fields=["late_reply", "late_reply_at"])
            closed = follow_up_state(follow_up, session, now=now)
        elif revision is None and text == follow_up.reply:
            return follow_up
        else:
            revision = follow_up.reply_revision + 1 if revision is None else revision
            if revision > follow_up.reply_revision:  # else an older save arriving late: the newer one stays
                follow_up.reply, follow_up.reply_revision, follow_up.reply_saved_at = text, revision, now
                follow_up.save(update_fields=["reply", "reply_revision", "reply_saved_at"])
    if closed is not None:
        # After the transaction: the late reply is kept.
        raise FollowUpClosed(
            f"Time for this follow-up ended at {follow_up.deadline:%H:%M:%S} UTC: your reply was kept, "
            "but only a reply saved in time is graded",
            fields={"state": [closed]},
        )
    return follow_up
