"""Cohort statistics: where a session stands among the finished, scored sessions of the
same template and organization (``review.reports.session_cohort`` picks them).

Pure functions of the scores; the report and its PDF show them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def percentile_rank(scores: Sequence[float], score: float) -> float:
    """Share of the cohort scoring below, counting ties as half (the mid-rank percentile)."""
    if not scores:
        return 0.0
    below = sum(1 for s in scores if s < score)
    equal = sum(1 for s in scores if s == score)
    return round(100 * (below + equal / 2) / len(scores), 1)


@dataclass(frozen=True)
class Cohort:
    scores: list[float]
    score: float | None

    @property
    def size(self) -> int:
        return len(self.scores)

    @property
    def percentile(self) -> float | None:
        return None if self.score is None or not self.scores else percentile_rank(self.scores, self.score)

    @property
    def median(self) -> float | None:
        if not self.scores:
            return None
        ordered = sorted(self.scores)
        middle = len(ordered) // 2
        return ordered[middle] if len(ordered) % 2 else round((ordered[middle - 1] + ordered[middle]) / 2, 2)
