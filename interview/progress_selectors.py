"""Reads for a candidate's progress: their sessions, their skill per track and topic over
time, their weakest topics, what to practise next, and the home page's next step.

Skill is computed from *practice* sessions only, from each graded answer's score.
Assessments are a recruiter's: their candidate sees the date, the title and whether
it is submitted, never a score, so no assessment answer counts here either.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import fmean
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from interview.models import Answer, InterviewSession, SessionQuestion
from interview.services.question_practice import SINGLE_QUESTION_SLUG
from questions.bank_format import Track
from questions.models import Question, QuestionVersion
from questions.names import TRACK_NAMES, topic_name, track_name
from questions.selectors import questions_ranked, questions_visible_to

HISTORY_LIMIT = 50
CHART_SESSIONS = 20  # the latest sessions a chart shows
TOPIC_LINES = 4  # topics on the per-topic chart
WEAKEST = 5
SUGGESTIONS = 6
RETRY_BELOW = 70  # a question seen before is suggested again only if it scored below this
_SINGLE_PREFIX = SINGLE_QUESTION_SLUG.split("{", 1)[0]


@dataclass(frozen=True)
class ScoredAnswer:
    session_id: int
    session_title: str
    finished_at: datetime
    question_id: int
    track: str
    topics: tuple[str, ...]
    score: float


@dataclass
class TopicSkill:
    slug: str
    name: str
    average: float
    answers: int
    questions: int
    tracks: list[str] = field(default_factory=list)


def is_single_question(session: InterviewSession) -> bool:
    return session.template.slug.startswith(_SINGLE_PREFIX) and session.template.organization_id is None


def single_question_in_progress(*, candidate: User, question_id: int) -> int | None:
    """The id of the candidate's single-question practice of this question in progress, if any."""
    return (
        InterviewSession.objects.filter(
            candidate=candidate,
            mode=InterviewSession.Mode.PRACTICE,
            status=InterviewSession.Status.IN_PROGRESS,
            template__organization__isnull=True,
            template__slug=SINGLE_QUESTION_SLUG.format(id=question_id),
        )
        .values_list("id", flat=True)
        .first()
    )


# -- history -------------------------------------------------------------------------


def candidate_sessions(candidate: User) -> QuerySet[InterviewSession]:
    return InterviewSession.objects.filter(candidate=candidate).select_related("template").order_by("-started_at")


