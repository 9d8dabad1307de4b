"""Recruiters' reports of finished interviews (reads only)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import User
from grading.models import AnswerGrade
from grading.rubric_services import FOLLOW_UP_PART, effective_levels, follow_up_rubric, grade_score
from interview.models import FollowUp, InterviewSession
from interview.selectors import session_integrity_summary
from review.cohorts import Cohort
from review.models import SimilarityFlag


def sessions_for_recruiter(user: User) -> QuerySet[InterviewSession]:
    """Assessments of the recruiter's organization (everything for staff)."""
    sessions = InterviewSession.objects.select_related("template", "candidate")
    if user.is_staff:
        return sessions
    if not user.is_recruiter:
        return sessions.none()
    return sessions.filter(organization_id=user.organization_id)


def session_cohort(session: InterviewSession) -> Cohort:
    """Scores of every graded assessment of the same template in the same organization."""
    scores: list[float] = []
    if session.mode == InterviewSession.Mode.ASSESSMENT and session.organization_id is not None:
        scores = list(
            InterviewSession.objects.filter(
                template_id=session.template_id,
                organization_id=session.organization_id,
                mode=InterviewSession.Mode.ASSESSMENT,
                status=InterviewSession.Status.FINISHED,
                score__isnull=False,
            ).values_list("score", flat=True)
        )
    return Cohort(scores=scores, score=session.score)


def _cohort_summary(cohort: Cohort) -> dict[str, Any]:
    return {"size": cohort.size, "median": cohort.median, "percentile": cohort.percentile}


# The follow-ups' words on the report (interview.models.FollowUp has the stored names).
FOLLOW_UP_SOURCE_LABELS = {
    FollowUp.Source.AUTHORED: "authored probe",
    FollowUp.Source.LLM: "LLM-written",
    FollowUp.Source.CODING: "coding follow-up",
}
FOLLOW_UP_STATE_LABELS = {
    FollowUp.State.OPEN: "open",
    FollowUp.State.ANSWERED: "answered in time",
    FollowUp.State.EMPTY: "no reply",
    FollowUp.State.LATE: "replied after the time box: kept, not graded",
    FollowUp.State.FLAGGED: "the reply tried to steer the grader: not graded",
}


def _latest_grade(answer: Any, part: str = "") -> AnswerGrade | None:
    """The answer's latest grade of its rubric (``part`` ""), or of a coding question's
    follow-up (``FOLLOW_UP_PART``): a re-grade supersedes the one before."""
    return answer.grades.filter(part=part).order_by("-created_at", "-id").prefetch_related("overrides__by").first()


def _rubric_report(grade: AnswerGrade, rubric: dict[str, Any]) -> dict[str, Any]:
    """A rubric grade as the report shows it: per criterion the machine's level (for a
    written answer with follow-ups, the answer's level and the merged one), the level that
    counts, the reasoning and evidence; the overrides."""
    levels = effective_levels(grade)
    rubric_names = {c["id"]: c for c in rubric.get("criteria", [])}
    return {
        "grade_id": grade.id,
        "part": grade.part,
        "grader": grade.grader,
        "provisional": grade.grader == "local",
        "confidence": grade.confidence,
        "status": grade.status,
        "review_reasons": grade.review_reasons,
        "criteria": [
            {
                **c,
                "name": rubric_names.get(c["id"], {}).get("name", c["id"]),
                "weight": rubric_names.get(c["id"], {}).get("weight"),
                # The answer's own level where a follow-up reply was graded on this criterion.
                "answer_level": c.get("answer_level"),
                "effective_level": levels.get(c["id"]),
                "overridden": levels.get(c["id"]) != c["level"] or any(o.criterion_id == c["id"] for o in grade.overrides.all()),
            }
            for c in grade.criteria
        ],
        "overrides": [
            {
                "criterion": o.criterion_id,
                "criterion_name": rubric_names.get(o.criterion_id, {}).get("name", o.criterion_id),
                "level": o.level,
                "comment": o.comment,
                "by": o.by.email if o.by else None,
                "at": o.created_at,
            }
            for o in grade.overrides.all()
        ],
    }


