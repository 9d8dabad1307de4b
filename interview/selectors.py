"""Reads for interviews, scoped to who may see them."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import User
from interview.models import InterviewSession, InterviewTemplate


def templates_visible_to(user: User) -> QuerySet[InterviewTemplate]:
    templates = InterviewTemplate.objects.filter(is_active=True)
    if user.is_recruiter:
        return templates.filter(Q(organization__isnull=True) | Q(organization_id=user.organization_id))
    return templates.filter(organization__isnull=True)


def session_get(*, user: User, session_id: int) -> InterviewSession | None:
    """A candidate's own session; recruiters reach their organization's assessments."""
    sessions = InterviewSession.objects.select_related("template", "candidate")
    if user.is_recruiter:
        sessions = sessions.filter(Q(candidate=user) | Q(organization_id=user.organization_id))
    else:
        sessions = sessions.filter(candidate=user)
    return sessions.filter(id=session_id).first()
