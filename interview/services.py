"""Writes for interviews: start, save answers against the server's clock, finish and grade."""

from __future__ import annotations

import logging
import math
import random
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts import webhooks
from accounts.models import User, invite_token_hash
from accounts.services import invite_lock
from config import metrics
from config.celery import enqueue_on_commit
from config.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError
from grading.models import Submission
from interview.models import (
    Answer,
    AssessmentInvite,
    IntegrityEvent,
    InterviewSession,
    InterviewTemplate,
    SessionQuestion,
    TemplateSection,
)
from questions.bank_format import Kind
from questions.models import Question, QuestionVersion

log = logging.getLogger(__name__)

# Saves that left the browser just before the deadline still count.
GRACE_SECONDS = 5
MAX_CODE_BYTES = 64 * 1024
MAX_TEXT_CHARS = 20_000
# Integrity events: a batch is what the page sends every few seconds; the per-session
# cap keeps a hostile client from filling the database (a real assessment makes a few
# hundred at most). Event times are the browser's clock corrected by the offset it
# measured against ours; anything further off than the slack is not from this session.
MAX_EVENTS_PER_BATCH = 100
MAX_EVENTS_PER_SESSION = 2000
EVENT_CLOCK_SLACK = timedelta(minutes=2)


class SessionClosed(ApplicationError):
    code = "session_closed"
    status_code = 409


# -- templates ---------------------------------------------------------------------


def _draw_pool(section: TemplateSection, organization_id: int | None) -> list[Question]:
    questions = Question.objects.filter(current_version__isnull=False).filter(
        Q(organization__isnull=True) | Q(organization_id=organization_id)
    )
    if section.draw_track:
        questions = questions.filter(track=section.draw_track)
    if section.draw_kind:
        questions = questions.filter(kind=section.draw_kind)
    if section.draw_difficulty:
        questions = questions.filter(current_version__difficulty=section.draw_difficulty)
    if section.draw_topics:
        questions = questions.filter(current_version__topics__slug__in=section.draw_topics)
    return list(questions.distinct().order_by("id").select_related("current_version"))


def template_draw(template: InterviewTemplate, rng: random.Random) -> list[tuple[TemplateSection, QuestionVersion]]:
    """The questions one session gets: fixed ones as listed, drawn ones at random."""
    drawn: list[tuple[TemplateSection, QuestionVersion]] = []
    for section in template.sections.all().prefetch_related("questions__current_version"):
        if section.draw_count:
            pool = _draw_pool(section, template.organization_id)
            if len(pool) < section.draw_count:
                raise ApplicationError(
                    f"section {section.title!r} asks for {section.draw_count} questions but only {len(pool)} match",
                    code="template_unsatisfiable",
                )
            chosen = rng.sample(pool, section.draw_count)
        else:
            links = TemplateSection.questions.through.objects.filter(templatesection=section).order_by("id")
            chosen = [link.question for link in links.select_related("question__current_version")]
            if template.shuffle_questions:
                rng.shuffle(chosen)
        drawn += [(section, question.current_version) for question in chosen]
    if not drawn:
        raise ApplicationError("this template has no questions", code="template_empty")
    return drawn


