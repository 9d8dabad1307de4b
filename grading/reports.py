"""Recruiters' reports of finished interviews (reads only)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import User
from grading.models import SimilarityFlag
from grading.rubric_services import effective_levels
from interview.models import InterviewSession


def sessions_for_recruiter(user: User) -> QuerySet[InterviewSession]:
    """Assessments of the recruiter's organization (everything for staff)."""
    sessions = InterviewSession.objects.select_related("template", "candidate")
    if user.is_staff:
        return sessions
    if not user.is_recruiter:
        return sessions.none()
    return sessions.filter(organization_id=user.organization_id)


def _question_report(question: Any) -> dict[str, Any]:
    answer = question.answer
    version = question.question_version
    kind = version.question.kind
    item: dict[str, Any] = {
        "position": question.position,
        "section": question.section_title,
        "title": version.title,
        "kind": kind,
        "track": version.question.track,
        "topics": [t.slug for t in version.topics.all()],
        "score": answer.score,
        "grade_status": answer.grade_status,
        "saved_at": answer.saved_at,
        "answer": answer.payload,
    }
    if kind == "coding" and answer.submission is not None:
        item["submission"] = {
            "verdict": answer.submission.verdict,
            "score": answer.submission.score,
            "result": answer.submission.result,
        }
    elif kind in ("multiple_choice", "numeric"):
        item["feedback"] = answer.feedback
    elif kind == "free_text":
        grade = answer.grades.order_by("-created_at").prefetch_related("overrides__by").first()
        if grade is not None:
            levels = effective_levels(grade)
            item["rubric"] = {
                "grade_id": grade.id,
                "grader": grade.grader,
                "provisional": grade.grader == "local",
                "status": grade.status,
                "review_reasons": grade.review_reasons,
                "criteria": [{**c, "effective_level": levels.get(c["id"])} for c in grade.criteria],
                "overrides": [
                    {
                        "criterion": o.criterion_id,
                        "level": o.level,
                        "comment": o.comment,
                        "by": o.by.email if o.by else None,
                        "at": o.created_at,
                    }
                    for o in grade.overrides.all()
                ],
            }
    return item


def session_report(session: InterviewSession) -> dict[str, Any]:
    questions = list(
        session.questions.select_related("question_version__question", "answer__submission")
        .prefetch_related("question_version__topics")
        .order_by("position")
    )
    items = [_question_report(q) for q in questions]
    by_section: dict[str, list[float]] = defaultdict(list)
    by_track: dict[str, list[float]] = defaultdict(list)
    by_topic: dict[str, list[float]] = defaultdict(list)
    for item in items:
        if item["score"] is None:
            continue
        by_section[item["section"]].append(item["score"])
        by_track[item["track"]].append(item["score"])
        for topic in item["topics"]:
            by_topic[topic].append(item["score"])

    def mean(values: list[float]) -> float:
        return round(sum(values) / len(values), 2)

    topics = {topic: mean(scores) for topic, scores in by_topic.items()}
    answer_ids = [q.answer.id for q in questions]
    flags = SimilarityFlag.objects.filter(Q(answer_a_id__in=answer_ids) | Q(answer_b_id__in=answer_ids)).select_related(
        "answer_a__session_question__session__candidate", "answer_b__session_question__session__candidate"
    )
    return {
        "session": session.id,
        "candidate": {"email": session.candidate.email, "name": session.candidate.name},
        "template": session.template.title,
        "mode": session.mode,
        "status": session.status,
        "started_at": session.started_at,
        "finished_at": session.finished_at,
        "finish_reason": session.finish_reason,
        "minutes_used": round((session.finished_at - session.started_at).total_seconds() / 60, 1)
        if session.finished_at
        else None,
        "score": session.score,
        "sections": {name: mean(scores) for name, scores in by_section.items()},
        "tracks": {name: mean(scores) for name, scores in by_track.items()},
        "strengths": sorted((t for t, s in topics.items() if s >= 70), key=lambda t: -topics[t]),
        "weaknesses": sorted((t for t, s in topics.items() if s < 50), key=lambda t: topics[t]),
        "questions": items,
        "integrity": {
            "similarity_flags": [
                {
                    "question": flag.question_id,
                    "kind": flag.kind,
                    "similarity": flag.similarity,
                    "other_candidate": (
                        flag.answer_b if flag.answer_a_id in answer_ids else flag.answer_a
                    ).session_question.session.candidate.email,
                    "other_session": (
                        flag.answer_b if flag.answer_a_id in answer_ids else flag.answer_a
                    ).session_question.session_id,
                    "regions": flag.regions,
                }
                for flag in flags
            ],
            "expired": session.finish_reason == "expired",
        },
    }


CSV_COLUMNS = [
    "session",
    "candidate_email",
    "candidate_name",
    "status",
    "finish_reason",
    "started_at",
    "finished_at",
    "score",
    "similarity_flags",
]


def cohort_rows(sessions: QuerySet[InterviewSession]) -> list[list[Any]]:
    """One row per session of a cohort, for a spreadsheet."""
    rows = []
    for session in sessions.order_by("started_at"):
        answer_ids = list(session.questions.values_list("answer__id", flat=True))
        flags = SimilarityFlag.objects.filter(Q(answer_a_id__in=answer_ids) | Q(answer_b_id__in=answer_ids)).count()
        rows.append(
            [
                session.id,
                session.candidate.email,
                session.candidate.name,
                session.status,
                session.finish_reason,
                session.started_at.isoformat(),
                session.finished_at.isoformat() if session.finished_at else "",
                "" if session.score is None else session.score,
                flags,
            ]
        )
    return rows