def session_history(candidate: User, *, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """The candidate's sessions, newest first, each with only what they may see: for an
    assessment the date, title and status (never a score, nothing of the grading); for
    practice also the score, or that it is still being graded."""
    sessions = list(candidate_sessions(candidate)[:limit])
    pending = set(
        Answer.objects.filter(
            session_question__session__in=[s.id for s in sessions if s.mode == InterviewSession.Mode.PRACTICE],
            grade_status=Answer.GradeStatus.PENDING,
        ).values_list("session_question__session_id", flat=True)
    )
    counts: dict[int, int] = defaultdict(int)
    for session_id in SessionQuestion.objects.filter(session__in=sessions).values_list("session_id", flat=True):
        counts[session_id] += 1
    rows = []
    for session in sessions:
        practice = session.mode == InterviewSession.Mode.PRACTICE
        in_progress = session.status == InterviewSession.Status.IN_PROGRESS
        if in_progress:
            status = "In progress"
        elif not practice:
            status = "Submitted"
        elif session.finish_reason == InterviewSession.FinishReason.EXPIRED:
            status = "Finished (time ran out)"
        else:
            status = "Finished"
        row: dict[str, Any] = {
            "session": session,
            "title": session.template.title,
            "date": session.finished_at or session.started_at,
            "kind": "Assessment" if not practice else "One question" if is_single_question(session) else "Practice interview",
            "practice": practice,
            "in_progress": in_progress,
            "status": status,
            "questions": counts[session.id],
        }
        if practice and not in_progress:
            row["score"] = session.score
            row["grading"] = session.score is None and session.id in pending
        rows.append(row)
    return rows


# -- skill ---------------------------------------------------------------------------


def scored_answers(candidate: User) -> list[ScoredAnswer]:
    """Every graded answer of the candidate's finished practice sessions, oldest first."""
    rows = list(
        Answer.objects.filter(
            session_question__session__candidate=candidate,
            session_question__session__mode=InterviewSession.Mode.PRACTICE,
            session_question__session__status=InterviewSession.Status.FINISHED,
            grade_status=Answer.GradeStatus.GRADED,
            score__isnull=False,
        )
        .order_by("session_question__session__finished_at", "session_question__session_id", "session_question__position")
        .values(
            "score",
            "session_question__session_id",
            "session_question__session__finished_at",
            "session_question__session__template__title",
            "session_question__question_version_id",
            "session_question__question_version__question_id",
            "session_question__question_version__question__track",
        )
    )
    version_ids = {row["session_question__question_version_id"] for row in rows}
    topics: dict[int, list[str]] = defaultdict(list)
    links = QuestionVersion.topics.through.objects.filter(questionversion_id__in=version_ids).values_list(
        "questionversion_id", "topic__slug"
    )
    for version_id, slug in links:
        topics[version_id].append(slug)
    return [
        ScoredAnswer(
            session_id=row["session_question__session_id"],
            session_title=row["session_question__session__template__title"],
            finished_at=row["session_question__session__finished_at"],
            question_id=row["session_question__question_version__question_id"],
            track=row["session_question__question_version__question__track"],
            topics=tuple(sorted(topics[row["session_question__question_version_id"]])),
            score=float(row["score"]),
        )
        for row in rows
    ]


def topic_skills(answers: list[ScoredAnswer]) -> list[TopicSkill]:
    """Each topic's average score and how many answers and distinct questions it rests
    on, weakest first (a tie goes to the topic with more evidence)."""
    scores: dict[str, list[float]] = defaultdict(list)
    questions: dict[str, set[int]] = defaultdict(set)
    tracks: dict[str, set[str]] = defaultdict(set)
    for answer in answers:
        for slug in answer.topics:
            scores[slug].append(answer.score)
            questions[slug].add(answer.question_id)
            tracks[slug].add(answer.track)
    skills = [
        TopicSkill(
            slug=slug,
            name=topic_name(slug),
            average=round(fmean(values), 1),
            answers=len(values),
            questions=len(questions[slug]),
            tracks=sorted(tracks[slug], key=lambda t: list(TRACK_NAMES).index(t) if t in TRACK_NAMES else 99),
        )
        for slug, values in scores.items()
    ]
    return sorted(skills, key=lambda s: (s.average, -s.answers, s.name))


def weakest_topics(candidate: User, *, limit: int = WEAKEST, answers: list[ScoredAnswer] | None = None) -> list[TopicSkill]:
    """The candidate's lowest-scoring topics, with the evidence each rests on."""
    return topic_skills(scored_answers(candidate) if answers is None else answers)[:limit]


def _timeline(
    answers: list[ScoredAnswer],
    key_of: Callable[[ScoredAnswer], Iterable[str]],
    names: Sequence[tuple[str, str]],
    *,
    sessions: int = CHART_SESSIONS,
) -> dict[str, Any]:
    """Labels (one per session with a score in any series) and, per series, the
    session's average score on it, or None; the latest ``sessions`` only."""
    per_session: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    finished: dict[int, datetime] = {}
    titles: dict[int, str] = {}
    wanted = {key for key, _ in names}
    for answer in answers:
        for key in key_of(answer):
            if key in wanted:
                per_session[answer.session_id][key].append(answer.score)
                finished[answer.session_id] = answer.finished_at
                titles[answer.session_id] = answer.session_title
    order = sorted(per_session, key=lambda sid: (finished[sid], sid))[-sessions:]
    labels = [f"{timezone.localtime(finished[sid]):%-d %b}" for sid in order]
    series = {
        name: [round(fmean(per_session[sid][key]), 1) if per_session[sid].get(key) else None for sid in order]
        for key, name in names
    }
    rows = [
        {"date": finished[sid], "title": titles[sid], "values": [values[i] for values in series.values()]}
        for i, sid in enumerate(order)
    ]
    return {"labels": labels, "series": series, "rows": rows, "session_ids": order}


def track_timeline(answers: list[ScoredAnswer]) -> dict[str, Any]:
    """Per practice session, the average score on each track practised."""
    practised = {a.track for a in answers}
    names = [(t.value, track_name(t.value)) for t in Track if t.value in practised]
    return _timeline(answers, lambda a: (a.track,), names)


def topic_timeline(answers: list[ScoredAnswer], slugs: list[str]) -> dict[str, Any]:
    """Per practice session, the average score on each of these topics."""
    return _timeline(answers, lambda a: a.topics, [(slug, topic_name(slug)) for slug in slugs])


def chart_topics(skills: list[TopicSkill], choice: str) -> list[str]:
    """The topics the per-topic chart shows: the most practised (the default), the
    weakest, or one the candidate picked."""
    if choice == "weakest":
        return [s.slug for s in skills[:TOPIC_LINES]]
    if choice and choice in {s.slug for s in skills}:
        return [choice]
    by_evidence = sorted(skills, key=lambda s: (-s.answers, s.name))
    return [s.slug for s in by_evidence[:TOPIC_LINES]]


# -- what to practise next -------------------------------------------------------------


def seen_question_ids(candidate: User) -> set[int]:
    """Every question the candidate has been given, in practice or in an assessment."""
    return set(
        SessionQuestion.objects.filter(session__candidate=candidate).values_list("question_version__question_id", flat=True)
    )


def practice_pool(candidate: User) -> QuerySet[Question]:
    """The questions a single-question practice may start: the public bank (a private
    organization question is for its assessments only), easiest and shortest first."""
    return (
        questions_ranked(questions_visible_to(candidate).filter(organization__isnull=True))
        .select_related("current_version")
        .order_by("difficulty_rank", "current_version__time_estimate_minutes", "track_rank", "id")
    )


def practice_suggestions(
    candidate: User, *, limit: int = SUGGESTIONS, answers: list[ScoredAnswer] | None = None
) -> list[dict[str, Any]]:
    """What to practise next, each a question to start with one click and the reason:

    - for each weakest topic, a question on it the candidate has not seen (easiest first),
      or, when they have seen them all, the one they scored lowest on (below
      RETRY_BELOW), to try again;
    - then questions they have not seen, one track at a time, the least practised first.

    Only public bank questions: a private organization question is for its assessments.
    """
    answers = scored_answers(candidate) if answers is None else answers
    seen = seen_question_ids(candidate)
    pool = list(practice_pool(candidate).prefetch_related("current_version__topics"))
    unseen = [q for q in pool if q.id not in seen]
    by_id = {q.id: q for q in pool}
    chosen: list[dict[str, Any]] = []
    taken: set[int] = set()

    def take(question: Question, reason: str, kind: str) -> None:
        taken.add(question.id)
        chosen.append({"question": question, "reason": reason, "kind": kind})

    for skill in topic_skills(answers)[:3]:
        if len(chosen) >= limit:
            break
        fresh = next((q for q in unseen if q.id not in taken and skill.slug in _topic_slugs(q)), None)
        if fresh is not None:
            take(fresh, f"{skill.name} is one of your weakest topics (average {skill.average:g})", "weak_topic")
            continue
        retries = [
            a
            for a in answers
            if skill.slug in a.topics and a.score < RETRY_BELOW and a.question_id in by_id and a.question_id not in taken
        ]
        if retries:
            lowest = min(retries, key=lambda a: a.score)
            take(by_id[lowest.question_id], f"Try again: you scored {lowest.score:g} on this {skill.name} question", "retry")

    practised: dict[str, int] = defaultdict(int)
    for answer in answers:
        practised[answer.track] += 1
    for question in _round_robin_by_track([q for q in unseen if q.id not in taken], practised):
        if len(chosen) >= limit:
            break
        if not answers:
            reason = f"A first {track_name(question.track)} question to get going"
        elif not practised.get(question.track):
            reason = f"New to you: you have not practised {track_name(question.track)} yet"
        else:
            reason = "New to you: you have not seen this question yet"
        take(question, reason, "unseen")
    return chosen


def _round_robin_by_track(questions: list[Question], practised: dict[str, int]) -> list[Question]:
    """One question of each track in turn, the least practised track first; each
    track's questions keep their order (easiest first)."""
    queues: dict[str, list[Question]] = defaultdict(list)
    for question in questions:
        queues[question.track].append(question)
    tracks = sorted(queues, key=lambda t: (practised.get(t, 0), list(TRACK_NAMES).index(t) if t in TRACK_NAMES else 99))
    ordered: list[Question] = []
    while any(queues.values()):
        for track in tracks:
            if queues[track]:
                ordered.append(queues[track].pop(0))
    return ordered


def _topic_slugs(question: Question) -> set[str]:
    version = question.current_version
    return {t.slug for t in version.topics.all()} if version else set()


# -- the home page ---------------------------------------------------------------------------


def next_step(candidate: User) -> dict[str, Any]:
    """The one thing the home page invites a signed-in candidate to do next: continue
    the interview they have in progress, start a first practice, or see their progress
    and practise what it suggests."""
    now = timezone.now()
    running = (
        candidate_sessions(candidate)
        .filter(status=InterviewSession.Status.IN_PROGRESS, deadline__gt=now)
        .order_by("deadline")
        .first()
    )
    if running is not None:
        return {
            "kind": "continue",
            "session": running,
            "minutes_left": max(1, int((running.deadline - now).total_seconds() // 60)),
        }
    if not InterviewSession.objects.filter(
        candidate=candidate, mode=InterviewSession.Mode.PRACTICE, status=InterviewSession.Status.FINISHED
    ).exists():
        first = practice_pool(candidate).exclude(id__in=seen_question_ids(candidate)).first()
        return {"kind": "first", "question": first}
    suggestions = practice_suggestions(candidate, limit=1)
    return {"kind": "progress", "suggestion": suggestions[0] if suggestions else None}
