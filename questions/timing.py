"""How long a candidate gets to practise one question on its own.

The bank page says it on the "Practise this question" button and the interview app
sets the session's clock with it, so both read it here. Plain Python, no Django.
"""

from __future__ import annotations

from questions.bank_format import Kind

# Enough for a calm attempt of a typical question of each kind; a question whose own
# estimate is longer gets that instead.
KIND_MINUTES: dict[str, int] = {Kind.CODING: 30, Kind.FREE_TEXT: 25, Kind.MULTIPLE_CHOICE: 5, Kind.NUMERIC: 5}
MAX_MINUTES = 120


def single_question_minutes(kind: str, time_estimate_minutes: int | None) -> int:
    """Minutes for a practice session of just this question: the kind's usual time, or
    the question's own estimate when that is longer, at most two hours."""
    return min(MAX_MINUTES, max(KIND_MINUTES.get(kind, 30), time_estimate_minutes or 0))