def template_create(
    *,
    user: User,
    title: str,
    total_minutes: int,
    sections: list[dict[str, Any]],
    description: str = "",
    shuffle_questions: bool = False,
) -> InterviewTemplate:
    """A recruiter's own template for their organization. Each section is fixed
    questions (ids) or a draw (count, track, kind, difficulty, topics)."""
    if not user.is_recruiter:
        raise ForbiddenError("only recruiters create templates")
    from django.utils.text import slugify

    with transaction.atomic():
        base = slugify(title)[:70] or "template"
        slug, n = base, 1
        while InterviewTemplate.objects.filter(organization=user.organization, slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        template = InterviewTemplate(
            organization=user.organization,
            slug=slug,
            title=title,
            description=description,
            total_minutes=total_minutes,
            shuffle_questions=shuffle_questions,
            created_by=user,
        )
        template.full_clean()
        template.save()
        for position, data in enumerate(sections, start=1):
            section = TemplateSection(
                template=template,
                position=position,
                title=data["title"],
                minutes=data.get("minutes"),
                draw_count=data.get("draw_count", 0),
                draw_track=data.get("draw_track", ""),
                draw_kind=data.get("draw_kind", ""),
                draw_difficulty=data.get("draw_difficulty", ""),
                draw_topics=data.get("draw_topics", []),
            )
            section.full_clean(exclude=["template"])
            section.save()
            ids = data.get("questions", [])
            if ids:
                visible = Question.objects.filter(id__in=ids, current_version__isnull=False).filter(
                    Q(organization__isnull=True) | Q(organization_id=user.organization_id)
                )
                found = {q.id: q for q in visible}
                missing = [i for i in ids if i not in found]
                if missing:
                    raise ApplicationError(
                        f"no such questions: {missing}", code="invalid", fields={"sections": [f"unknown question ids {missing}"]}
                    )
                section.questions.set([found[i] for i in ids])
            elif not section.draw_count:
                raise ApplicationError(
                    f"section {section.title!r} has no questions and draws none",
                    code="invalid",
                    fields={"sections": ["empty section"]},
                )
        template_draw(template, random.Random(0))  # refuse a template that cannot be satisfied
    return template


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


def assessment_invite_create(
    *, invited_by: User, template: InterviewTemplate, email: str, candidate_name: str = ""
) -> tuple[AssessmentInvite, str]:
    if not invited_by.is_recruiter or template.organization_id not in (None, invited_by.organization_id):
        raise NotFoundError("no such template")
    token = secrets.token_urlsafe(32)
    invite = AssessmentInvite(
        organization=invited_by.organization,
        template=template,
        email=User.objects.normalize_email(email).lower(),
        candidate_name=candidate_name,
        token_hash=invite_token_hash(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(hours=settings.ASSESSMENT_INVITE_TTL_HOURS),
    )
    invite.full_clean()
    invite.save()
    from interview.tasks import assessment_invite_email_send

    try:
        assessment_invite_email_send.delay(invite.id, token)
    except Exception as exc:
        # The token exists only in the email: an invite whose email was never queued could
        # never be used, and no sweep can send it again. It is undone and said, not lost.
        invite.delete()
        raise ApplicationError(
            "the invitation email could not be queued, so no invitation was made; try again in a minute",
            code="queue_unavailable",
            status_code=503,
        ) from exc
    return invite, token


def assessment_invite_get(*, token: str) -> AssessmentInvite:
    invite = (
        AssessmentInvite.objects.select_related("template", "organization").filter(token_hash=invite_token_hash(token)).first()
    )
    if invite is None:
        raise NotFoundError("this assessment link is not valid", code="invite_invalid")
    return invite


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


# -- answering ---------------------------------------------------------------------


def _grace() -> timedelta:
    return timedelta(seconds=GRACE_SECONDS)


def session_time_is_up(session: InterviewSession, *, now: datetime | None = None) -> bool:
    """Whether the interview's own deadline (plus the grace for saves in flight) has passed."""
    return (now or timezone.now()) > session.deadline + _grace()


def session_accepts_work(
    session: InterviewSession, question: SessionQuestion | None = None, *, now: datetime | None = None
) -> None:
    """The one rule for whether work on ``question`` (or on the interview) is taken now.

    Save, run, submit, finish and the expiry sweep all ask this: the interview is in
    progress, its deadline plus a few seconds' grace has not passed, and neither has
    the question's section deadline. Raises SessionClosed, saying which, otherwise.
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
        raise SessionClosed("time is up for this section")


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


def _validate_payload(kind: str, version: QuestionVersion, payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ApplicationError("the answer must be an object", code="invalid", fields={"payload": ["must be an object"]})
    if kind == Kind.CODING:
        source = payload.get("source")
        if not isinstance(source, str):
            raise ApplicationError(
                'a coding answer is {"source": "..."}', code="invalid", fields={"payload": ["source must be a string"]}
            )
        if len(source.encode("utf-8", "surrogatepass")) > MAX_CODE_BYTES or "\x00" in source:
            raise ApplicationError("the code is over 64 KiB or contains NUL bytes", code="answer_too_large", status_code=413)
        return {"source": source}
    if kind == Kind.MULTIPLE_CHOICE:
        selected = payload.get("selected")
        ids = {o["id"] for o in version.spec["options"]}
        if not isinstance(selected, list) or not all(isinstance(s, str) and s in ids for s in selected):
            raise ApplicationError(
                f"selected must be a list of option ids from {sorted(ids)}",
                code="invalid",
                fields={"payload": ["unknown options"]},
            )
        if not version.spec["multiple"] and len(selected) > 1:
            raise ApplicationError("this question takes one option", code="invalid", fields={"payload": ["one option only"]})
        return {"selected": sorted(set(selected))}
    if kind == Kind.NUMERIC:
        value = payload.get("value")
        if value is None or value == "":
            return {"value": None}
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ApplicationError("the answer must be a number", code="invalid", fields={"payload": ["not a number"]})
        try:
            number = float(value)
        except (ValueError, OverflowError):
            raise ApplicationError("the answer must be a number", code="invalid", fields={"payload": ["not a number"]}) from None
        if not math.isfinite(number):
            raise ApplicationError("the answer must be a finite number", code="invalid", fields={"payload": ["not finite"]})
        return {"value": number}
    text = payload.get("text")
    if not isinstance(text, str):
        raise ApplicationError(
            'a written answer is {"text": "..."}', code="invalid", fields={"payload": ["text must be a string"]}
        )
    if len(text) > MAX_TEXT_CHARS or "\x00" in text:
        raise ApplicationError(
            f"the answer is over {MAX_TEXT_CHARS} characters or contains NUL bytes", code="answer_too_large", status_code=413
        )
    return {"text": text}


def _session_question(session: InterviewSession, position: int, *, coding: bool = False) -> SessionQuestion:
    question = (
        SessionQuestion.objects.select_related("question_version__question").filter(session=session, position=position).first()
    )
    if question is None or (coding and question.question_version.question.kind != Kind.CODING):
        raise NotFoundError("this interview has no such coding question" if coding else "this interview has no such question")
    return question


def _answer_store(
    *, session: InterviewSession, position: int, payload: Any, revision: int | None, coding: bool = False
) -> Answer:
    """Stores an answer under the one rule, with revisions: the work of save and submit.

    ``revision`` is the client's counter: a save that arrives after a newer one (a
    retried request overtaken by the next) is ignored, so newer work is never lost.
    None means "the next one" (an API client that keeps no counter).
    """
    now = timezone.now()
    with transaction.atomic():
        session = InterviewSession.objects.select_for_update().get(id=session.id)
        question = _session_question(session, position, coding=coding)
        session_accepts_work(session, question, now=now)
        clean = _validate_payload(question.question_version.question.kind, question.question_version, payload)
        answer = Answer.objects.select_for_update().get(session_question=question)
        if revision is None:
            if clean == answer.payload:
                return answer
            revision = answer.revision + 1
        if revision <= answer.revision:
            return answer  # an older save arriving late: the newer one stays
        answer.payload = clean
        answer.revision = revision
        answer.saved_at = now
        answer.save(update_fields=["payload", "revision", "saved_at"])
    return answer


def answer_save(*, session: InterviewSession, position: int, payload: Any, revision: int) -> Answer:
    """Saves the latest answer to one question, if the server's clock allows it (session_accepts_work)."""
    return _answer_store(session=session, position=position, payload=payload, revision=revision)


def session_run_code(*, session: InterviewSession, position: int, source: str, custom_input: Any = None) -> Submission:
    """ "Run" inside an interview: the visible tests and custom input, while time remains."""
    from grading.services import submission_create

    question = _session_question(session, position)
    session_accepts_work(session, question)
    return submission_create(
        user=session.candidate,
        question=question.question_version.question,
        source=source,
        mode=Submission.Mode.RUN,
        custom_input=custom_input,
        version=question.question_version,
    )


def session_submit_code(
    *, session: InterviewSession, position: int, source: str, revision: int | None = None
) -> Submission | None:
    """ "Submit" inside an interview. The source becomes the answer first (with the
    revision rules of a save), so it is what the interview grades. In practice it is
    also graded on every test now and the candidate sees how it did; in an assessment
    it is graded when the interview ends, and nothing is shown."""
    from grading.services import submission_create

    _answer_store(session=session, position=position, payload={"source": source}, revision=revision, coding=True)
    if session.mode == InterviewSession.Mode.ASSESSMENT:
        return None
    question = _session_question(session, position, coding=True)
    return submission_create(
        user=session.candidate,
        question=question.question_version.question,
        source=source,
        mode=Submission.Mode.SUBMIT,
        version=question.question_version,
    )


# -- finishing and grading -----------------------------------------------------------


def session_finish(*, session_id: int, reason: str) -> InterviewSession | None:
    """Closes a session and grades the last saved answer to every question. Idempotent."""
    with transaction.atomic():
        closed = InterviewSession.objects.filter(id=session_id, status=InterviewSession.Status.IN_PROGRESS).update(
            status=InterviewSession.Status.FINISHED, finished_at=timezone.now(), finish_reason=reason
        )
        if not closed:
            return None
        webhooks.session_event_emit(session_id=session_id, event=webhooks.WebhookEvent.SESSION_FINISHED)
        answers = Answer.objects.filter(session_question__session_id=session_id).select_related(
            "session_question__question_version__question", "session_question__session__candidate"
        )
        from grading.tasks import answer_similarity_task

        for answer in answers:
            answer_grade(answer)
            if answer.session_question.question_version.question.kind in (Kind.CODING, Kind.FREE_TEXT):
                enqueue_on_commit(answer_similarity_task, answer.id)
        session_score_update(session_id=session_id)
    metrics.session_finished(reason)
    return InterviewSession.objects.get(id=session_id)


def answer_grade(answer: Answer) -> None:
    version = answer.session_question.question_version
    kind = version.question.kind
    spec = version.spec
    if kind == Kind.MULTIPLE_CHOICE:
        selected = set(answer.payload.get("selected", []))
        correct = set(spec["correct"])
        answer.score = 100.0 if selected == correct else 0.0
        answer.feedback = {"correct": sorted(correct), "selected": sorted(selected), "explanation": spec["explanation"]}
        answer.grade_status = Answer.GradeStatus.GRADED
    elif kind == Kind.NUMERIC:
        value = answer.payload.get("value")
        tolerance = max(spec.get("tolerance", 0.0), abs(spec["answer"]) * spec.get("relative_tolerance", 0.0))
        right = value is not None and abs(value - spec["answer"]) <= tolerance + 1e-12
        answer.score = 100.0 if right else 0.0
        answer.feedback = {"answer": spec["answer"], "tolerance": tolerance, "given": value, "explanation": spec["explanation"]}
        answer.grade_status = Answer.GradeStatus.GRADED
    elif kind == Kind.CODING:
        from grading.services import submission_create

        source = answer.payload.get("source", "")
        if not source.strip() or source == spec["starter"]:
            answer.score = 0.0
            answer.feedback = {"message": "no code was written"}
            answer.grade_status = Answer.GradeStatus.GRADED
        else:
            session = answer.session_question.session
            submission = submission_create(
                user=session.candidate,
                question=version.question,
                source=source,
                mode=Submission.Mode.SUBMIT,
                version=version,
                visible_to_author=session.mode == InterviewSession.Mode.PRACTICE,
            )
            answer.submission = submission
            answer.grade_status = Answer.GradeStatus.PENDING
    else:
        from grading.tasks import rubric_grade_task

        answer.grade_status = Answer.GradeStatus.PENDING
        # The grader may be a paid, slow API: it runs in a worker after this commits.
        # If the broker is down, the answer stays pending and rubric_grades_retry_pending queues it.
        enqueue_on_commit(rubric_grade_task, answer.id)
    answer.save(update_fields=["score", "feedback", "grade_status", "submission"])


def answer_apply_grade(answer: Answer, grade: Any) -> None:
    """Applies a rubric grade (machine, or with a recruiter's overrides) to the answer."""
    from grading.rubric_services import effective_levels, grade_score

    rubric = answer.session_question.question_version.spec
    score = grade_score(grade, rubric)
    levels = effective_levels(grade)
    answer.score = score
    answer.grade_status = Answer.GradeStatus.GRADED if score is not None else Answer.GradeStatus.PENDING
    answer.feedback = {
        "grade_id": grade.id,
        "grader": grade.grader,
        "provisional": grade.grader == "local",
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


def answer_submission_finished(submission: Submission) -> None:
    """A coding answer's grading run finished: record its score."""
    answer = Answer.objects.filter(submission=submission).select_related("session_question").first()
    if answer is None:
        return
    answer.score = submission.score if submission.status == Submission.Status.FINISHED else None
    answer.feedback = {"verdict": submission.verdict}
    answer.grade_status = Answer.GradeStatus.GRADED if answer.score is not None else Answer.GradeStatus.PENDING
    answer.save(update_fields=["score", "feedback", "grade_status"])
    session_score_update(session_id=answer.session_question.session_id)


def session_score_update(*, session_id: int) -> None:
    """The session's score: the mean of its questions' scores, once all are graded."""
    answers = list(Answer.objects.filter(session_question__session_id=session_id).values_list("grade_status", "score"))
    if answers and all(status == Answer.GradeStatus.GRADED for status, _ in answers):
        score = round(sum(score or 0.0 for _, score in answers) / len(answers), 2)
        # Conditional, so that of two graders finishing at once only one announces the score.
        if InterviewSession.objects.filter(id=session_id, score__isnull=True).update(score=score):
            webhooks.session_event_emit(session_id=session_id, event=webhooks.WebhookEvent.SESSION_GRADED)
        else:
            InterviewSession.objects.filter(id=session_id).update(score=score)


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


# -- integrity events ------------------------------------------------------------------


class EventsNotRecorded(ApplicationError):
    code = "events_not_recorded"
    status_code = 409


def integrity_events_record(*, session: InterviewSession, events: list[dict[str, Any]]) -> tuple[int, int]:
    """Stores a batch of the assessment page's events (pastes and copies by size only,
    leaving and returning to the page). Returns how many were stored and how many were
    dropped because the session already holds ``MAX_EVENTS_PER_SESSION``: those are
    accepted, so the page does not retry them, and counted on the session.

    Every event must name one of the session's questions (or none) and a time within
    the session; otherwise the whole batch is refused, with ``fields`` naming each bad
    event by its index.
    """
    now = timezone.now()
    with transaction.atomic():
        # The row lock serializes batches of one session, so the cap holds exactly.
        session = InterviewSession.objects.select_for_update().get(id=session.id)
        if session.mode != InterviewSession.Mode.ASSESSMENT:
            raise EventsNotRecorded("practice interviews record no integrity events")
        if session.status != InterviewSession.Status.IN_PROGRESS:
            raise SessionClosed("this interview is finished; no more events are recorded")
        positions = set(session.questions.values_list("position", flat=True))
        earliest, latest = session.started_at - EVENT_CLOCK_SLACK, now + EVENT_CLOCK_SLACK
        problems: dict[int, dict[str, list[str]]] = {}
        for index, event in enumerate(events):
            if event["position"] is not None and event["position"] not in positions:
                problems.setdefault(index, {})["position"] = [f"this interview has no question {event['position']}"]
            if not earliest <= event["at"] <= latest:
                problems.setdefault(index, {})["at"] = ["not within this interview's time"]
        if problems:
            first = min(problems)
            field = next(iter(problems[first]))
            raise ApplicationError(
                f"events: event {first}: {field}: {problems[first][field][0]}", code="invalid", fields={"events": problems}
            )
        room = max(0, MAX_EVENTS_PER_SESSION - session.integrity_events.count())
        rows = []
        for event in events[:room]:
            sized = event["kind"] in (IntegrityEvent.Kind.PASTE, IntegrityEvent.Kind.COPY)
            row = IntegrityEvent(
                session=session,
                position=event["position"],
                kind=event["kind"],
                chars=event["chars"] if sized else 0,
                # Within the slack, a time just outside the session is clock drift:
                # pinned inside it, so durations computed later are never negative.
                at=min(max(event["at"], session.started_at), now),
                received_at=now,
            )
            row.full_clean(exclude=["session"], validate_unique=False, validate_constraints=False)
            rows.append(row)
        IntegrityEvent.objects.bulk_create(rows)
        dropped = len(events) - len(rows)
        if dropped:
            InterviewSession.objects.filter(id=session.id).update(
                integrity_events_dropped=F("integrity_events_dropped") + dropped
            )
            log.info("session %s: %s integrity events over the cap dropped", session.id, dropped)
    return len(rows), dropped
