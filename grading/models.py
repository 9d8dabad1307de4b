"""Submissions of code: stored first, then claimed and run by a worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from questions.models import QuestionVersion
from sandbox.jobs import Verdict


class Submission(models.Model):
    class Mode(models.TextChoices):
        RUN = "run", "Run (visible tests and custom input, not graded)"
        SUBMIT = "submit", "Submit (all tests, graded)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        # Our fault, after every retry: never charged to the candidate as a score.
        ERROR = "error", "Internal error"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    question_version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="submissions")
    mode = models.CharField(max_length=10, choices=Mode.choices)
    language = models.CharField(max_length=20, default="python")
    source = models.TextField()
    custom_input = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Why it is still waiting, in words a candidate can read ("the sandbox is restarting…").
    status_message = models.CharField(max_length=300, blank=True)
    verdict = models.CharField(max_length=30, choices=[(v.value, v.value) for v in Verdict], blank=True)
    score = models.FloatField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    backend = models.CharField(max_length=20, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    claimed_by = models.CharField(max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # How long a run may take before a sweeper decides its worker died.
    run_timeout_seconds = models.FloatField(default=120.0)
    # Assessment grading runs: their verdicts go to the recruiter, not the candidate.
    visible_to_author = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "claimed_at"]), models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"submission {self.id} ({self.mode}, {self.status})"
