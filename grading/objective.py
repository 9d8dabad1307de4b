"""Objective scoring: multiple-choice and numeric answers against the question's key.

Pure functions of the question's spec and the saved payload; the interview app stores
what they return on the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Floating-point slack on top of the question's own tolerance.
EPSILON = 1e-12


@dataclass(frozen=True)
class ObjectiveGrade:
    score: float  # 0 to 100
    feedback: dict[str, Any]


def multiple_choice_score(*, correct: set[str], selected: set[str], multiple: bool) -> float:
    """0 to 100. Single answer: full marks for the correct option, nothing otherwise.

    Select all that apply earns partial credit: each correct option picked earns its
    share (1 / the number of correct options), each wrong pick takes one share away,
    and the score never goes below zero. So with 4 correct options, 3 right picks
    and none wrong is 75; all 4 and 1 wrong is 75; 1 right and 2 wrong is 0. Picking
    every option is never better than knowing the answer.
    """
    if not multiple:
        return 100.0 if selected == correct else 0.0
    hits = len(selected & correct)
    wrong = len(selected - correct)
    return round(100.0 * max(0, hits - wrong) / len(correct), 2)


def multiple_choice_grade(spec: dict[str, Any], payload: dict[str, Any]) -> ObjectiveGrade:
    """The score of ``multiple_choice_score``, with what the feedback needs to explain it."""
    selected = set(payload.get("selected", []))
    correct = set(spec["correct"])
    multiple = bool(spec.get("multiple", False))
    return ObjectiveGrade(
        score=multiple_choice_score(correct=correct, selected=selected, multiple=multiple),
        feedback={
            "correct": sorted(correct),
            "selected": sorted(selected),
            "multiple": multiple,
            "correct_picks": len(selected & correct),
            "wrong_picks": len(selected - correct),
            "explanation": spec["explanation"],
        },
    )


def numeric_tolerance(spec: dict[str, Any]) -> float:
    """The larger of the absolute tolerance and the relative one applied to the answer."""
    return float(max(spec.get("tolerance", 0.0), abs(spec["answer"]) * spec.get("relative_tolerance", 0.0)))


def numeric_grade(spec: dict[str, Any], payload: dict[str, Any]) -> ObjectiveGrade:
    """Full marks within the tolerance of the key, nothing otherwise (or when unanswered)."""
    value = payload.get("value")
    tolerance = numeric_tolerance(spec)
    right = value is not None and abs(value - spec["answer"]) <= tolerance + EPSILON
    return ObjectiveGrade(
        score=100.0 if right else 0.0,
        feedback={"answer": spec["answer"], "tolerance": tolerance, "given": value, "explanation": spec["explanation"]},
    )
