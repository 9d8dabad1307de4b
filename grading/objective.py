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


def multiple_choice_grade(spec: dict[str, Any], payload: dict[str, Any]) -> ObjectiveGrade:
    """Full marks for exactly the correct set of options, nothing otherwise."""
    selected = set(payload.get("selected", []))
    correct = set(spec["correct"])
    return ObjectiveGrade(
        score=100.0 if selected == correct else 0.0,
        feedback={"correct": sorted(correct), "selected": sorted(selected), "explanation": spec["explanation"]},
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
