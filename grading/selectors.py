"""Reads for submissions, scoped to who may see them."""

from __future__ import annotations

from accounts.models import User
from grading.models import Submission


def submission_get(*, user: User, submission_id: int) -> Submission | None:
    """A user's own submission, or any for staff. (Recruiters reach candidates'
    submissions through their organization's interview reports.)"""
    submissions = Submission.objects.select_related("question_version__question", "user")
    if not user.is_staff:
        submissions = submissions.filter(user=user, visible_to_author=True)
    return submissions.filter(id=submission_id).first()


def submission_sees_everything(*, user: User) -> bool:
    """Recruiters and staff see hidden tests' details; candidates only their verdicts."""
    return user.is_staff or user.is_recruiter