def _follow_up_report(follow_up: FollowUp, criteria: dict[str, dict[str, Any]], coding_quotes: list[str]) -> dict[str, Any]:
    """One follow-up: what was asked, by whom, when, the reply and its state, the reply's
    evidence; for a written answer what it did to the criterion it probed."""
    item: dict[str, Any] = {
        "id": follow_up.id,
        "number": follow_up.number,
        "criterion_id": follow_up.criterion_id,
        "criterion_name": follow_up.criterion_name,
        "question": follow_up.question,
        "source": follow_up.source,
        "source_label": FOLLOW_UP_SOURCE_LABELS.get(follow_up.source, follow_up.source),
        "asked_at": follow_up.asked_at,
        "deadline": follow_up.deadline,
        "state": follow_up.state,
        "state_label": FOLLOW_UP_STATE_LABELS.get(follow_up.state, follow_up.state),
        "reply": follow_up.reply,
        "reply_saved_at": follow_up.reply_saved_at,
        "late_reply": follow_up.late_reply,
        "late_reply_at": follow_up.late_reply_at,
        "evidence": [],
        "level_change": None,
    }
    if follow_up.state != FollowUp.State.ANSWERED:
        return item
    if follow_up.source == FollowUp.Source.CODING:
        item["evidence"] = coding_quotes
        return item
    criterion = criteria.get(follow_up.criterion_id) or {}
    graded = criterion.get("follow_up")
    if isinstance(graded, dict):
        item["evidence"] = list(graded.get("evidence") or [])
        item["level_change"] = {
            "answer_level": criterion.get("answer_level"),
            "reply_level": graded.get("level"),
            "level": criterion.get("level"),
        }
    return item


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
        # Still being graded: the sandbox has not run the code yet, or a grader is at work.
        "grading_pending": answer.grade_status == "pending"
        or (answer.submission is not None and answer.submission.status in ("queued", "running")),
        "saved_at": answer.saved_at,
        "answer": answer.payload,
    }
    follow_ups = list(answer.follow_ups.all())
    criteria: dict[str, dict[str, Any]] = {}
    coding_quotes: list[str] = []
    if kind == "coding" and answer.submission is not None:
        item["submission"] = {
            "verdict": answer.submission.verdict,
            "score": answer.submission.score,
            "result": answer.submission.result,
        }
    elif kind in ("multiple_choice", "numeric"):
        item["feedback"] = answer.feedback
    elif kind == "free_text":
        grade = _latest_grade(answer)
        if grade is not None:
            item["rubric"] = _rubric_report(grade, version.spec)
            criteria = {c["id"]: c for c in item["rubric"]["criteria"]}
    if kind == "coding" and follow_ups:
        # The reply to the code's follow-up has its own grade, beside the tests' score and
        # never in it; the recruiter can override its levels like any rubric grade's.
        grade = _latest_grade(answer, FOLLOW_UP_PART)
        replied = any(f.state == FollowUp.State.ANSWERED for f in follow_ups)
        item["follow_up_grade"] = None
        item["follow_up_grade_pending"] = grade is None and replied
        if grade is not None and "follow_up" in version.spec:
            rubric = follow_up_rubric(version.spec)
            item["follow_up_grade"] = {
                **_rubric_report(grade, rubric),
                "score": grade_score(grade, rubric),
                "machine_score": grade.machine_score,
                "in_score": False,
            }
            coding_quotes = list(dict.fromkeys(q for c in grade.criteria for q in c.get("evidence") or []))
    if follow_ups:
        item["follow_ups"] = [_follow_up_report(f, criteria, coding_quotes) for f in follow_ups]
    return item


def _excerpt(payload: dict[str, Any], kind: str, start: int, end: int) -> str:
    """The matched region of an answer: lines start..end of code, characters of text."""
    if kind == "code":
        lines = (payload.get("source") or "").splitlines()
        return "\n".join(lines[max(start - 1, 0) : end])
    return (payload.get("text") or "")[start:end]


def _flag_report(flag: SimilarityFlag, session: InterviewSession, answer_ids: list[int]) -> dict[str, Any]:
    """One similarity flag seen from this session. The other side's identity and text are shown
    only when it belongs to the same organization; otherwise the recruiter learns that a match
    exists, not whose answer it is."""
    mine_is_a = flag.answer_a_id in answer_ids
    mine, other = (flag.answer_a, flag.answer_b) if mine_is_a else (flag.answer_b, flag.answer_a)
    other_session = other.session_question.session
    visible = session.organization_id is not None and other_session.organization_id == session.organization_id
    matches = []
    for region_a, region_b in flag.regions:
        own_region, other_region = (region_a, region_b) if mine_is_a else (region_b, region_a)
        matches.append(
            {
                "mine": {"start": own_region[0], "end": own_region[1], "text": _excerpt(mine.payload, flag.kind, *own_region)},
                "theirs": {
                    "start": other_region[0],
                    "end": other_region[1],
                    "text": _excerpt(other.payload, flag.kind, *other_region) if visible else None,
                },
            }
        )
    return {
        "question": flag.question_id,
        "position": mine.session_question.position,
        "kind": flag.kind,
        "similarity": flag.similarity,
        "other_candidate": other_session.candidate.email if visible else None,
        "other_session": other_session.id if visible else None,
        "other_visible": visible,
        "regions": flag.regions,
        "matches": matches,
    }


def session_report(session: InterviewSession, cohort: Cohort | None = None) -> dict[str, Any]:
    """The report's data; ``cohort`` when the caller already read it (the page draws it)."""
    questions = list(
        session.questions.select_related("question_version__question", "answer__submission")
        .prefetch_related("question_version__topics", "answer__follow_ups")
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
        "answer_a__session_question__session__candidate",
        "answer_b__session_question__session__candidate",
    )
    events = session_integrity_summary(session)
    seconds = {q["position"]: q["seconds"] for q in events["questions"]}
    for item in items:
        # Known when the interview page recorded which question was on screen (assessments).
        item["minutes_spent"] = round(seconds[item["position"]] / 60, 1) if events["timed"] else None
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
        "cohort": _cohort_summary(session_cohort(session) if cohort is None else cohort),
        "sections": {name: mean(scores) for name, scores in by_section.items()},
        "tracks": {name: mean(scores) for name, scores in by_track.items()},
        "strengths": sorted((t for t, s in topics.items() if s >= 70), key=lambda t: -topics[t]),
        "weaknesses": sorted((t for t, s in topics.items() if s < 50), key=lambda t: topics[t]),
        "topic_scores": dict(sorted(topics.items())),
        "questions": items,
        "integrity": {
            "similarity_flags": [_flag_report(flag, session, answer_ids) for flag in flags],
            "expired": session.finish_reason == "expired",
            "events": events,
        },
    }
