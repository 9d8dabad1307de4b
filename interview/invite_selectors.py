"""Reads of assessment invitations for the recruiter's invitations page and API."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from interview.models import AssessmentInvite, InterviewTemplate
from interview.selectors import templates_visible_to


def invite_templates_for(user: User) -> QuerySet[InterviewTemplate]:
    """Templates the recruiter may invite to (as interview.services.invites allows): the
    organization's active templates and the public ones, by title."""
    if not user.is_recruiter:
        return InterviewTemplate.objects.none()
    return templates_visible_to(user).order_by("title", "id")


def invites_for(user: User, *, state: str | None = None, template: int | None = None) -> QuerySet[AssessmentInvite]:
    """The organization's assessment invitations, newest first; ``state`` is one of
    AssessmentInvite.STATUSES, ``template`` a template id. Nobody else's, ever."""
    if not user.is_recruiter:
        return AssessmentInvite.objects.none()
    invites = AssessmentInvite.objects.filter(organization_id=user.organization_id).select_related(
        "template", "invited_by", "revoked_by", "session"
    )
    if template is not None:
        invites = invites.filter(template_id=template)
    now = timezone.now()
    if state == "used":
        invites = invites.filter(used_at__isnull=False)
    elif state == "revoked":
        invites = invites.filter(used_at__isnull=True, revoked_at__isnull=False)
    elif state == "expired":
        invites = invites.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now)
    elif state == "pending":
        invites = invites.filter(Q(used_at__isnull=True) & Q(revoked_at__isnull=True) & Q(expires_at__gt=now))
    return invites.order_by("-created_at", "-id")
