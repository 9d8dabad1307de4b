"""How a test's actual output is compared with the expected one, on the host.

Expected values never enter the sandbox; the harness reports what the candidate's
code returned or printed, and these functions decide whether it matches.
"""

from __future__ import annotations

import difflib
import json
import math
from enum import StrEnum


class Comparison(StrEnum):
    EXACT = "exact"
    WHITESPACE = "whitespace"
    FLOAT = "float"
    UNORDERED = "unordered"


DEFAULT_FLOAT_TOLERANCE = 1e-6


def _normalize_whitespace(text: str) -> str:
    return " ".join(text.split())


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _close(expected: object, actual: object, tolerance: float) -> bool:
    if _is_number(expected) and _is_number(actual):
        return math.isclose(float(expected), float(actual), rel_tol=tolerance, abs_tol=tolerance)  # type: ignore[arg-type]
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(_close(e, a, tolerance) for e, a in zip(expected, actual, strict=True))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(_close(expected[key], actual[key], tolerance) for key in expected)
    if isinstance(expected, str) and isinstance(actual, str):
        # Printed numbers: compare token by token, numerically where both parse.
        left, right = expected.split(), actual.split()
        if len(left) != len(right):
            return False
        for e, a in zip(left, right, strict=True):
            try:
                if not math.isclose(float(e), float(a), rel_tol=tolerance, abs_tol=tolerance):
                    return False
            except ValueError:
                if e != a:
                    return False
        return True
    return expected == actual and type(expected) is type(actual)


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True)


def _exact(expected: object, actual: object) -> bool:
    # JSON gives no tuples; bool is not an int here (True must not pass for 1).
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(_exact(e, a) for e, a in zip(expected, actual, strict=True))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(_exact(expected[k], actual[k]) for k in expected)
    return expected == actual


def values_match(
    expected: object,
    actual: object,
    comparison: Comparison,
    tolerance: float = DEFAULT_FLOAT_TOLERANCE,
) -> bool:
    """True when ``actual`` is an acceptable answer for ``expected``."""
    if comparison is Comparison.WHITESPACE:
        if isinstance(expected, str) and isinstance(actual, str):
            return _normalize_whitespace(expected) == _normalize_whitespace(actual)
        return _exact(expected, actual)
    if comparison is Comparison.FLOAT:
        return _close(expected, actual, tolerance)
    if comparison is Comparison.UNORDERED:
        if isinstance(expected, list) and isinstance(actual, list):
            return sorted(map(_canonical, expected)) == sorted(map(_canonical, actual))
        if isinstance(expected, str) and isinstance(actual, str):
            return sorted(expected.split()) == sorted(actual.split())
        return _exact(expected, actual)
    return _exact(expected, actual)


def render(value: object, limit: int = 2000) -> str:
    """A short, readable form of a value for a candidate or recruiter to look at."""
    text = value if isinstance(value, str) else json.dumps(value)
    if len(text) > limit:
        return text[:limit] + f"… ({len(text) - limit} more characters)"
    return text


def text_diff(expected: str, actual: str, limit: int = 4000) -> str:
    """A unified diff of expected vs actual output, capped for display."""
    lines = difflib.unified_diff(expected.splitlines(), actual.splitlines(), "expected", "actual", lineterm="", n=2)
    text = "\n".join(lines)
    return text if len(text) <= limit else text[:limit] + "\n…"
