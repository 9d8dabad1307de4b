"""Writes for code submissions: create, claim and run, fail, and requeue stale claims.

A graded submission's end is announced with ``signals.submission_finished``; every
submission's end is published on ``submission_channel`` for its long polls."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from config import metrics
from config.celery import enqueue_on_commit
from config.errors import ApplicationError
from config.notify import notify_publish_on_commit
from config.sandbox_backend import SandboxUnavailable, sandbox_backend
from config.text import data_repair
from grading import signals
from grading.custom_input import CustomInputError, custom_input_check, custom_input_parse
from grading.models import Submission
from questions.bank_format import Kind
from questions.coding import coding_job
from questions.models import Question, QuestionVersion
from sandbox.backends import run_job
from sandbox.jobs import Job, JobError, SandboxFault, TestCase, Verdict

log = logging.getLogger(__name__)

MAX_CUSTOM_INPUT_BYTES = 64 * 1024
# Beyond the job's own time budget, before a claim counts as abandoned.
CLAIM_GRACE_SECONDS = 60
# What a candidate reads while the sandbox is unavailable, and once we gave up: fixed
# text, never a fault's own message (which names engines and hosts).
WAITING_MESSAGE = "waiting for a sandbox: the code will run as soon as one is available"
FAILED_MESSAGE = "we could not run this code because of a problem on our side; it does not count against you"


def _custom_test(question_spec: dict[str, Any], custom_input: Any) -> TestCase:
    if question_spec.get("mode") == "stdio":
        if not isinstance(custom_input, str):
            raise ApplicationError(
                "custom input for this question is the text given on stdin",
                code="invalid",
                fields={"custom_input": ["must be a string"]},
            )
        return TestCase(id="custom", name="custom input", visible=True, stdin=custom_input, compare=False)
    if not isinstance(custom_input, list):
        raise ApplicationError(
            "custom input for this question is the list of arguments to call the function with",
            code="invalid",
            fields={"custom_input": ["must be a list of arguments"]},
        )
    return TestCase(id="custom", name="custom input", visible=True, args=custom_input, compare=False)


def submission_job(submission: Submission) -> Job:
    """The sandbox job for a submission: all tests to submit, visible ones (and custom input) to run."""
    spec = submission.question_version.spec
    job = coding_job(spec, submission.source, visible_only=submission.mode == Submission.Mode.RUN)
    if submission.mode == Submission.Mode.RUN and submission.custom_input is not None:
        job = replace(job, tests=(*job.tests, _custom_test(spec, submission.custom_input)))
    return job


def submission_create(
    *,
    user: User,
    question: Question,
    source: str,
    mode: str,
    custom_input: Any = None,
    version: QuestionVersion | None = None,
    visible_to_author: bool = True,
) -> Submission:
    """Stores a run or a submission, queued; a worker picks it up once it is committed.

    Everything that can be wrong with the input is refused here, before anything runs.
    """
    # An interview answers the version it was given; the bank's current one otherwise.
    version = version or question.current_version
    if question.kind != Kind.CODING or version is None:
        raise ApplicationError("only coding questions take code", code="not_a_coding_question")
    if mode not in Submission.Mode.values:
        raise ApplicationError(f"mode must be run or submit, not {mode!r}", code="invalid", fields={"mode": ["invalid choice"]})
    if custom_input is not None and mode != Submission.Mode.RUN:
        raise ApplicationError(
            "custom input is for runs; a submission is graded on the question's tests",
            code="invalid",
            fields={"custom_input": ["only with mode run"]},
        )
    if custom_input is not None and len(repr(custom_input).encode()) > MAX_CUSTOM_INPUT_BYTES:
        raise ApplicationError("the custom input is too large", code="invalid", fields={"custom_input": ["at most 64 KiB"]})
    try:
        if isinstance(custom_input, str) and version.spec.get("mode") != "stdio":
            # Typed on the page as Python (or JSON): the list of arguments, read here, never run.
            custom_input = custom_input_parse(custom_input, version.spec.get("entrypoint"))
        elif custom_input is not None:
            # Sent as JSON by the API: held to the same limits as typed input.
            custom_input_check(custom_input)
    except CustomInputError as exc:
        raise ApplicationError(
            f"Custom input: {exc.message}.", code="invalid_custom_input", fields={"custom_input": [exc.message]}
        ) from None
    submission = Submission(
        user=user,
        question_version=version,
        mode=mode,
        source=source,
        custom_input=custom_input,
        language=version.spec.get("language", "python"),
    )
    try:
        job = submission_job(submission)
        job.validate()
    except JobError as exc:
        raise ApplicationError(
            exc.message, code=exc.code, fields={"source": [exc.message]} if "source" in exc.code else None
        ) from None
    submission.run_timeout_seconds = job.total_wall_seconds + CLAIM_GRACE_SECONDS
    with transaction.atomic():
        submission.save()
        from grading.tasks import submission_run_task

        # If the broker is down, submissions_requeue_stale publishes it again later.
        enqueue_on_commit(submission_run_task, submission.id)
    return submission


# Claims of one submission whose worker vanished each time, before it fails for good.
MAX_RUN_ATTEMPTS = 3


def _claim(submission_id: int, worker: str) -> bool:
    claimed = Submission.objects.filter(id=submission_id, status=Submission.Status.QUEUED).update(
        status=Submission.Status.RUNNING,
        claimed_by=worker[:200],
        claimed_at=timezone.now(),
        attempts=F("attempts") + 1,
        status_message="",
    )
    return claimed == 1


def submission_run(*, submission_id: int, worker: str) -> Submission | None:
    """Claims a queued submission, runs it in the sandbox and stores the result.

    Returns None when someone else has it (or it is done): running twice changes
    nothing. A sandbox fault releases the claim and is raised for the caller to
    retry; the candidate's own failures are results, stored like any other.
    """
    if not _claim(submission_id, worker):
        return None
    submission = Submission.objects.select_related("question_version").get(id=submission_id)
    try:
        job = submission_job(submission)
        backend = sandbox_backend()
        # The sandbox may take seconds: no transaction or row lock is held meanwhile.
        with metrics.sandbox_run_timed(backend.name):
            result = run_job(job, backend)
    except SandboxFault as exc:
        metrics.sandbox_fault(unavailable=isinstance(exc, SandboxUnavailable))
        # The fault's text is for operators: it can name engines and hosts. The
        # candidate reads fixed text only.
        log.warning("submission %s could not run: %s: %s", submission_id, type(exc).__name__, exc)
        Submission.objects.filter(id=submission_id, status=Submission.Status.RUNNING, claimed_by=worker[:200]).update(
            status=Submission.Status.QUEUED, claimed_by="", claimed_at=None, status_message=WAITING_MESSAGE
        )
        raise
    except Exception as exc:
        # Not the engine's fault and not the candidate's result: a bug of ours on this
        # submission. Running it again would fail again, so it fails once, for a person.
        log.exception("submission %s broke the grader", submission_id)
        submission_fail(submission_id=submission_id, reason=f"{type(exc).__name__}: {exc}")
        return None
    updated = Submission.objects.filter(id=submission_id, status=Submission.Status.RUNNING, claimed_by=worker[:200]).update(
        status=Submission.Status.FINISHED,
        verdict=result.verdict.value,
        score=result.score if submission.mode == Submission.Mode.SUBMIT else None,
        # The result quotes the candidate's output, tracebacks and values: a NUL or a lone
        # surrogate there (one print does it) would make the row unstorable, and the
        # submission would be claimed and run again forever. Stored repaired instead.
        result=data_repair(result.as_dict()),
        backend=result.backend,
        finished_at=timezone.now(),
        status_message="",
    )
    if not updated:
        log.warning("submission %s was re-claimed while this worker ran it; result dropped", submission_id)
        return None
    metrics.submission_finished(mode=submission.mode, verdict=result.verdict.value)
    submission.refresh_from_db()
    _finished(submission)
    return submission


def submission_channel(submission_id: int) -> str:
    """The channel (config/notify.py) on which a submission's end is announced to long polls."""
    return f"submission:{submission_id}"


