"""Assessment invitations: a recruiter invites a candidate by email to take a template."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import User, invite_token_hash
from config.errors import ApplicationError, NotFoundError
from interview.models import AssessmentInvite, InterviewTemplate


def assessment_invite_create(
    *, invited_by: User, template: InterviewTemplate, email: str, candidate_name: str = ""
) -> tuple[AssessmentInvite, str]:
    if not invited_by.is_recruiter or template.organization_id not in (None, invited_by.organization_id):
        raise NotFoundError("no such template")
    token = secrets.token_urlsafe(32)
    invite = AssessmentInvite(
        organization=invited_by.organization,
        template=template,
        email=User.objects.normalize_email(email).lower(),
        candidate_name=candidate_name,
        token_hash=invite_token_hash(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(hours=settings.ASSESSMENT_INVITE_TTL_HOURS),
    )
    invite.full_clean()
    invite.save()
    from interview.tasks import assessment_invite_email_send

    try:
        assessment_invite_email_send.delay(invite.id, token)
    except Exception as exc:
        # The token exists only in the email: an invite whose email was never queued could
        # never be used, and no sweep can send it again. It is undone and said, not lost.
        invite.delete()
        raise ApplicationError(
            "the invitation email could not be queued, so no invitation was made; try again in a minute",
            code="queue_unavailable",
            status_code=503,
        ) from exc
    return invite, token


def assessment_invite_get(*, token: str) -> AssessmentInvite:
    invite = (
        AssessmentInvite.objects.select_related("template", "organization").filter(token_hash=invite_token_hash(token)).first()
    )
    if invite is None:
        raise NotFoundError("this assessment link is not valid", code="invite_invalid")
    return invite
