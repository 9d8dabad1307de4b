"""Small formatting filters for report templates: stored names become the words people read."""

from __future__ import annotations

from django import template

from grading.models import AnswerGrade
from interview.presenters import GRADE_STATUS_LABELS
from interview.presenters import verdict_label as _verdict_label
from questions.names import topic_name, track_name

register = template.Library()

KIND_LABELS = {
    "coding": "coding",
    "multiple_choice": "multiple choice",
    "numeric": "numeric",
    "free_text": "written answer",
}

GRADER_LABELS = {"llm": "language model", "local": "local grader", "rules": "rules (empty answer)"}

SIGNAL_LABELS = {"answer_mostly_pasted": "Most of an answer was pasted", "fast_high_score": "A high score in little time"}


@register.filter
def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


@register.filter
def kb_to_mb(kb: int | None) -> str:
    return "" if not kb else f"{kb / 1024:.1f}"


@register.filter
def verdict_label(verdict: str | None) -> str:
    """``wrong_answer`` → "Wrong answer" (interview/presenters.py holds the words)."""
    return _verdict_label(verdict or "")


@register.filter
def grade_status_label(status: str | None) -> str:
    """An answer's grading state in words: "Not graded yet", "Being graded", "Graded"."""
    return GRADE_STATUS_LABELS.get(status or "", (status or "").replace("_", " "))


@register.filter
def review_status_label(status: str | None) -> str:
    """A rubric grade's state in words: "Needs human review" and so on."""
    return dict(AnswerGrade.Status.choices).get(status or "", (status or "").replace("_", " "))


@register.filter
def grader_label(grader: str | None) -> str:
    return GRADER_LABELS.get(grader or "", grader or "")


@register.filter
def signal_label(kind: str | None) -> str:
    return SIGNAL_LABELS.get(kind or "", (kind or "").replace("_", " ").capitalize())


# Topics and tracks read as the bank names them (questions/names.py): one set of words.
register.filter("topic_label", topic_name)
register.filter("track_label", track_name)
