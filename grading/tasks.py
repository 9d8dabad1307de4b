"""Celery tasks for grading: thin, they take ids and call services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from config import metrics
from config.sandbox_backend import SandboxUnavailable
from grading import services
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
            from config.sandbox_backend import sandbox_reset

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
