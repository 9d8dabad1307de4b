"""Fixtures of the grading tests (defined in tests/grading/written.py)."""

from tests.grading.written import answer_with, design_template

__all__ = ["answer_with", "design_template"]
