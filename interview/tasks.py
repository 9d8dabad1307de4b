"""Celery tasks for interviews."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from interview import services
from interview.models import AssessmentInvite


@shared_task
def sessions_finalize_expired() -> int:
    """Finishes and grades sessions whose time ran out (every 15 s from beat)."""
    return len(services.sessions_finalize_expired())


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def assessment_invite_email_send(invite_id: int, token: str) -> bool:
    invite = AssessmentInvite.objects.select_related("organization", "template").filter(id=invite_id).first()
    if invite is None or invite.status != "pending":
        return False
    link = f"{settings.SITE_URL}/assess/{token}/"
    send_mail(
        subject=f"{invite.organization.name} invites you to an interview on mockloop",
        message=(
            f"Hello {invite.candidate_name or ''},\n\n{invite.organization.name} invites you to take "
            f'"{invite.template.title}" ({invite.template.total_minutes} minutes, timed from when you start).\n\n'
            f"Start it here when you are ready:\n{link}\n\n"
            f"The link works once and expires on {invite.expires_at:%Y-%m-%d %H:%M} UTC."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invite.email],
    )
    return True
