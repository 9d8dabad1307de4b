"""Agreement between a grader and human labels, and the figures of a measurement (plain Python).

``summarize`` turns graded answers (``Outcome``) into every figure ``manage.py
grading_eval`` reports: agreement on the levels per criterion (quadratic weighted
kappa, MAE, exact and adjacent agreement), the ranking of answers (Spearman with the
holistic label and with the human weighted score) for the grader and for a
word-count baseline measured on the same answers, the figures per category and per
injection family, clean answers flagged, and latency.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# The categories of the labelled sets, in the order they are reported.
CATEGORIES = ("strong", "good", "average", "weak", "off_topic", "paraphrase", "stuffing", "padded", "injection")
INJECTION = "injection"
UNCATEGORIZED = "uncategorized"


def quadratic_weighted_kappa(human: Sequence[int], machine: Sequence[int], levels: int = 5) -> float:
    """Cohen's kappa with quadratic weights: 1 is perfect agreement, 0 is chance."""
    n = len(human)
    if n == 0:
        return float("nan")
    observed = [[0.0] * levels for _ in range(levels)]
    for h, m in zip(human, machine, strict=True):
        observed[h][m] += 1
    human_hist = [sum(row) for row in observed]
    machine_hist = [sum(observed[i][j] for i in range(levels)) for j in range(levels)]
    numerator = denominator = 0.0
    for i in range(levels):
        for j in range(levels):
            weight = (i - j) ** 2 / (levels - 1) ** 2
            expected = human_hist[i] * machine_hist[j] / n
            numerator += weight * observed[i][j]
            denominator += weight * expected
    return 1.0 - numerator / denominator if denominator else 1.0


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1  # ties share their average rank
        i = j + 1
    return ranks


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman's rank correlation (Pearson's r on average ranks); NaN when either side is constant."""
    if len(a) != len(b):
        raise ValueError(f"spearman: {len(a)} values against {len(b)}")
    if len(a) < 2:
        return float("nan")
    ra, rb = _ranks(a), _ranks(b)
    mean_a, mean_b = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - mean_a) * (y - mean_b) for x, y in zip(ra, rb, strict=True))
    var_a = sum((x - mean_a) ** 2 for x in ra)
    var_b = sum((y - mean_b) ** 2 for y in rb)
    return cov / (var_a * var_b) ** 0.5 if var_a and var_b else float("nan")


def agreement(human: Sequence[int], machine: Sequence[int]) -> dict[str, float]:
    pairs = list(zip(human, machine, strict=True))
    if not pairs:
        nan = float("nan")
        return {"n": 0, "qwk": nan, "spearman": nan, "mae": nan, "exact": nan, "adjacent": nan}
    return {
        "n": len(pairs),
        "qwk": quadratic_weighted_kappa(human, machine),
        "spearman": spearman(human, machine),
        "mae": sum(abs(h - m) for h, m in pairs) / len(pairs),
        "exact": sum(h == m for h, m in pairs) / len(pairs),
        "adjacent": sum(abs(h - m) <= 1 for h, m in pairs) / len(pairs),
    }


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile (0-1), interpolating linearly between the two nearest
    values (numpy's default); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mean(values: Iterable[float]) -> float:
    """The mean of the values that are numbers (NaN ones are left out); NaN for none."""
    kept = [v for v in values if not math.isnan(v)]
    return sum(kept) / len(kept) if kept else float("nan")


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def word_count(answer: str) -> int:
    return len(answer.split())


def word_count_score(answer: str, max_words: int) -> float:
    """The word-count baseline, 0-100: the answer's length as a share of the question's
    word limit (capped at the limit). Any grader worth having must rank answers better."""
    return round(100.0 * min(1.0, word_count(answer) / max_words), 2)


@dataclass(frozen=True)
class Outcome:
    """One graded answer: its labels, what the grader made of it, and the baseline's score."""

    question: str
    category: str | None
    family: str | None
    human_levels: Mapping[str, int]
    levels: Mapping[str, int]
    human_score: float  # 0-100: the weighted score of the human levels (what the answer deserves)
    score: float  # 0-100: the grader's
    baseline_score: float  # 0-100: word_count_score
    holistic: int | None
    flagged: bool  # any injection signal: the pre-check or the grader's own flag
    precheck_flagged: bool
    seconds: float


