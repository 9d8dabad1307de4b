"""Celery tasks of the review side: thin, they take ids and call services."""

from __future__ import annotations

from celery import shared_task

from review.similarity_services import answer_similarity_check, answers_unchecked_for_similarity


# Registered under the name it had in grading/tasks.py, so that messages queued before the
# move still find it.
@shared_task(name="grading.tasks.answer_similarity_task")
def answer_similarity_task(answer_id: int) -> int:
    """Flags other candidates' answers to the same question that look copied."""
    return len(answer_similarity_check(answer_id=answer_id))


@shared_task
def answers_similarity_sweep() -> int:
    """Queues the similarity check of finished answers that never had one (a lost message)."""
    unchecked = answers_unchecked_for_similarity()
    for answer_id in unchecked:
        answer_similarity_task.delay(answer_id)
    return len(unchecked)
