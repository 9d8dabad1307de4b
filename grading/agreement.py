"""Agreement between a grader's levels and human levels (plain Python)."""

from __future__ import annotations

from collections.abc import Sequence


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
    """Spearman's rank correlation (Pearson's r on average ranks)."""
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
    return {
        "n": len(pairs),
        "qwk": quadratic_weighted_kappa(human, machine),
        "spearman": spearman(human, machine),
        "mae": sum(abs(h - m) for h, m in pairs) / len(pairs),
        "exact": sum(h == m for h, m in pairs) / len(pairs),
        "adjacent": sum(abs(h - m) <= 1 for h, m in pairs) / len(pairs),
    }
