"""Spreadsheets of interviews: one row per session, the same columns in CSV and .xlsx.

One builder (``export_table``) feeds the dashboard's exports and the cohort CSV of the
API, so the numbers are the report's (review.reports.session_report) everywhere. The
writers keep spreadsheet formulas out: a cell a candidate could fill (a name, an answer
title) starting with = + - @ or a control character, or holding a separator (, ; | tab)
followed by one of = + - @ (Excel in a ";" locale splits the cell there), is prefixed with
an apostrophe; and every CSV field is quoted.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db.models import F, QuerySet

from grading.models import AnswerGrade
from interview.models import InterviewSession
from review.cohorts import Cohort
from review.reports import session_report

# Each row reads its report (a few queries per question): the export is bounded to what
# one request does in seconds, and says so.
EXPORT_MAX_ROWS = 2000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A formula start after a separator: a spreadsheet that splits on ; (or , | tab) would
# start a new cell there.
_FORMULA_AFTER_SEPARATOR = re.compile(r"[,;|\t][ ]*[=+\-@]")
TRACK_LABELS = {"python_dsa": "Python and algorithms", "ml_fundamentals": "ML fundamentals", "system_design": "System design"}
QUESTION_TITLE_CHARS = 40


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header: stable for programs
    label: str  # the spreadsheet's header: for people
    width: int = 14
    kind: str = "text"  # text, number, datetime


@dataclass
class ExportTable:
    columns: list[Column]
    rows: list[list[Any]]
    total: int
    truncated: bool = False
    notes: list[str] = field(default_factory=list)


def cell_safe(value: Any) -> Any:
    """A string a spreadsheet would run as a formula, made plain text."""
    if isinstance(value, str) and (value.startswith(FORMULA_STARTS) or _FORMULA_AFTER_SEPARATOR.search(value)):
        return "'" + value
    return value


def _short(title: str) -> str:
    return title if len(title) <= QUESTION_TITLE_CHARS else title[: QUESTION_TITLE_CHARS - 1].rstrip() + "…"


def _grades_by_session(sessions: list[InterviewSession]) -> dict[int, list[AnswerGrade]]:
    """The latest grade of each written answer and of each coding follow-up reply (a
    re-grade supersedes; the two parts apart), by session: one query for the whole export."""
    latest: dict[tuple[int, str], AnswerGrade] = {}
    grades = (
        AnswerGrade.objects.filter(answer__session_question__session__in=[s.id for s in sessions])
        .annotate(session_id=F("answer__session_question__session_id"))
        .order_by("answer_id", "part", "-created_at", "-id")
        .only("answer_id", "part", "grader", "model", "status", "created_at")
    )
    by_session: dict[int, list[AnswerGrade]] = defaultdict(list)
    for grade in grades:
        if (grade.answer_id, grade.part) not in latest:
            latest[grade.answer_id, grade.part] = grade
            by_session[grade.session_id].append(grade)
    return by_session


def review_state(grades: Iterable[AnswerGrade], overridden: bool) -> str:
    """Where the written answers' grades stand, in words: a human's word beats a machine's."""
    statuses = {grade.status for grade in grades}
    graders = {grade.grader for grade in grades}
    if AnswerGrade.Status.NEEDS_REVIEW in statuses:
        return "Pending review"
    if overridden or AnswerGrade.Status.REVIEWED in statuses:
        return "Reviewed"
    if "local" in graders:
        return "Provisional"
    if graders:
        return "Machine graded"
    return "No written answers"


def grader_names(grades: Iterable[AnswerGrade]) -> str:
    names = sorted({"local" if grade.grader == "local" else (grade.model or "LLM") for grade in grades})
    return "; ".join(names)


def _session_values(session: InterviewSession, cohort: Cohort, grades: list[AnswerGrade]) -> dict[str, Any]:
    report = session_report(session, cohort)
    overridden = any(
        criterion.get("overridden")
        for item in report["questions"]
        for grade in (item.get("rubric") or {}, item.get("follow_up_grade") or {})
        for criterion in grade.get("criteria", [])
    )
    events = report["integrity"]["events"]
    return {
        "session": session.id,
        "candidate_email": session.candidate.email,
        "candidate_name": session.candidate.name or (session.invite.candidate_name if session.invite_id else ""),
        "template": session.template.title,
        "status": session.get_status_display(),
        "finish_reason": session.get_finish_reason_display() if session.finish_reason else "",
        "started_at": session.started_at,
        "finished_at": session.finished_at,
        "minutes_used": report["minutes_used"],
        "score": session.score,
        "sections": report["sections"],
        "tracks": report["tracks"],
        "questions": {item["position"]: (item["title"], item["score"]) for item in report["questions"]},
        "percentile": report["cohort"]["percentile"],
        "pastes": events["pastes"],
        "copies": sum(q["copies"] for q in events["questions"]),
        "focus_lost": events["focus_losses"],
        "similarity_flags": len(report["integrity"]["similarity_flags"]),
        "review": review_state(grades, overridden),
        "grader": grader_names(grades),
    }