def _finished(submission: Submission) -> None:
    """Announces a submission's end: to its long polls (runs too, once committed), and,
    graded, to the interview app, which records it on its answer."""
    notify_publish_on_commit(submission_channel(submission.id))
    if submission.mode == Submission.Mode.SUBMIT:
        signals.submission_finished.send(sender=Submission, submission_id=submission.id)


def submission_fail(*, submission_id: int, reason: str) -> None:
    """Gives up after every retry: an internal error, never a score of 0.

    ``reason`` goes to the log for operators; the candidate reads fixed text.
    """
    log.error("submission %s failed for good: %s", submission_id, reason[:1000])
    failed = Submission.objects.filter(id=submission_id, status__in=[Submission.Status.QUEUED, Submission.Status.RUNNING]).update(
        status=Submission.Status.ERROR,
        verdict=Verdict.INTERNAL_ERROR.value,
        score=None,
        finished_at=timezone.now(),
        status_message=FAILED_MESSAGE,
    )
    submission = Submission.objects.get(id=submission_id)
    if failed:
        metrics.submission_finished(mode=submission.mode, verdict=Verdict.INTERNAL_ERROR.value)
    _finished(submission)


def submissions_requeue_stale(*, now: Any = None) -> list[int]:
    """Re-queues submissions whose worker vanished mid-run, and queued ones whose task was lost."""
    now = now or timezone.now()
    requeued: list[int] = []
    running = Submission.objects.filter(status=Submission.Status.RUNNING).only(
        "id", "claimed_at", "run_timeout_seconds", "attempts"
    )
    for submission in running:
        if submission.claimed_at and submission.claimed_at + timedelta(seconds=submission.run_timeout_seconds) < now:
            if submission.attempts >= MAX_RUN_ATTEMPTS:
                # Its workers keep vanishing while it runs (killed mid-run, every time): a
                # submission that takes workers down is not run yet again.
                submission_fail(submission_id=submission.id, reason=f"no worker finished it in {submission.attempts} attempts")
                continue
            changed = Submission.objects.filter(
                id=submission.id, status=Submission.Status.RUNNING, claimed_at=submission.claimed_at
            ).update(
                status=Submission.Status.QUEUED,
                claimed_by="",
                claimed_at=None,
                status_message="re-queued: the worker running it stopped",
            )
            if changed:
                requeued.append(submission.id)
    lost_before = now - timedelta(seconds=settings.SUBMISSION_LOST_AFTER_SECONDS)
    # A submission that waits for a sandbox is retried by its own task for at most
    # SANDBOX_MAX_RETRIES minutes; one still queued after that lost its retry message
    # (the broker was down when the retry was sent).
    retries_over = lost_before - timedelta(minutes=settings.SANDBOX_MAX_RETRIES)
    requeued += list(
        Submission.objects.filter(status=Submission.Status.QUEUED)
        .filter(Q(attempts=0, created_at__lt=lost_before) | Q(created_at__lt=retries_over))
        .values_list("id", flat=True)
    )
    from grading.tasks import submission_run_task

    for submission_id in requeued:
        submission_run_task.delay(submission_id)
    return requeued
