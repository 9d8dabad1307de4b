"""Celery tasks for accounts: thin, they take ids and call into Django."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone

from accounts.models import RecruiterInvite


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def invite_email_send(invite_id: int, token: str) -> bool:
    """Emails an invitation link. An SMTP outage (OSError) is retried with backoff."""
    invite = RecruiterInvite.objects.select_related("organization", "invited_by").filter(id=invite_id).first()
    if invite is None or invite.status != "pending":
        return False
    link = f"{settings.SITE_URL}/invites/{token}/"
    inviter = invite.invited_by.name or invite.invited_by.email if invite.invited_by else "An administrator"
    send_mail(
        subject=f"You are invited to {invite.organization.name} on mockloop",
        message=(
            f"{inviter} invited you to join {invite.organization.name} on mockloop as a "
            f"{invite.get_role_display().lower()}.\n\nAccept the invitation and choose a password:\n{link}\n\n"
            f"The link works once and expires on {invite.expires_at:%Y-%m-%d %H:%M} UTC."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invite.email],
    )
    return True


@shared_task
def invites_purge(older_than_days: int = 30) -> int:
    """Deletes unaccepted invitations that expired or were revoked over a month ago."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = (
        RecruiterInvite.objects.filter(accepted_at__isnull=True)
        .filter(Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff))
        .delete()
    )
    return deleted


@shared_task
def sessions_clear() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


# requests' timeout bounds each wait on the receiver, not a whole exchange: a receiver
# trickling bytes is cut by this hard limit (prefork workers), and the sweeper retries it.
@shared_task(acks_late=True, ignore_result=True, time_limit=int(3 * settings.WEBHOOK_TIMEOUT_SECONDS) + 30)
def webhook_delivery_send(delivery_id: int) -> str | None:
    """Makes the next attempt of one webhook delivery. A failure is retried by the sweeper
    below, after a backoff, not by Celery: the schedule lives in the database."""
    from accounts.webhook_services import webhook_delivery_attempt

    return webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task
def webhook_deliveries_send_due() -> int:
    """Queues every pending webhook delivery whose next attempt is due, and erases the
    replaced webhook secrets whose grace period ended (they no longer sign anything)."""
    from accounts.webhook_services import webhook_deliveries_due, webhook_expired_secrets_clear

    webhook_expired_secrets_clear()
    due = webhook_deliveries_due()
    for delivery_id in due:
        webhook_delivery_send.delay(delivery_id)
    return len(due)
