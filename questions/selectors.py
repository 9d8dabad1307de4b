"""Reads for the question bank, scoped to what the asking user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import User
from questions.models import Question, Topic


def questions_visible_to(user: User) -> QuerySet[Question]:
    """The public bank for everyone signed in; an organization's private questions
    for its recruiters; everything for staff."""
    questions = Question.objects.filter(current_version__isnull=False)
    if user.is_staff:
        return questions
    if user.is_recruiter:
        return questions.filter(Q(organization__isnull=True) | Q(organization_id=user.organization_id))
    return questions.filter(organization__isnull=True)


def question_list(*, user: User, filters: dict[str, Any]) -> QuerySet[Question]:
    questions = questions_visible_to(user).select_related("current_version", "organization")
    if filters.get("track"):
        questions = questions.filter(track=filters["track"])
    if filters.get("kind"):
        questions = questions.filter(kind=filters["kind"])
    if filters.get("difficulty"):
        questions = questions.filter(current_version__difficulty=filters["difficulty"])
    if filters.get("topic"):
        questions = questions.filter(current_version__topics__slug=filters["topic"])
    if filters.get("search"):
        questions = questions.filter(current_version__title__icontains=filters["search"])
    if filters.get("owner") == "public":
        questions = questions.filter(organization__isnull=True)
    elif filters.get("owner") == "organization":
        questions = questions.filter(organization__isnull=False)
    return (
        questions.prefetch_related("current_version__topics").order_by("track", "current_version__difficulty", "slug").distinct()
    )


def question_get(*, user: User, question_id: int) -> Question | None:
    return (
        questions_visible_to(user)
        .select_related("current_version", "organization")
        .prefetch_related("current_version__topics")
        .filter(id=question_id)
        .first()
    )


def topic_list(*, user: User) -> QuerySet[Topic]:
    from django.db.models import Count

    visible = questions_visible_to(user).values("current_version")
    return (
        Topic.objects.filter(question_versions__in=visible)
        .annotate(questions=Count("question_versions", distinct=True))
        .order_by("slug")
    )