_LEADING = [
    Column("session", "Interview", 10, "number"),
    Column("candidate_email", "Email", 30),
    Column("candidate_name", "Candidate", 24),
    Column("template", "Template", 24),
    Column("status", "Status", 12),
    Column("finish_reason", "Ended", 22),
    Column("started_at", "Started (UTC)", 18, "datetime"),
    Column("finished_at", "Finished (UTC)", 18, "datetime"),
    Column("minutes_used", "Minutes used", 10, "number"),
    Column("score", "Score", 8, "number"),
]
_TRAILING = [
    Column("percentile", "Percentile in cohort", 12, "number"),
    Column("pastes", "Pastes", 8, "number"),
    Column("copies", "Copies", 8, "number"),
    Column("focus_lost", "Focus lost", 8, "number"),
    Column("similarity_flags", "Similarity flags", 10, "number"),
    Column("review", "Review", 18),
    Column("grader", "Grader", 22),
]


def _ordered_union(lists: Iterable[Iterable[Any]]) -> list[Any]:
    seen: dict[Any, None] = {}
    for items in lists:
        for item in items:
            seen.setdefault(item, None)
    return list(seen)


def export_table(sessions: QuerySet[InterviewSession], *, limit: int = EXPORT_MAX_ROWS) -> ExportTable:
    """One row per session, in the queryset's order (at most ``limit``), with a column per
    section, track and question position the sessions have. The percentile is within the
    session's cohort (same template and organization, review.reports.session_cohort)."""
    total = sessions.count()
    picked = list(sessions.select_related("template", "candidate", "invite")[:limit])
    cohorts: dict[tuple[int, int | None], list[float]] = {}
    for template_id, organization_id in {(s.template_id, s.organization_id) for s in picked}:
        cohorts[(template_id, organization_id)] = list(
            InterviewSession.objects.filter(
                template_id=template_id,
                organization_id=organization_id,
                mode=InterviewSession.Mode.ASSESSMENT,
                status=InterviewSession.Status.FINISHED,
                score__isnull=False,
            ).values_list("score", flat=True)
        )
    grades = _grades_by_session(picked)
    values = []
    for session in picked:
        scores = cohorts[(session.template_id, session.organization_id)]
        in_cohort = session.mode == InterviewSession.Mode.ASSESSMENT and session.organization_id is not None
        cohort = Cohort(scores=scores if in_cohort else [], score=session.score)
        values.append(_session_values(session, cohort, grades.get(session.id, [])))

    sections = _ordered_union(v["sections"] for v in values)
    tracks = _ordered_union(v["tracks"] for v in values)
    positions = sorted(_ordered_union(v["questions"] for v in values))
    titles = {p: {v["questions"][p][0] for v in values if p in v["questions"]} for p in positions}
    columns = (
        _LEADING
        + [Column(f"section: {name}", f"Section: {name}", 12, "number") for name in sections]
        + [Column(f"track: {name}", f"Track: {TRACK_LABELS.get(name, name)}", 12, "number") for name in tracks]
        + [
            # Random draws give candidates different questions at a position: then no title.
            Column(f"q{p}", f"Q{p} {_short(next(iter(titles[p])))}" if len(titles[p]) == 1 else f"Q{p}", 12, "number")
            for p in positions
        ]
        + _TRAILING
    )
    rows = []
    for v in values:
        row = [v[c.key] for c in _LEADING]
        row += [v["sections"].get(name) for name in sections]
        row += [v["tracks"].get(name) for name in tracks]
        row += [v["questions"][p][1] if p in v["questions"] else None for p in positions]
        row += [v[c.key] for c in _TRAILING]
        rows.append(row)
    table = ExportTable(columns=columns, rows=rows, total=total, truncated=total > len(picked))
    if table.truncated:
        table.notes.append(f"Only the first {len(picked)} of {total} interviews are here; narrow the filters for the rest.")
    return table


# -- writers -------------------------------------------------------------------------------


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return cell_safe(value)


def table_csv(table: ExportTable) -> bytes:
    buffer = io.StringIO()
    # Every field quoted: a separator inside a name never starts a cell of its own.
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow([cell_safe(c.key) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode()


def table_xlsx(table: ExportTable, *, title: str = "Interviews") -> bytes:
    """The table as an .xlsx workbook: numbers as numbers, dates as dates (UTC), the header
    bold and frozen, and an "About" sheet with the notes."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    bold = Font(bold=True)
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=cell_safe(column.label))
        cell.data_type = "s"
        cell.font = bold
        sheet.column_dimensions[get_column_letter(index)].width = max(column.width, min(len(column.label) + 2, 40))
    for row_number, row in enumerate(table.rows, start=2):
        for index, value in enumerate(row, start=1):
            if isinstance(value, datetime):
                cell = sheet.cell(row=row_number, column=index, value=value.astimezone(UTC).replace(tzinfo=None))
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, str):
                cell = sheet.cell(row=row_number, column=index, value=cell_safe(ILLEGAL_CHARACTERS_RE.sub("", value)))
                # openpyxl would take a string starting with "=" for a formula: never.
                cell.data_type = "s"
            else:
                sheet.cell(row=row_number, column=index, value=value)
    sheet.freeze_panes = "A2"
    about = book.create_sheet("About")
    about.column_dimensions["A"].width = 100
    lines = [f"{len(table.rows)} of {table.total} interviews.", *table.notes, "Times are UTC. Scores are out of 100."]
    for number, line in enumerate(lines, start=1):
        about.cell(row=number, column=1, value=cell_safe(line)).data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
