"""What the grading core announces when a result is ready: ids only, never objects.

The grading core knows nothing of interviews (docs/architecture.md). Whoever keeps
answers listens: ``interview/receivers.py`` turns each signal into one service call.
Receivers run synchronously, inside the sender's transaction where there is one, so a
stored result and its effect on the answer commit together or not at all.
"""

from __future__ import annotations

from django.dispatch import Signal

# A graded submission ("submit" mode) reached its end: finished with a verdict, or given
# up after every retry (internal error, never a score). Sent with ``submission_id``.
submission_finished = Signal()

# A rubric grade of an answer was stored, or a recruiter's override changed the levels
# that count. Sent with ``answer_id`` and ``grade_id``, inside the transaction that wrote it.
rubric_grade_stored = Signal()
