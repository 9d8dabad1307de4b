"""The question bank in the database: questions and their immutable versions."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization
from questions.bank_format import Difficulty, Kind, Track


class Topic(models.Model):
    slug = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class Question(models.Model):
    """A question's identity: a slug in the public bank or in one organization.

    Its content lives in versions; ``current_version`` is what new interviews get.
    """

    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questions",
        help_text="Empty for the public bank; set for an organization's private questions.",
    )
    slug = models.SlugField(max_length=80)
    track = models.CharField(max_length=20, choices=[(t.value, t.value) for t in Track])
    kind = models.CharField(max_length=20, choices=[(k.value, k.value) for k in Kind])
    current_version = models.ForeignKey("QuestionVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["track", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], condition=Q(organization__isnull=True), name="question_public_slug_unique"),
            models.UniqueConstraint(
                fields=["organization", "slug"], condition=Q(organization__isnull=False), name="question_org_slug_unique"
            ),
        ]

    def __str__(self) -> str:
        owner = self.organization.slug if self.organization_id else "public"
        return f"{owner}/{self.slug}"


class QuestionVersion(models.Model):
    """One immutable version of a question's content, as an interview gives it."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    difficulty = models.CharField(max_length=10, choices=[(d.value, d.value) for d in Difficulty])
    topics = models.ManyToManyField(Topic, related_name="question_versions")
    time_estimate_minutes = models.PositiveIntegerField()
    prompt_markdown = models.TextField()
    prompt_html = models.TextField()
    # The kind-specific content (tests with expected values, options with the
    # correct ones, the rubric...): graders' eyes only, see questions.presenters.
    spec = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["question", "-number"]
        constraints = [models.UniqueConstraint(fields=["question", "number"], name="question_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.question} v{self.number}"
