"""What the interview app does when the grading core announces a result (grading/signals.py).

Each receiver is one call to a service; connected once, in ``InterviewConfig.ready()``.
They run synchronously in the sender. ``rubric_grade_stored`` is sent inside the
transaction that stored the grade, so a grade and its effect on the answer commit
together; ``submission_finished`` is sent after the submission's result is stored.
"""

from __future__ import annotations

from typing import Any

from grading import signals as grading_signals
from interview import services


def _submission_finished(sender: Any, *, submission_id: int, **kwargs: Any) -> None:
    services.answer_submission_finished(submission_id=submission_id)
    services.coding_follow_up_on_submission(submission_id=submission_id)


def _rubric_grade_stored(sender: Any, *, answer_id: int, grade_id: int, **kwargs: Any) -> None:
    services.answer_rubric_grade_apply(answer_id=answer_id, grade_id=grade_id)


def connect() -> None:
    grading_signals.submission_finished.connect(_submission_finished, dispatch_uid="interview.submission_finished")
    grading_signals.rubric_grade_stored.connect(_rubric_grade_stored, dispatch_uid="interview.rubric_grade_stored")
