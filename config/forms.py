"""Form fields for the pages: text is checked for what the service can store (config/text.py)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from config.text import text_problem


def storable_text(value: str) -> None:
    problem = text_problem(value)
    if problem:
        raise ValidationError(f"This text {problem}.", code="unstorable")


class TextField(forms.CharField):
    """A CharField that refuses NUL, control characters, lone surrogates and non-characters."""

    default_validators = [storable_text]
