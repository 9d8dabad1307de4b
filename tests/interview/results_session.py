"""A practice interview with one question of each kind, a select-all-that-apply one among
them, for the results tests (tests/interview/test_results_payload.py, tests/web/test_results_page.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from interview.models import InterviewTemplate, TemplateSection
from questions.models import Question
from questions.services import bank_import

BANK = Path(__file__).resolve().parents[2] / "questions" / "bank"
# The real bank's leakage question: six options, four correct (a, b, d, f), and an
# explanation that cites each option as "- (a) …".
LEAKAGE = "cross-validation-data-leakage"
LEAKAGE_CORRECT = {"a", "d", "f"}  # the keyed options of ml_fundamentals/cross-validation-data-leakage
# Passes the visible example and the empty-input test, fails the duplicates one: 2 of 3.
HALF_RIGHT = "def count_pairs(nums, target):\n    return 2 if nums else 0\n"
TEXT = "Keys are spread with consistent hashing over the nodes. When memory is full we drop the least recently used keys (LRU)."


@pytest.fixture
def results_template(bank, tmp_path) -> InterviewTemplate:
    """Coding (sum-pairs) 1, select all that apply (the leakage question) 2, numeric 3, written 4."""
    shutil.copytree(BANK / "ml_fundamentals" / LEAKAGE, tmp_path / "ml_fundamentals" / LEAKAGE)
    bank_import(root=tmp_path)
    template = InterviewTemplate.objects.create(slug="results-loop", title="Results loop", total_minutes=30)
    section = TemplateSection.objects.create(template=template, position=1, title="Everything")
    for slug in ("sum-pairs", LEAKAGE, "auc-value", "design-cache"):
        section.questions.add(Question.objects.get(slug=slug))
    return template


def seen_options(session: dict, position: int) -> list[dict]:
    """The options of a choice question in the order the interview page showed them."""
    question = next(q for q in session["questions"] if q["position"] == position)
    return question["content"]["options"]