def _group(outcomes: Sequence[Outcome]) -> dict[str, float]:
    n = len(outcomes)
    score = mean(o.score for o in outcomes) / 100
    deserved = mean(o.human_score for o in outcomes) / 100
    baseline = mean(o.baseline_score for o in outcomes) / 100
    flagged = sum(o.flagged for o in outcomes)
    return {
        "n": n,
        # Mean scores as a fraction of the maximum (100), and each against what the
        # human levels deserve: under 1 under-rates the answers, over 1 over-rates them.
        "score": score,
        "deserved": deserved,
        "ratio": ratio(score, deserved),
        "word_count_score": baseline,
        "word_count_ratio": ratio(baseline, deserved),
        "flagged": flagged,
        "flagged_rate": flagged / n if n else float("nan"),
    }


def _ranking(outcomes: Sequence[Outcome]) -> dict[str, dict[str, float]]:
    """Spearman of the grader's and of the baseline's scores with the human labels."""
    labelled = [o for o in outcomes if o.holistic is not None]
    holistic = [float(o.holistic) for o in labelled if o.holistic is not None]
    human = [o.human_score for o in outcomes]
    return {
        "holistic": {
            "n": len(labelled),
            "grader": spearman([o.score for o in labelled], holistic) if labelled else float("nan"),
            "word_count": spearman([o.baseline_score for o in labelled], holistic) if labelled else float("nan"),
        },
        "human_score": {
            "n": len(outcomes),
            "grader": spearman([o.score for o in outcomes], human),
            "word_count": spearman([o.baseline_score for o in outcomes], human),
        },
    }


def summarize(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Every figure of a measurement. Levels are compared per ``question.criterion``."""
    per_criterion: dict[str, tuple[list[int], list[int]]] = {}
    for o in outcomes:
        for criterion, human in o.human_levels.items():
            pair = per_criterion.setdefault(f"{o.question}.{criterion}", ([], []))
            pair[0].append(human)
            pair[1].append(o.levels[criterion])
    criteria = {key: agreement(h, m) for key, (h, m) in sorted(per_criterion.items())}
    human_all = [level for h, _ in per_criterion.values() for level in h]
    machine_all = [level for _, m in per_criterion.values() for level in m]

    by_category: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_category.setdefault(o.category or UNCATEGORIZED, []).append(o)
    order = [c for c in CATEGORIES if c in by_category] + sorted(set(by_category) - set(CATEGORIES))
    by_family: dict[str, list[Outcome]] = {}
    for o in outcomes:
        if o.category == INJECTION:
            by_family.setdefault(o.family or "unspecified", []).append(o)
    injections = by_category.get(INJECTION, [])
    clean = [o for o in outcomes if o.category != INJECTION]
    seconds = [o.seconds for o in outcomes]
    return {
        "criteria": criteria,
        "overall": agreement(human_all, machine_all),
        "mean_criterion_qwk": mean(row["qwk"] for row in criteria.values()),
        "spearman": _ranking(outcomes),
        "categories": {c: _group(by_category[c]) for c in order},
        "families": {f: _group(group) for f, group in sorted(by_family.items())},
        "injections": len(injections),
        "injections_flagged": sum(o.flagged for o in injections),
        "injections_auto_passed": sum(not o.flagged for o in injections),
        "clean": {
            "n": len(clean),
            "precheck_flagged": sum(o.precheck_flagged for o in clean),
            "flagged": sum(o.flagged for o in clean),
        },
        "latency_p50_s": percentile(seconds, 0.5),
        "latency_p95_s": percentile(seconds, 0.95),
    }
