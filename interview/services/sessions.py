"""A session's life: start (practice or assessment), the one rule for whether work is
taken, and the end (by the candidate, or when time runs out), which grades every answer."""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User, WebhookEvent
from accounts.services import invite_lock
from config import metrics
from config.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError
from interview import events, signals
from interview.models import Answer, AssessmentInvite, InterviewSession, InterviewTemplate, SessionQuestion
from interview.services.scoring import answer_grade, session_score_update
from interview.services.templates import template_draw
from questions.bank_format import Kind
from questions.models import QuestionVersion

# Saves that left the browser just before the deadline still count.
GRACE_SECONDS = 5


class SessionClosed(ApplicationError):
    code = "session_closed"
    status_code = 409


class SectionClosed(SessionClosed):
    """The question's section is over; the interview goes on (its other sections)."""

    code = "section_closed"


# -- starting ----------------------------------------------------------------------


def _session_create(
    *, candidate: User, template: InterviewTemplate, mode: str, invite: AssessmentInvite | None
) -> InterviewSession:
    now = timezone.now()
    rng = random.Random(secrets.randbits(64))
    drawn = template_draw(template, rng)
    session = InterviewSession(
        candidate=candidate,
        template=template,
        mode=mode,
        invite=invite,
        organization=invite.organization if invite is not None else None,
        started_at=now,
        deadline=now + timedelta(minutes=template.total_minutes),
    )
    session.save()
    section_ends: dict[int, Any] = {}
    elapsed = now
    for section in template.sections.all():
        if section.minutes:
            elapsed = elapsed + timedelta(minutes=section.minutes)
            section_ends[section.id] = min(elapsed, session.deadline)
    for position, (section, version) in enumerate(drawn, start=1):
        options = []
        if version.question.kind == Kind.MULTIPLE_CHOICE:
            options = [o["id"] for o in version.spec["options"]]
            if version.spec.get("shuffle", True):
                rng.shuffle(options)
        question = SessionQuestion.objects.create(
            session=session,
            position=position,
            section_title=section.title,
            section_deadline=section_ends.get(section.id),
            question_version=version,
            option_order=options,
        )
        Answer.objects.create(session_question=question, payload=_initial_payload(version))
    return session


def _initial_payload(version: QuestionVersion) -> dict[str, Any]:
    if version.question.kind == Kind.CODING:
        return {"source": version.spec["starter"]}
    return {}


def practice_start(*, candidate: User, template: InterviewTemplate) -> InterviewSession:
    """Starts a practice session of a public template (or resumes none: one at a time)."""
    if template.organization_id is not None or not template.is_active:
        raise NotFoundError("no such template")
    try:
        with transaction.atomic():
            return _session_create(candidate=candidate, template=template, mode=InterviewSession.Mode.PRACTICE, invite=None)
    except IntegrityError:
        existing = InterviewSession.objects.filter(
            candidate=candidate, template=template, status="in_progress", mode="practice"
        ).first()
        raise ConflictError(
            "you already have this interview in progress",
            code="session_in_progress",
            fields={"session": [str(existing.id) if existing else ""]},
        ) from None


def assessment_start(*, token: str, candidate: User) -> InterviewSession:
    """Starts the assessment an invite is for. A link works once, before it expires,
    for the invited email only."""
    with transaction.atomic():
        invite = invite_lock(AssessmentInvite.objects.all(), token, what="this assessment link")
        if candidate.email.lower() != invite.email.lower():
            raise ForbiddenError(f"this assessment is for {invite.email}; sign in with that address", code="invite_wrong_account")
        invite.used_at = timezone.now()
        invite.save(update_fields=["used_at"])
        return _session_create(
            candidate=candidate, template=invite.template, mode=InterviewSession.Mode.ASSESSMENT, invite=invite
        )


# -- the rule for work, and the clock ----------------------------------------------


def _grace() -> timedelta:
    return timedelta(seconds=GRACE_SECONDS)


