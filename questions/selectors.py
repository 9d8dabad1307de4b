"""Reads for the question bank, scoped to what the asking user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from accounts.models import User
from questions.models import Question, Topic
from questions.names import DIFFICULTY_RANK, TRACK_RANK, topic_name

# The bank page's orders, by the name its "Sort" menu sends. Difficulty and track sort
# by their rank (easy < medium < hard; the tracks in the order the site lists them),
# never by the alphabet.
SORTS: dict[str, tuple[str, ...]] = {
    "track": ("track_rank", "difficulty_rank", "current_version__title"),
    "easiest": ("difficulty_rank", "track_rank", "current_version__title"),
    "hardest": ("-difficulty_rank", "track_rank", "current_version__title"),
    "shortest": ("current_version__time_estimate_minutes", "difficulty_rank", "current_version__title"),
    "title": ("current_version__title",),
}


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
        # A title, or a topic ("dynamic programming" finds the topic dynamic-programming).
        words = filters["search"]
        questions = questions.filter(
            Q(current_version__title__icontains=words)
            | Q(current_version__topics__slug__icontains="-".join(words.lower().split()))
        )
    if filters.get("owner") == "public":
        questions = questions.filter(organization__isnull=True)
    elif filters.get("owner") == "organization":
        questions = questions.filter(organization__isnull=False)
    return (
        questions_ranked(questions.prefetch_related("current_version__topics"))
        .order_by(*SORTS.get(filters.get("sort") or "track", SORTS["track"]), "id")
        .distinct()
    )


def questions_ranked(questions: QuerySet[Question]) -> QuerySet[Question]:
    """``questions`` with ``difficulty_rank`` and ``track_rank`` to order by."""
    return questions.annotate(
        difficulty_rank=Case(
            *(When(current_version__difficulty=value, then=Value(rank)) for value, rank in DIFFICULTY_RANK.items()),
            default=Value(len(DIFFICULTY_RANK)),
            output_field=IntegerField(),
        ),
        track_rank=Case(
            *(When(track=value, then=Value(rank)) for value, rank in TRACK_RANK.items()),
            default=Value(len(TRACK_RANK)),
            output_field=IntegerField(),
        ),
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
    visible = questions_visible_to(user).values("current_version")
    return (
        Topic.objects.filter(question_versions__in=visible)
        .annotate(questions=Count("question_versions", distinct=True))
        .order_by("slug")
    )


def topic_choices(*, user: User, track: str | None = None) -> list[dict[str, Any]]:
    """The bank page's topic menu: for each track (only ``track``, when one is chosen),
    the topics of the questions this user may see in it, by name, each with its count.

    A flat list of every topic runs to ninety entries; grouped by track, and narrowed to
    the chosen track, the list a candidate scans is the one they are practising.
    """
    questions = questions_visible_to(user)
    if track:
        questions = questions.filter(track=track)
    rows = (
        questions.filter(current_version__topics__isnull=False)
        .values("track", "current_version__topics__slug")
        .annotate(n=Count("id", distinct=True))
    )
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        slug = row["current_version__topics__slug"]
        groups.setdefault(row["track"], []).append({"slug": slug, "name": topic_name(slug), "count": row["n"]})
    return [
        {"track": name, "topics": sorted(groups[name], key=lambda t: t["name"].lower())}
        for name in sorted(groups, key=lambda value: TRACK_RANK.get(value, len(TRACK_RANK)))
    ]
