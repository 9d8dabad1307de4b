"""What the review side does when an interview announces something (interview/signals.py).

Each receiver is one call to a service; connected once, in ``ReviewConfig.ready()``.
"""

from __future__ import annotations

from typing import Any

from interview import signals as interview_signals
from review.similarity_services import session_similarity_checks_queue


def _session_finished(sender: Any, *, session_id: int, **kwargs: Any) -> None:
    session_similarity_checks_queue(session_id=session_id)


def connect() -> None:
    interview_signals.session_finished.connect(_session_finished, dispatch_uid="review.session_finished")