def session_time_is_up(session: InterviewSession, *, now: datetime | None = None) -> bool:
    """Whether the interview's own deadline (plus the grace for saves in flight) has passed."""
    return (now or timezone.now()) > session.deadline + _grace()


def session_accepts_work(
    session: InterviewSession, question: SessionQuestion | None = None, *, now: datetime | None = None
) -> None:
    """The one rule for whether work on ``question`` (or on the interview) is taken now.

    Save, run and submit ask this: the interview is in progress, its deadline plus a
    few seconds' grace has not passed, and neither has the question's section
    deadline. Raises SessionClosed, saying which, otherwise. Finishing and the expiry
    sweep ask its clock half, ``session_time_is_up`` (the sweep as a query).
    """
    now = now or timezone.now()
    if session.status != InterviewSession.Status.IN_PROGRESS:
        if session.finish_reason == InterviewSession.FinishReason.EXPIRED:
            raise SessionClosed(
                f"Time is up: the interview ended at {session.deadline:%H:%M:%S} UTC, so this answer was not saved"
            )
        raise SessionClosed("this interview is finished; answers can no longer change")
    if session_time_is_up(session, now=now):
        raise SessionClosed("Time is up: this answer arrived after the deadline")
    if question is not None and question.section_deadline and now > question.section_deadline + _grace():
        raise SectionClosed("Time is up for this section: this answer was not saved; the interview goes on")


def session_expire_if_due(session: InterviewSession) -> InterviewSession:
    """Finalizes a session whose time is up (on access, and from a periodic task)."""
    if session.status == InterviewSession.Status.IN_PROGRESS and session_time_is_up(session):
        session_finish(session_id=session.id, reason=InterviewSession.FinishReason.EXPIRED)
        session.refresh_from_db()
    return session


def session_candidate_finish(*, session: InterviewSession) -> InterviewSession:
    """The candidate ends the interview. Once time is up it ended by expiry, whoever asks."""
    if session.status == InterviewSession.Status.IN_PROGRESS:
        reason = InterviewSession.FinishReason.EXPIRED if session_time_is_up(session) else InterviewSession.FinishReason.CANDIDATE
        session_finish(session_id=session.id, reason=reason)
        session.refresh_from_db()
    return session


# -- finishing -----------------------------------------------------------------------


def session_finish(*, session_id: int, reason: str) -> InterviewSession | None:
    """Closes a session and grades the last saved answer to every question. Idempotent."""
    with transaction.atomic():
        closed = InterviewSession.objects.filter(id=session_id, status=InterviewSession.Status.IN_PROGRESS).update(
            status=InterviewSession.Status.FINISHED, finished_at=timezone.now(), finish_reason=reason
        )
        if not closed:
            return None
        events.session_event_emit(session_id=session_id, event=WebhookEvent.SESSION_FINISHED)
        from interview.services.follow_ups import follow_ups_close

        follow_ups_close(session=InterviewSession.objects.get(id=session_id))
        answers = Answer.objects.filter(session_question__session_id=session_id).select_related(
            "session_question__question_version__question", "session_question__session__candidate"
        )
        for answer in answers:
            answer_grade(answer)
        session_score_update(session_id=session_id)
        signals.session_finished.send(sender=InterviewSession, session_id=session_id)
    metrics.session_finished(reason)
    return InterviewSession.objects.get(id=session_id)


def sessions_finalize_expired() -> list[int]:
    """Finishes every session whose deadline passed, grading the saved answers."""
    # session_time_is_up, as a query.
    due = InterviewSession.objects.filter(
        status=InterviewSession.Status.IN_PROGRESS, deadline__lt=timezone.now() - _grace()
    ).values_list("id", flat=True)
    finished = []
    for session_id in list(due):
        if session_finish(session_id=session_id, reason=InterviewSession.FinishReason.EXPIRED):
            finished.append(session_id)
    return finished
