"""The recruiter's dashboard (reads only): invites and interviews as one list, and a
side-by-side comparison of finished interviews."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils import timezone

from accounts.models import User
from config.errors import ApplicationError, NotFoundError
from grading.models import AnswerGrade
from grading.rubric_services import FOLLOW_UP_PART
from interview.models import Answer, AssessmentInvite, IntegrityEvent, InterviewSession, InterviewTemplate
from review.models import SimilarityFlag
from review.reports import session_report, sessions_for_recruiter

INVITE_STATUSES = ("invited", "expired_invite", "revoked_invite")
SESSION_STATUSES = ("started", "finished", "needs_review", "graded")
STATUSES = INVITE_STATUSES + SESSION_STATUSES
# A finished interview, whatever its grading: these can be compared.
FINISHED_STATUSES = ("finished", "needs_review", "graded")

# Sort keys, and the union's column each one orders by.
SORT_COLUMNS = {
    "date": "row_date",
    "score": "row_score",
    "candidate": "row_candidate_sort",
    "template": "row_template_title",
    "flags": "row_flags",
}
SORTS = tuple(key for name in SORT_COLUMNS for key in (name, f"-{name}"))

# The union's columns, in the same order on both sides (a UNION matches columns by position).
_COLUMNS = (
    "row_kind",
    "row_session",
    "row_invite",
    "row_candidate_name",
    "row_candidate_email",
    "row_candidate_sort",
    "row_template",
    "row_template_title",
    "row_status",
    "row_date",
    "row_score",
    "row_flags",
    "row_integrity",
    "row_finish_reason",
)

COMPARE_MIN, COMPARE_MAX = 2, 4


class _Count(Func):
    """COUNT(*) of a correlated subquery, without GROUP BY."""

    function = "COUNT"
    template = "%(function)s(*)"
    output_field = IntegerField()

    def __init__(self) -> None:
        super().__init__()


def _scoped(user: User) -> tuple[QuerySet[AssessmentInvite], QuerySet[InterviewSession]]:
    """The invites and assessments the user may see: their organization's (staff: all)."""
    sessions = sessions_for_recruiter(user).filter(mode=InterviewSession.Mode.ASSESSMENT)
    invites = AssessmentInvite.objects.all()
    if not user.is_staff:
        invites = invites.filter(organization_id=user.organization_id) if user.is_recruiter else invites.none()
    return invites, sessions


def _session_rows(sessions: QuerySet[InterviewSession]) -> QuerySet[InterviewSession]:
    answers = Answer.objects.filter(session_question__session_id=OuterRef("pk"))

    # Only an answer's latest grade counts (a re-grade supersedes the old one), of its
    # rubric and of a coding follow-up's reply (part "follow_up") apart. A human override
    # that gives every criterion a level turns needs_review into reviewed
    # (grading.rubric_services.grade_override), so the status alone says "unresolved".
    def latest_status(part: str) -> Subquery:
        grades = AnswerGrade.objects.filter(answer_id=OuterRef("pk"), part=part).order_by("-created_at", "-id")
        return Subquery(grades.values("status")[:1])

    needs_review = answers.annotate(
        latest_grade_status=latest_status(""), latest_follow_up_status=latest_status(FOLLOW_UP_PART)
    ).filter(Q(latest_grade_status=AnswerGrade.Status.NEEDS_REVIEW) | Q(latest_follow_up_status=AnswerGrade.Status.NEEDS_REVIEW))
    ungraded = answers.exclude(grade_status=Answer.GradeStatus.GRADED)
    flags = (
        SimilarityFlag.objects.filter(
            Q(answer_a__session_question__session_id=OuterRef("pk")) | Q(answer_b__session_question__session_id=OuterRef("pk"))
        )
        .order_by()
        .annotate(n=_Count())
        .values("n")
    )
    # Pastes and departures from the page; copies and returns are not worth a look on their own.
    integrity = (
        IntegrityEvent.objects.filter(
            session_id=OuterRef("pk"), kind__in=[IntegrityEvent.Kind.PASTE, IntegrityEvent.Kind.FOCUS_LOST]
        )
        .order_by()
        .annotate(n=_Count())
        .values("n")
    )
    in_progress = Q(status=InterviewSession.Status.IN_PROGRESS)
    name = Coalesce(
        NullIf(F("candidate__name"), Value("")),
        NullIf(F("invite__candidate_name"), Value("")),
        Value(""),
        output_field=CharField(),
    )
    return sessions.annotate(
        row_kind=Value("session"),
        row_session=F("id"),
        row_invite=F("invite_id"),
        row_candidate_name=name,
        row_candidate_email=F("candidate__email"),
        row_candidate_sort=Lower(Coalesce(NullIf(name, Value("")), F("candidate__email"), output_field=CharField())),
        row_template=F("template_id"),
        row_template_title=F("template__title"),
        row_status=Case(
            When(in_progress, then=Value("started")),
            When(Exists(needs_review), then=Value("needs_review")),
            When(Q(score__isnull=False) & ~Exists(ungraded), then=Value("graded")),
            default=Value("finished"),
            output_field=CharField(),
        ),
        row_date=Case(
            When(in_progress, then=F("started_at")),
            default=Coalesce(F("finished_at"), F("started_at")),
            output_field=DateTimeField(),
        ),
        row_score=F("score"),
        row_flags=Coalesce(Subquery(flags, output_field=IntegerField()), Value(0)),
        row_integrity=Coalesce(Subquery(integrity, output_field=IntegerField()), Value(0)),
        row_finish_reason=F("finish_reason"),
    )


