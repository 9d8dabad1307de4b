"""What the interview app announces: ids only. The review app listens (review/receivers.py)."""

from __future__ import annotations

from django.dispatch import Signal

# An interview closed (the candidate finished, or its time ran out) and its answers were
# sent for grading. Sent with ``session_id``, inside the transaction that closed it.
session_finished = Signal()
