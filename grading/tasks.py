"""Celery tasks for grading: thin, they take ids and call services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from config import metrics
from grading import services
from grading.sandboxes import SandboxUnavailable
from sandbox.jobs import SandboxFault

log = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=None)
def submission_run_task(self, submission_id: int) -> str | None:
    """Runs one submission. A sandbox fault (ours) is retried with backoff; the
    candidate's failures are results. Safe to run twice: the claim makes it a no-op."""
    try:
        submission = services.submission_run(submission_id=submission_id, worker=self.request.hostname or "worker")
    except SandboxFault as exc:
        # Only infrastructure faults come here: whatever the submitted code did is a
        # verdict already. A fault that running again cannot fix is not retried.
        if not exc.retryable or self.request.retries >= settings.SANDBOX_MAX_RETRIES:
            services.submission_fail(submission_id=submission_id, reason=f"{type(exc).__name__}: {exc}")
            return "error"
        if isinstance(exc, SandboxUnavailable):
            from grading.sandboxes import sandbox_reset

            sandbox_reset()
        metrics.sandbox_retry(unavailable=isinstance(exc, SandboxUnavailable))
        raise self.retry(exc=exc, countdown=min(2**self.request.retries, 60)) from None
    return submission.verdict if submission else None


@shared_task
def submissions_requeue_stale() -> int:
    return len(services.submissions_requeue_stale())


@shared_task
def sandbox_containers_sweep() -> int:
    """Removes sandbox containers a killed worker left behind."""
    import docker
    import docker.errors

    from sandbox.docker_backend import containers_sweep

    try:
        client = docker.from_env(timeout=30)
        client.ping()
    except docker.errors.DockerException:
        return 0
    return containers_sweep(client)


@shared_task(bind=True, acks_late=True, max_retries=8)
def rubric_grade_task(self, answer_id: int) -> str | None:
    """Grades a written answer. An unreachable, refusing or truncating LLM leaves it
    pending and is retried with backoff (then by rubric_grades_retry_pending)."""
    from grading.llm import LlmUnavailable
    from grading.rubric_services import BudgetExhausted, rubric_grade_answer
    from interview.models import Answer

    if not Answer.objects.filter(id=answer_id, grade_status=Answer.GradeStatus.PENDING).exists():
        return None  # graded already: a second delivery changes nothing
    try:
        return rubric_grade_answer(answer_id=answer_id).status
    except BudgetExhausted as exc:
        Answer.objects.filter(id=answer_id).update(feedback={"status": "budget_exhausted", "message": str(exc)})
        return "budget_exhausted"
    except LlmUnavailable as exc:
        Answer.objects.filter(id=answer_id).update(feedback={"status": "waiting_for_grader", "message": str(exc)[:300]})
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 1800)) from None


@shared_task
def rubric_grades_retry_pending() -> int:
    """Re-queues written answers of finished interviews that still have no grade."""
    from interview.models import Answer

    pending = Answer.objects.filter(
        grade_status=Answer.GradeStatus.PENDING,
        session_question__session__status="finished",
        session_question__question_version__question__kind="free_text",
        grades__isnull=True,
    ).values_list("id", flat=True)[:200]
    for answer_id in pending:
        rubric_grade_task.delay(answer_id)
    return len(pending)


@shared_task
def answer_similarity_task(answer_id: int) -> int:
    """Flags other candidates' answers to the same question that look copied."""
    from grading.similarity_services import answer_similarity_check

    return len(answer_similarity_check(answer_id=answer_id))


@shared_task
def answers_similarity_sweep() -> int:
    """Queues the similarity check of finished answers that never had one (a lost message)."""
    from grading.similarity_services import answers_unchecked_for_similarity

    unchecked = answers_unchecked_for_similarity()
    for answer_id in unchecked:
        answer_similarity_task.delay(answer_id)
    return len(unchecked)
