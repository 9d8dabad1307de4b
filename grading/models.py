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


class AnswerGrade(models.Model):
    """One machine grade of a written answer against its rubric, with everything
    needed to audit it: the prompt, the raw completion, tokens, cost and time."""

    class Status(models.TextChoices):
        GRADED = "graded", "Graded"
        NEEDS_REVIEW = "needs_review", "Needs human review"
        REVIEWED = "reviewed", "Reviewed by a human"

    # The answer graded. The grading core reads only its id (docs/architecture.md): what it
    # graded is recorded here, the text and the question version whose rubric it used.
    answer = models.ForeignKey("interview.Answer", on_delete=models.CASCADE, related_name="grades")
    question_version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="+")
    answer_text = models.TextField(blank=True)
    # What of the question was graded: its rubric (""), or a coding question's follow-up
    # rubric ("follow_up"; then answer_text is the reply). See grade_rubric.
    part = models.CharField(max_length=12, blank=True, default="")
    # Follow-ups graded with the answer: [{criterion_id, question, reply}] (the exchange).
    exchange = models.JSONField(default=list, blank=True)
    grader = models.CharField(max_length=10)  # "llm" or "local"
    model = models.CharField(max_length=100, blank=True)
    prompt_version = models.CharField(max_length=20)
    rubric_hash = models.CharField(max_length=16)
    cache_key = models.CharField(max_length=64, db_index=True)
    cached = models.BooleanField(default=False)
    status = models.CharField(max_length=14, choices=Status.choices)
    review_reasons = models.JSONField(default=list, blank=True)
    criteria = models.JSONField(default=list, blank=True)  # [{id, level, reasoning, evidence}]
    machine_score = models.FloatField(null=True, blank=True)
    # The local grader's confidence in its levels, 0 to 1 (none for other graders).
    confidence = models.FloatField(null=True, blank=True)
    injection_suspected = models.BooleanField(default=False)
    prompt = models.JSONField(default=list, blank=True)
    raw_completions = models.JSONField(default=list, blank=True)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=6, default=0)
    seconds = models.FloatField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    organization = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"grade {self.id} of answer {self.answer_id} ({self.status})"


class GradeOverride(models.Model):
    """A recruiter's level for one criterion; the machine's stays on record beside it."""

    grade = models.ForeignKey(AnswerGrade, on_delete=models.CASCADE, related_name="overrides")
    criterion_id = models.CharField(max_length=40)
    level = models.PositiveSmallIntegerField()
    comment = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.criterion_id} → {self.level} by {self.by_id}"


class LlmSpend(models.Model):
    """One LLM grading's money: reserved before the first request (the most it can
    cost), settled with what its calls really cost. Budgets count both, so concurrent
    gradings cannot together overshoot a budget (grading/llm_budget.py)."""

    class Status(models.TextChoices):
        RESERVED = "reserved", "Reserved (the grading is running)"
        SETTLED = "settled", "Settled"

    organization = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The candidate whose answer was graded: the per-user daily budget.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answer_id = models.BigIntegerField(null=True, blank=True)
    model = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RESERVED)
    reserved_usd = models.DecimalField(max_digits=10, decimal_places=6)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=6, default=0)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    calls = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=20, blank=True)  # graded, invalid, rejected, unavailable, error
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "created_at"]), models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"LLM spend {self.id}: {self.status} ${self.cost_usd if self.status == 'settled' else self.reserved_usd}"
