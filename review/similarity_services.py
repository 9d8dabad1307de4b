"""Flags answers that look copied from another candidate's answer to the same question."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from config.celery import enqueue_on_commit
from interview.models import Answer
from questions.bank_format import Kind
from review.models import SimilarityCheck, SimilarityFlag
from review.similarity import code_fingerprints, compare, text_fingerprints

# Fewer fingerprints than this and any overlap is too small to mean anything.
MIN_FINGERPRINTS = 5
MAX_COMPARED = 500


def _fingerprints(answer):
    payload = answer.payload or {}
    if "source" in payload:
        starter = answer.session_question.question_version.spec.get("starter", "")
        return ("code", code_fingerprints(payload["source"]) if payload["source"] != starter else [])
    return ("text", text_fingerprints(payload.get("text") or ""))


# A finished answer's check is queued at finish; one still unchecked after this long lost its message.
SWEEP_AFTER = timedelta(minutes=2)
SWEEP_BATCH = 200


def answer_similarity_check(*, answer_id: int) -> list[SimilarityFlag]:
    """Compares one finished answer with other candidates' answers to the same question,
    and records that the check ran (so the sweep leaves it alone)."""
    flags = _similar_answers_flag(answer_id)
    SimilarityCheck.objects.update_or_create(answer_id=answer_id, defaults={"checked_at": timezone.now(), "flags": len(flags)})
    return flags


def session_similarity_checks_queue(*, session_id: int) -> int:
    """Queues the check of a just-finished interview's coding and written answers, once
    the finish commits (receiver of ``interview.signals.session_finished``)."""
    from review.tasks import answer_similarity_task

    answer_ids = list(
        Answer.objects.filter(
            session_question__session_id=session_id,
            session_question__question_version__question__kind__in=[Kind.CODING, Kind.FREE_TEXT],
        ).values_list("id", flat=True)
    )
    for answer_id in answer_ids:
        enqueue_on_commit(answer_similarity_task, answer_id)
    return len(answer_ids)


def answers_unchecked_for_similarity(*, now: datetime | None = None) -> list[int]:
    """Finished coding and written answers whose similarity check never ran: its task was
    lost (the broker was down at finish, or a worker died with it)."""
    before = (now or timezone.now()) - SWEEP_AFTER
    return list(
        Answer.objects.filter(
            session_question__session__status="finished",
            session_question__session__finished_at__lt=before,
            session_question__question_version__question__kind__in=["coding", "free_text"],
            similarity_check__isnull=True,
        )
        .order_by("id")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )


def _similar_answers_flag(answer_id: int) -> list[SimilarityFlag]:
    answer = Answer.objects.select_related("session_question__question_version__question", "session_question__session").get(
        id=answer_id
    )
    kind, mine = _fingerprints(answer)
    if len(mine) < MIN_FINGERPRINTS:
        return []
    question = answer.session_question.question_version.question
    others = (
        Answer.objects.filter(session_question__question_version__question=question, session_question__session__status="finished")
        .exclude(session_question__session__candidate=answer.session_question.session.candidate)
        .select_related("session_question__question_version")
        .order_by("-saved_at")[:MAX_COMPARED]
    )
    flags = []
    for other in others:
        other_kind, theirs = _fingerprints(other)
        if other_kind != kind or len(theirs) < MIN_FINGERPRINTS:
            continue
        match = compare(mine, theirs)
        if match.similarity < settings.SIMILARITY_THRESHOLD:
            continue
        a, b = (answer, other) if answer.id < other.id else (other, answer)
        regions = match.regions if a is answer else [(rb, ra) for ra, rb in match.regions]
        if SimilarityFlag.objects.filter(Q(answer_a=a, answer_b=b)).exists():
            continue
        flags.append(
            SimilarityFlag.objects.create(
                question=question, answer_a=a, answer_b=b, kind=kind, similarity=match.similarity, regions=regions
            )
        )
    return flags
