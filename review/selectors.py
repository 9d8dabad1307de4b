"""Reads of the review side that more than one page or API needs."""

from __future__ import annotations

from accounts.models import User
from config.errors import NotFoundError
from grading.models import AnswerGrade


def grade_for_reviewer(*, user: User, grade_id: int) -> AnswerGrade:
    """A rubric grade the user may review: staff see all; a recruiter, their organization's."""
    grades = AnswerGrade.objects.select_related("answer__session_question__session", "answer__session_question__question_version")
    if not user.is_staff:
        if not user.is_recruiter:
            raise NotFoundError("no such grade")
        grades = grades.filter(answer__session_question__session__organization_id=user.organization_id)
    grade = grades.filter(id=grade_id).first()
    if grade is None:
        raise NotFoundError("no such grade")
    return grade
