"""Similarity flags between candidates' answers, and the record that an answer was checked.

Both were made in the grading app and moved here with their tables (migration 0001 is
state only): the rows and their names in the database did not change.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SimilarityFlag(models.Model):
    """Two answers to the same question that look copied. Informs; never changes a score."""

    question = models.ForeignKey("questions.Question", on_delete=models.CASCADE, related_name="+")
    answer_a = models.ForeignKey("interview.Answer", on_delete=models.CASCADE, related_name="+")
    answer_b = models.ForeignKey("interview.Answer", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10)  # "code" or "text"
    similarity = models.FloatField()
    # [[[start, end], [start, end]], ...]: lines (code) or characters (text) in a and b.
    regions = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "grading_similarityflag"  # made in grading; moved here with its table (migration 0001)
        ordering = ["-similarity"]
        constraints = [models.UniqueConstraint(fields=["answer_a", "answer_b"], name="similarity_pair_unique")]

    def __str__(self) -> str:
        return f"{self.answer_a_id} ~ {self.answer_b_id} ({self.similarity:.0%})"


class SimilarityCheck(models.Model):
    """That an answer's similarity check ran: the sweep re-queues finished answers without one."""

    answer = models.OneToOneField("interview.Answer", on_delete=models.CASCADE, related_name="similarity_check")
    checked_at = models.DateTimeField(default=timezone.now)
    flags = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "grading_similaritycheck"

    def __str__(self) -> str:
        return f"answer {self.answer_id} checked at {self.checked_at:%Y-%m-%d %H:%M}"
