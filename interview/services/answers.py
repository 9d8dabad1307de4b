"""Work on an answer while time remains: save it, run the code, submit the code."""

from __future__ import annotations

import math
from typing import Any

from django.db import transaction
from django.utils import timezone

from config.errors import ApplicationError, ConflictError, NotFoundError
from grading import services as grading_services
from grading.models import Submission
from interview.models import Answer, InterviewSession, SessionQuestion
from interview.services.sessions import session_accepts_work
from questions.bank_format import Kind
from questions.models import QuestionVersion

MAX_CODE_BYTES = 64 * 1024
MAX_TEXT_CHARS = 20_000


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


_KIND_NAMES = {Kind.CODING: "coding question", Kind.FREE_TEXT: "written question"}


def _session_question(session: InterviewSession, position: int, *, kind: str | None = None) -> SessionQuestion:
    question = (
        SessionQuestion.objects.select_related("question_version__question").filter(session=session, position=position).first()
    )
    if question is None or (kind and question.question_version.question.kind != kind):
        raise NotFoundError(f"this interview has no such {_KIND_NAMES.get(kind, 'question')}")
    return question


def answer_store(
    *, session: InterviewSession, position: int, payload: Any, revision: int | None, kind: str | None = None
) -> Answer:
    """Stores an answer under the one rule, with revisions: the work of save and submit
    (``kind``: the question must be of this kind). A written answer submitted for its
    follow-ups no longer changes.

    ``revision`` is the client's counter: a save that arrives after a newer one (a
    retried request overtaken by the next) is ignored, so newer work is never lost.
    None means "the next one" (an API client that keeps no counter).
    """
    now = timezone.now()
    with transaction.atomic():
        session = InterviewSession.objects.select_for_update().get(id=session.id)
        question = _session_question(session, position, kind=kind)
        answer = Answer.objects.select_for_update().get(session_question=question)
        if answer.submitted_at is not None and question.question_version.question.kind == Kind.FREE_TEXT:
            # Submitted for its follow-ups (interview/services/follow_ups.py): the interviewer
            # asked about this text, so it stays what they asked about.
            if isinstance(payload, dict) and payload.get("text") == answer.payload.get("text"):
                return answer
            raise ConflictError(
                "this answer was submitted and can no longer change; reply to its follow-up questions instead",
                code="answer_submitted",
            )
        session_accepts_work(session, question, now=now)
        clean = _validate_payload(question.question_version.question.kind, question.question_version, payload)
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
    return answer_store(session=session, position=position, payload=payload, revision=revision)


def session_run_code(*, session: InterviewSession, position: int, source: str, custom_input: Any = None) -> Submission:
    """ "Run" inside an interview: the visible tests and custom input, while time remains."""
    question = _session_question(session, position)
    session_accepts_work(session, question)
    return grading_services.submission_create(
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
    answer_store(session=session, position=position, payload={"source": source}, revision=revision, kind=Kind.CODING)
    if session.mode == InterviewSession.Mode.ASSESSMENT:
        from interview.services.follow_ups import coding_follow_up_after_submit

        coding_follow_up_after_submit(session=session, position=position)
        return None
    question = _session_question(session, position, kind=Kind.CODING)
    return grading_services.submission_create(
        user=session.candidate,
        question=question.question_version.question,
        source=source,
        mode=Submission.Mode.SUBMIT,
        version=question.question_version,
    )
