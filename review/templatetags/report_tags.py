"""Small formatting filters for report templates."""

from __future__ import annotations

from django import template

register = template.Library()

KIND_LABELS = {
    "coding": "coding",
    "multiple_choice": "multiple choice",
    "numeric": "numeric",
    "free_text": "written answer",
}


@register.filter
def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


@register.filter
def kb_to_mb(kb: int | None) -> str:
    return "" if not kb else f"{kb / 1024:.1f}"