def _invite_rows(invites: QuerySet[AssessmentInvite], now: datetime) -> QuerySet[AssessmentInvite]:
    # A used invite appears as its interview.
    return invites.filter(used_at__isnull=True).annotate(
        row_kind=Value("invite"),
        row_session=Value(None, output_field=IntegerField()),
        row_invite=F("id"),
        row_candidate_name=F("candidate_name"),
        row_candidate_email=F("email"),
        row_candidate_sort=Lower(Coalesce(NullIf(F("candidate_name"), Value("")), F("email"), output_field=CharField())),
        row_template=F("template_id"),
        row_template_title=F("template__title"),
        row_status=Case(
            When(revoked_at__isnull=False, then=Value("revoked_invite")),
            When(expires_at__lte=now, then=Value("expired_invite")),
            default=Value("invited"),
            output_field=CharField(),
        ),
        row_date=F("created_at"),
        row_score=Value(None, output_field=FloatField()),
        row_flags=Value(0, output_field=IntegerField()),
        row_integrity=Value(0, output_field=IntegerField()),
        row_finish_reason=Value(""),
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class DashboardRows:
    """The dashboard's rows, lazily: paginators count them and slice one page,
    which runs one query each. Rows are dicts (see ``_row``)."""

    def __init__(self, queryset: QuerySet[Any]) -> None:
        self._queryset = queryset

    def count(self) -> int:
        return self._queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (_row(values) for values in self._queryset)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [_row(values) for values in self._queryset[index]]
        return _row(self._queryset[index])


def _row(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": values["row_kind"],
        "session": values["row_session"],
        "invite": values["row_invite"],
        "candidate_name": values["row_candidate_name"],
        "candidate_email": values["row_candidate_email"],
        "template": values["row_template"],
        "template_title": values["row_template_title"],
        "status": values["row_status"],
        "date": values["row_date"],
        "score": values["row_score"],
        "similarity_flags": values["row_flags"],
        "integrity_events": values["row_integrity"],
        "finish_reason": values["row_finish_reason"],
        "comparable": values["row_status"] in FINISHED_STATUSES,
    }


def _filtered(
    user: User,
    *,
    template: int | None = None,
    status: str | None = None,
    score_min: float | None = None,
    score_max: float | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    flagged: bool | None = None,
    sort: str = "-date",
) -> tuple[QuerySet[AssessmentInvite], QuerySet[InterviewSession]]:
    if sort not in SORTS:
        raise ApplicationError(f"unknown sort {sort!r}", code="invalid", fields={"sort": ["unknown sort"]})
    if status is not None and status not in STATUSES:
        raise ApplicationError(f"unknown status {status!r}", code="invalid", fields={"status": ["unknown status"]})
    invites, sessions = _scoped(user)
    invite_rows = _invite_rows(invites, timezone.now())
    session_rows = _session_rows(sessions)
    if template is not None:
        invite_rows = invite_rows.filter(template_id=template)
        session_rows = session_rows.filter(template_id=template)
    if status is not None:
        invite_rows = invite_rows.filter(row_status=status) if status in INVITE_STATUSES else invite_rows.none()
        session_rows = session_rows.filter(row_status=status) if status in SESSION_STATUSES else session_rows.none()
    if score_min is not None or score_max is not None or flagged:
        invite_rows = invite_rows.none()  # no score, no flags
    if score_min is not None:
        session_rows = session_rows.filter(score__gte=score_min)
    if score_max is not None:
        session_rows = session_rows.filter(score__lte=score_max)
    if flagged is not None:
        session_rows = session_rows.filter(row_flags__gt=0) if flagged else session_rows.filter(row_flags=0)
    if date_from is not None:
        start = _day_start(date_from)
        invite_rows = invite_rows.filter(row_date__gte=start)
        session_rows = session_rows.filter(row_date__gte=start)
    if date_to is not None:
        end = _day_start(date_to + timedelta(days=1))
        invite_rows = invite_rows.filter(row_date__lt=end)
        session_rows = session_rows.filter(row_date__lt=end)
    return invite_rows, session_rows


def dashboard_rows(user: User, *, sort: str = "-date", **filters: Any) -> DashboardRows:
    """The organization's assessment invites not used yet and its assessments, as one list.

    Filters: ``template`` is a template id; ``status`` one of STATUSES; ``score_min`` and
    ``score_max``; ``date_from`` and ``date_to`` are days, both ends included; ``flagged``
    True keeps rows with similarity flags, False those without. The date is when the
    invite was made, the interview started (in progress) or finished. Candidates get
    no rows; staff get every organization's.
    """
    invite_rows, session_rows = _filtered(user, sort=sort, **filters)
    column = F(SORT_COLUMNS[sort.lstrip("-")])
    # Rows without a score sort last either way; the kind and ids make pages stable.
    primary = column.desc(nulls_last=True) if sort.startswith("-") else column.asc(nulls_last=True)
    union = (
        invite_rows.order_by()
        .values(*_COLUMNS)
        .union(session_rows.order_by().values(*_COLUMNS), all=True)
        .order_by(primary, "row_kind", "row_session", "row_invite")
    )
    return DashboardRows(union)


def dashboard_export_sessions(user: User, *, sort: str = "-date", **filters: Any) -> QuerySet[InterviewSession]:
    """The finished interviews among the dashboard's rows for these filters (the same
    arguments as ``dashboard_rows``), in the dashboard's order: what its exports hold."""
    _, session_rows = _filtered(user, sort=sort, **filters)
    column = F(SORT_COLUMNS[sort.lstrip("-")])
    primary = column.desc(nulls_last=True) if sort.startswith("-") else column.asc(nulls_last=True)
    return session_rows.filter(status=InterviewSession.Status.FINISHED).order_by(primary, "id")


def dashboard_templates(user: User) -> QuerySet[InterviewTemplate]:
    """Templates that have rows on the user's dashboard, for the filter."""
    invites, sessions = _scoped(user)
    return InterviewTemplate.objects.filter(
        Q(id__in=invites.values("template_id")) | Q(id__in=sessions.values("template_id"))
    ).order_by("title")


# -- comparison ------------------------------------------------------------------------


def _question_cell(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "position": item["position"],
        "title": item["title"],
        "kind": item["kind"],
        "score": item["score"],
        "grade_status": item["grade_status"],
    }


def compare_align(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Questions of several reports side by side, one row per aligned question.

    Within a section, a question several candidates drew shares a row; the rest are
    paired by their order in the section (random draws differ between candidates, so
    each cell keeps its own title). ``title`` is set when every cell has the same one;
    ``number`` counts the rows within their section.
    """
    sections: list[str] = []
    for report in reports:
        for item in report["questions"]:
            if item["section"] not in sections:
                sections.append(item["section"])
    rows: list[dict[str, Any]] = []
    for section in sections:
        per_report = [[item for item in report["questions"] if item["section"] == section] for report in reports]
        title_counts: dict[str, int] = {}
        for items in per_report:
            for title in {item["title"] for item in items}:
                title_counts[title] = title_counts.get(title, 0) + 1
        shared: list[str] = []
        for items in per_report:
            for item in items:
                if title_counts[item["title"]] > 1 and item["title"] not in shared:
                    shared.append(item["title"])
        section_rows: list[dict[str, Any]] = []
        for title in shared:
            cells = [next((_question_cell(i) for i in items if i["title"] == title), None) for items in per_report]
            section_rows.append({"section": section, "title": title, "cells": cells})
        rest = [[item for item in items if item["title"] not in shared] for items in per_report]
        for index in range(max((len(items) for items in rest), default=0)):
            cells = [_question_cell(items[index]) if index < len(items) else None for items in rest]
            titles = {cell["title"] for cell in cells if cell is not None}
            same = len(titles) == 1 and all(cell is not None for cell in cells)
            section_rows.append({"section": section, "title": titles.pop() if same else None, "cells": cells})
        rows += [{**row, "number": number} for number, row in enumerate(section_rows, start=1)]
    return rows


def _score_rows(reports: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    names: list[str] = []
    for report in reports:
        names += [name for name in report[key] if name not in names]
    return [{"name": name, "scores": [report[key].get(name) for report in reports]} for name in names]


def _integrity(report: dict[str, Any]) -> dict[str, Any] | None:
    """The report's summary of integrity events, when it has one."""
    events = report["integrity"].get("events")
    if not events:
        return None
    return {
        "pastes": events["pastes"],
        "focus_losses": events["focus_losses"],
        "seconds_away": events["seconds_away"],
        "signals": len(events["signals"]),
    }


def sessions_compare(user: User, *, session_ids: list[int]) -> dict[str, Any]:
    """Two to four finished interviews of the user's organization, side by side.

    Built from each interview's report (review.reports.session_report), so the
    numbers are the report's. Another organization's interview is not found.
    """
    ids = list(dict.fromkeys(session_ids))
    if not COMPARE_MIN <= len(ids) <= COMPARE_MAX:
        raise ApplicationError(
            f"pick {COMPARE_MIN} to {COMPARE_MAX} different interviews to compare ({len(ids)} given)",
            code="compare_count",
            fields={"session": [f"{COMPARE_MIN} to {COMPARE_MAX} interviews"]},
        )
    sessions = {session.id: session for session in sessions_for_recruiter(user).filter(id__in=ids)}
    if len(sessions) != len(ids):
        raise NotFoundError("no such interview")
    unfinished = [session_id for session_id in ids if sessions[session_id].status != InterviewSession.Status.FINISHED]
    if unfinished:
        raise ApplicationError(
            f"only finished interviews can be compared; still in progress: {', '.join(map(str, unfinished))}",
            code="session_not_finished",
            fields={"session": [f"{session_id} is in progress" for session_id in unfinished]},
        )
    reports = [session_report(sessions[session_id]) for session_id in ids]
    return {
        "same_template": len({sessions[session_id].template_id for session_id in ids}) == 1,
        "candidates": [
            {
                "session": report["session"],
                "candidate": report["candidate"],
                "template": report["template"],
                "score": report["score"],
                "finished_at": report["finished_at"],
                "finish_reason": report["finish_reason"],
                "minutes_used": report["minutes_used"],
                "similarity_flags": len(report["integrity"]["similarity_flags"]),
                "integrity": _integrity(report),
                "strengths": report["strengths"],
                "weaknesses": report["weaknesses"],
            }
            for report in reports
        ],
        "sections": _score_rows(reports, "sections"),
        "tracks": _score_rows(reports, "tracks"),
        "questions": compare_align(reports),
    }
