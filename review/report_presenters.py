"""The report as a recruiter reads it: highlighted code, evidence marked in the answer,
charts and the cohort. One context serves the web page and the PDF."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from interview.models import InterviewSession
from questions.names import topic_name
from review.charts import cohort_histogram_svg, section_scores_svg
from review.cohorts import Cohort
from review.reports import session_cohort, session_report

_CODE = HtmlFormatter(cssclass="code-hl", linenos="table")
CODE_CSS = _CODE.get_style_defs(".code-hl")


def code_html(source: str) -> SafeString:
    """Python source with line numbers; Pygments escapes every token."""
    return mark_safe(highlight(source or "", PythonLexer(), _CODE))  # noqa: S308 - Pygments output is escaped


def _spans(text: str, quote: str) -> list[tuple[int, int]]:
    if not quote.strip():
        return []
    found, start = [], text.find(quote)
    if start < 0:  # the grader's quote may differ in case only
        start = text.lower().find(quote.lower())
    while start >= 0:
        found.append((start, start + len(quote)))
        start = text.find(quote, start + len(quote))
    return found


def evidence_html(text: str, criteria: list[dict[str, Any]]) -> SafeString:
    """The answer with every evidence quote marked, each mark naming its criteria."""
    marks: list[tuple[int, int, str]] = []
    for criterion in criteria:
        for quote in criterion.get("evidence") or []:
            marks.extend((a, b, criterion["id"]) for a, b in _spans(text, quote))
    marks.sort()
    merged: list[list[Any]] = []
    for start, end, cid in marks:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            if cid not in merged[-1][2]:
                merged[-1][2].append(cid)
        else:
            merged.append([start, end, [cid]])
    out, cursor = [], 0
    for start, end, ids in merged:
        out.append(escape(text[cursor:start]))
        out.append(format_html('<mark data-criteria="{}" title="{}">{}</mark>', " ".join(ids), ", ".join(ids), text[start:end]))
        cursor = end
    out.append(escape(text[cursor:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


def _tests_summary(result: dict[str, Any] | None) -> dict[str, Any]:
    tests = (result or {}).get("tests") or []
    return {
        "passed": sum(1 for t in tests if t.get("verdict") == "accepted"),
        "total": len(tests),
        "max_cpu": max((t.get("cpu_seconds") or 0.0 for t in tests), default=0.0),
        "max_memory_mb": round(max((t.get("max_rss_kb") or 0 for t in tests), default=0) / 1024, 1),
    }


def cohort_standing(cohort: Cohort) -> str:
    """Where the candidate stands, in words: "better than 62% of 4 candidates on this
    template". The cohort counts the candidate too, so a cohort of one has no one else."""
    if cohort.size == 0:
        return ""
    if cohort.size == 1:
        return "the only candidate on this template so far: nothing to compare with yet"
    if cohort.percentile is None:
        return f"{cohort.size} candidates on this template; ranked once this score is final"
    return f"better than {int(cohort.percentile)}% of {cohort.size} candidates on this template"


def topic_chart(report: dict[str, Any]) -> SafeString | None:
    """The report's second chart: scores by topic.

    It replaced "Scores by track", which repeated "Section scores" whenever a template
    has one section per track (the usual layout). Topics cut across sections, so they
    answer what a recruiter asks next ("good at which skills?") with numbers behind the
    strengths and weaknesses listed below. Time per question was the other candidate,
    but it exists only for timed assessments, and the question cards already say it.
    None when no graded question has a topic.
    """
    scores = report["topic_scores"]
    if not scores:
        return None
    labelled = {topic_name(t): s for t, s in sorted(scores.items(), key=lambda item: (-item[1], item[0]))}
    return section_scores_svg(labelled, title="Scores by topic")


def level_change_words(change: dict[str, Any] | None, criterion_name: str) -> str:
    """What a follow-up reply did to its criterion: "Partitioning: level 1 → 3 after the
    reply (the reply alone: 3)", or "confirmed at level 2"."""
    if not change or change.get("level") is None:
        return ""
    before, after, reply = change.get("answer_level"), change["level"], change.get("reply_level")
    alone = f" (the reply alone: {reply})" if reply is not None else ""
    if before is not None and after > before:
        return f"{criterion_name}: level {before} → {after} after the reply{alone}"
    return f"{criterion_name}: confirmed at level {after}{alone}"


def _follow_ups_context(item: dict[str, Any]) -> None:
    """Each follow-up's reply with its evidence marked, and its level change in words."""
    grade = item.get("follow_up_grade") or {}
    for follow_up in item.get("follow_ups") or []:
        if follow_up["source"] == "coding":
            criteria = (grade.get("criteria") or []) if follow_up["state"] == "answered" else []
        else:
            criteria = [{"id": follow_up["criterion_id"], "evidence": follow_up["evidence"]}]
        follow_up["reply_html"] = evidence_html(follow_up["reply"], criteria)
        follow_up["level_change_text"] = level_change_words(follow_up["level_change"], follow_up["criterion_name"])


def report_context(session: InterviewSession) -> dict[str, Any]:
    cohort = session_cohort(session)
    report = session_report(session, cohort)
    for item in report["questions"]:
        if item["kind"] == "coding":
            item["code_html"] = code_html((item["answer"] or {}).get("source", ""))
            item["tests_summary"] = _tests_summary((item.get("submission") or {}).get("result"))
        elif item["kind"] == "free_text":
            criteria = (item.get("rubric") or {}).get("criteria") or []
            item["answer_html"] = evidence_html((item["answer"] or {}).get("text", ""), criteria)
        _follow_ups_context(item)
    for flag in report["integrity"]["similarity_flags"]:
        flag["percent"] = round(flag["similarity"] * 100)
    sections: dict[str, float | None] = {
        q["section"]: None for q in report["questions"]
    }  # every section, graded or not, in order
    sections.update(report["sections"])
    return {
        "report": report,
        "session": session,
        "cohort": cohort,
        "section_chart": section_scores_svg(sections),
        "topic_chart": topic_chart(report),
        "cohort_standing": cohort_standing(cohort),
        "cohort_chart": cohort_histogram_svg(cohort) if session.mode == InterviewSession.Mode.ASSESSMENT else None,
        "code_css": CODE_CSS,
    }
