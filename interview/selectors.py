"""Reads for interviews, scoped to who may see them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from interview.models import Answer, IntegrityEvent, InterviewSession, InterviewTemplate
from questions.bank_format import Kind


def templates_visible_to(user: User) -> QuerySet[InterviewTemplate]:
    templates = InterviewTemplate.objects.filter(is_active=True)
    if user.is_recruiter:
        return templates.filter(Q(organization__isnull=True) | Q(organization_id=user.organization_id))
    return templates.filter(organization__isnull=True)


def session_get(*, user: User, session_id: int) -> InterviewSession | None:
    """A candidate's own session; recruiters reach their organization's assessments."""
    sessions = InterviewSession.objects.select_related("template", "candidate")
    if user.is_recruiter:
        sessions = sessions.filter(Q(candidate=user) | Q(organization_id=user.organization_id))
    else:
        sessions = sessions.filter(candidate=user)
    return sessions.filter(id=session_id).first()


# Thresholds of the "unusual" signals in the integrity summary. They point a recruiter
# at something to look at and decide nothing: a long answer (at least
# LONG_ANSWER_CHARS characters) of which a single paste supplied at least
# PASTED_PERCENT, and a session finished in under FAST_FINISH_PERCENT of its allotted
# time with a score of at least FAST_FINISH_SCORE. Percentages are integers so the
# comparisons are exact (0.8 * 300 is not 240 in floating point).
LONG_ANSWER_CHARS = 200
PASTED_PERCENT = 80
FAST_FINISH_PERCENT = 15
FAST_FINISH_SCORE = 80.0


def _answer_text(kind: str, payload: dict[str, Any]) -> str | None:
    if kind == Kind.CODING:
        return payload.get("source") or ""
    if kind == Kind.FREE_TEXT:
        return payload.get("text") or ""
    return None


def session_integrity_summary(session: InterviewSession) -> dict[str, Any]:
    """What the assessment page recorded, summed up for the recruiter: pastes per
    question, time spent away from the page, and signals worth a look.

    Leaving and coming back are paired in time order. Several losses in a row (the
    page hears both "blur" and "hidden" when the candidate switches tabs) are one
    absence. A paste or copy proves the candidate is back, so it ends an absence
    whose return was not recorded; an absence still open at the end lasts until the
    session ended.
    """
    events = list(session.integrity_events.order_by("at", "id"))
    questions = list(session.questions.select_related("question_version__question", "answer").order_by("position"))
    per_question: dict[int, dict[str, int]] = {
        q.position: {
            "position": q.position,
            "seconds": 0,
            "pastes": 0,
            "largest_paste_chars": 0,
            "pasted_chars": 0,
            "copies": 0,
        }
        for q in questions
    }
    end = session.finished_at or min(timezone.now(), session.deadline)
    shown = _time_per_question(events, per_question, end=end)
    pastes, focus_losses, seconds_away = _events_tally(events, per_question, end=end)
    return {
        "recorded": session.mode == InterviewSession.Mode.ASSESSMENT,
        "count": len(events),
        "timed": shown,
        "dropped": session.integrity_events_dropped,
        "pastes": pastes,
        "focus_losses": focus_losses,
        "seconds_away": round(seconds_away, 1),
        "questions": list(per_question.values()),
        "signals": _integrity_signals(session, questions, per_question),
    }


def _time_per_question(events: list[IntegrityEvent], per_question: dict[int, dict[str, int]], *, end: datetime) -> bool:
    """Adds each question's seconds: from opening it to opening the next one (or the end).
    Whether the page recorded any opening at all."""
    shown = [e for e in events if e.kind == IntegrityEvent.Kind.QUESTION_SHOWN and e.position in per_question]
    for i, opened in enumerate(shown):
        until = shown[i + 1].at if i + 1 < len(shown) else end
        per_question[opened.position]["seconds"] += max(0, round((until - opened.at).total_seconds()))
    return bool(shown)


def _events_tally(
    events: list[IntegrityEvent], per_question: dict[int, dict[str, int]], *, end: datetime
) -> tuple[int, int, float]:
    """Pastes and copies per question; the session's pastes, absences and seconds away."""
    pastes = focus_losses = 0
    seconds_away = 0.0
    away_since: datetime | None = None
    for event in events:
        if event.kind == IntegrityEvent.Kind.QUESTION_SHOWN:
            continue
        item = per_question.get(event.position) if event.position is not None else None
        if event.kind == IntegrityEvent.Kind.FOCUS_LOST:
            if away_since is None:
                away_since = event.at
                focus_losses += 1
            continue
        if away_since is not None:
            seconds_away += (event.at - away_since).total_seconds()
            away_since = None
        if event.kind == IntegrityEvent.Kind.PASTE:
            pastes += 1
            if item is not None:
                item["pastes"] += 1
                item["pasted_chars"] += event.chars
                item["largest_paste_chars"] = max(item["largest_paste_chars"], event.chars)
        elif event.kind == IntegrityEvent.Kind.COPY and item is not None:
            item["copies"] += 1
    if away_since is not None:
        seconds_away += max(0.0, (end - away_since).total_seconds())
    return pastes, focus_losses, seconds_away


def _integrity_signals(
    session: InterviewSession, questions: list[Any], per_question: dict[int, dict[str, int]]
) -> list[dict[str, Any]]:
    """Worth a look: a long answer mostly pasted in one go; a high score in a fraction of the time."""
    signals: list[dict[str, Any]] = []
    for question in questions:
        text = _answer_text(question.question_version.question.kind, question.answer.payload)
        largest = per_question[question.position]["largest_paste_chars"]
        if text is not None and len(text) >= LONG_ANSWER_CHARS and 100 * largest >= PASTED_PERCENT * len(text):
            signals.append(
                {
                    "kind": "answer_mostly_pasted",
                    "position": question.position,
                    "answer_chars": len(text),
                    "largest_paste_chars": largest,
                }
            )
    if session.finished_at is not None and session.score is not None:
        allotted = (session.deadline - session.started_at).total_seconds()
        used = (session.finished_at - session.started_at).total_seconds()
        if allotted > 0 and 100 * used < FAST_FINISH_PERCENT * allotted and session.score >= FAST_FINISH_SCORE:
            signals.append(
                {
                    "kind": "fast_high_score",
                    "minutes_used": round(used / 60, 1),
                    "minutes_allotted": round(allotted / 60, 1),
                    "score": session.score,
                }
            )
    return signals


def answer_awaits_grade(*, answer_id: int, regrade: bool = False) -> bool:
    """Pending and never graded; for a regrade, pending (its old grades stay on record)."""
    answers = Answer.objects.filter(id=answer_id, grade_status=Answer.GradeStatus.PENDING)
    if not regrade:
        answers = answers.filter(grades__isnull=True)
    return answers.exists()
