"""Signed webhooks to organizations' own endpoints: emission, delivery with retries, the log.

An event (``session.finished``, ``session.graded``) becomes one ``WebhookDelivery`` per
active endpoint subscribed to it, written in the same transaction as the change that
caused it and sent by a Celery task only once that transaction commits. Each attempt
is a claim (so two workers never send the same attempt), the HTTP request runs outside
any transaction, and its outcome is appended to the delivery's log. A failed attempt
is retried with exponential backoff by the sweeper ``webhook_deliveries_send_due``,
which also rescues deliveries whose Celery message was lost or whose worker died.

The receiving side is documented in docs/api.md ("Webhooks"). Signing, URL checks and the
HTTP attempt itself are in accounts/webhook_transport.py; the reads in
accounts/webhook_selectors.py.
"""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization, User, WebhookDelivery, WebhookEndpoint, WebhookEvent
from accounts.webhook_selectors import require_webhook_admin
from accounts.webhook_transport import (
    USER_AGENT,
    AttemptOutcome,
    WebhookUrlRejected,
    payload_body,
    retry_delay,
    signature_header,
    url_addresses_check,
    webhook_post,
)
from config.celery import enqueue_on_commit
from config.errors import ApplicationError, ConflictError, NotFoundError

log = logging.getLogger(__name__)

# Bounds what one organization can make us send per event.
MAX_ENDPOINTS_PER_ORGANIZATION = 10
# The attempt log keeps the latest entries only, so redeliveries cannot grow it forever.
ATTEMPT_LOG_SIZE = 50


# -- endpoints -----------------------------------------------------------------------


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def webhook_endpoint_create(*, user: User, url: str, events: list[str]) -> WebhookEndpoint:
    """A new endpoint of the user's organization (an org admin), with a fresh secret (shown once)."""
    require_webhook_admin(user)
    unknown = sorted(set(events) - set(WebhookEvent.values))
    if not events or unknown:
        raise ApplicationError(
            f"choose events among {', '.join(WebhookEvent.values)}", code="invalid", fields={"events": ["unknown or empty"]}
        )
    try:
        url_addresses_check(url, allow_private=settings.WEBHOOK_ALLOW_PRIVATE_HOSTS)
    except WebhookUrlRejected as exc:
        raise ApplicationError(str(exc), code=exc.code, fields={"url": [str(exc)]}) from None
    with transaction.atomic():
        # Counting under the organization's row lock: two requests at once cannot pass the limit.
        Organization.objects.select_for_update().filter(id=user.organization_id).first()
        if WebhookEndpoint.objects.filter(organization_id=user.organization_id).count() >= MAX_ENDPOINTS_PER_ORGANIZATION:
            raise ConflictError(
                f"an organization has at most {MAX_ENDPOINTS_PER_ORGANIZATION} webhook endpoints", code="too_many_webhooks"
            )
        endpoint = WebhookEndpoint(
            organization_id=user.organization_id,
            url=url,
            secret=_new_secret(),
            events=[e for e in WebhookEvent.values if e in events],
            created_by=user,
        )
        endpoint.full_clean()
        endpoint.save()
    return endpoint


MAX_GRACE_HOURS = 72


def _endpoint_of(user: User, endpoint: WebhookEndpoint) -> None:
    require_webhook_admin(user)
    if endpoint.organization_id != user.organization_id:
        raise NotFoundError("no such webhook endpoint")


def webhook_endpoint_secret_rotate(*, user: User, endpoint: WebhookEndpoint, grace_hours: int = 0) -> WebhookEndpoint:
    """A new secret (an org admin's change). For ``grace_hours`` the old one keeps signing
    every delivery beside the new one, retries included, so receivers can switch without
    rejecting events; ``grace_hours=0``, the default (a leaked secret), drops it at once.
    The page offers ``WEBHOOK_SECRET_GRACE_HOURS`` as its form's default; the API does not.

    Rotating again during a grace period replaces the secret in grace: only the one
    being replaced now is kept, never older ones.
    """
    _endpoint_of(user, endpoint)
    if not 0 <= grace_hours <= MAX_GRACE_HOURS:
        raise ApplicationError(
            f"the grace period is from 0 to {MAX_GRACE_HOURS} hours",
            code="invalid",
            fields={"grace_hours": [f"from 0 to {MAX_GRACE_HOURS}"]},
        )
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(id=endpoint.id)
        if grace_hours:
            endpoint.previous_secret = endpoint.secret
            endpoint.previous_secret_expires_at = timezone.now() + timedelta(hours=grace_hours)
        else:
            endpoint.previous_secret = ""
            endpoint.previous_secret_expires_at = None
        endpoint.secret = _new_secret()
        endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return endpoint


def webhook_endpoint_delete(*, user: User, endpoint: WebhookEndpoint) -> None:
    """Deletes the endpoint and its delivery log (an org admin's change); pending
    deliveries are never sent."""
    _endpoint_of(user, endpoint)
    endpoint.delete()


# -- emitting events -------------------------------------------------------------------


def webhook_event_emit(*, organization_id: int, event: str, data: dict[str, Any]) -> list[WebhookDelivery]:
    """One delivery of this event per active endpoint of the organization subscribed to it,
    sent once the surrounding transaction commits (nothing is sent if it rolls back)."""
    # Filtered in Python: few endpoints per organization, and SQLite (development) has
    # no JSON "contains".
    endpoints = [e for e in WebhookEndpoint.objects.filter(organization_id=organization_id, is_active=True) if event in e.events]
    if not endpoints:
        return []
    now = timezone.now()
    event_id = uuid.uuid4()
    payload = {"id": str(event_id), "type": event, "created_at": now.isoformat(), "data": data}
    from accounts.tasks import webhook_delivery_send

    with transaction.atomic():
        deliveries = WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(endpoint=endpoint, event_id=event_id, event=event, payload=payload, next_attempt_at=now)
                for endpoint in endpoints
            ]
        )
        for delivery in deliveries:
            enqueue_on_commit(webhook_delivery_send, delivery.id)
    return deliveries


# -- sending ---------------------------------------------------------------------------


def _claim_seconds() -> float:
    # How long an attempt may take before the sweeper considers its worker gone: name
    # resolution, connecting, waiting for the answer, with a wide margin.
    return 4 * settings.WEBHOOK_TIMEOUT_SECONDS + 60


def _log_entry(attempt: int, at: datetime, outcome: AttemptOutcome) -> dict[str, Any]:
    return {
        "attempt": attempt,
        "at": at.isoformat(),
        "status_code": outcome.status_code,
        "error": outcome.error,
        "duration_ms": outcome.duration_ms,
    }


def webhook_delivery_attempt(*, delivery_id: int) -> str | None:
    """Makes the next attempt of a pending delivery that is due, and records it.

    Returns the delivery's status afterwards, or None when there was nothing to do
    (not due, already delivered, or another worker holds it): a duplicate task is harmless.
    """
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(id=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        if not delivery.endpoint.is_active:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.last_error = "the endpoint is disabled"
            delivery.save(update_fields=["status", "last_error"])
            return delivery.status
        # The claim: this worker owns attempt number `attempt` until the deadline below.
        delivery.attempts += 1
        delivery.next_attempt_at = now + timedelta(seconds=_claim_seconds())
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    attempt = delivery.attempts
    endpoint = delivery.endpoint
    if endpoint.previous_secret and not endpoint.grace_ends_at:
        _expired_secrets_clear(endpoint_ids=[endpoint.id])

    # Slow network I/O outside any transaction: no row stays locked while we wait.
    body = payload_body(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Mockloop-Event": delivery.event,
        "Mockloop-Delivery": str(delivery.event_id),
        "Mockloop-Signature": signature_header(
            secret=endpoint.secret, body=body, timestamp=int(time.time()), extra_secrets=endpoint.signing_secrets()[1:]
        ),
    }
    outcome = webhook_post(
        url=endpoint.url,
        body=body,
        headers=headers,
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        allow_private=settings.WEBHOOK_ALLOW_PRIVATE_HOSTS,
    )
    return _attempt_record(delivery_id=delivery.id, attempt=attempt, outcome=outcome)


def _attempt_record(*, delivery_id: int, attempt: int, outcome: AttemptOutcome) -> str | None:
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .filter(id=delivery_id, status=WebhookDelivery.Status.PENDING, attempts=attempt)
            .first()
        )
        if delivery is None:
            return None  # deleted meanwhile, or our claim lapsed and another attempt began
        delivery.attempt_log = [*delivery.attempt_log, _log_entry(attempt, now, outcome)][-ATTEMPT_LOG_SIZE:]
        delivery.last_status_code = outcome.status_code
        delivery.last_error = outcome.error
        delivery.last_duration_ms = outcome.duration_ms
        if outcome.delivered:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif attempt >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
            log.warning("webhook delivery %s failed after %s attempts: %s", delivery_id, attempt, outcome.error)
        else:
            delivery.next_attempt_at = now + timedelta(seconds=retry_delay(attempt))
        delivery.save()
    return delivery.status


def webhook_deliveries_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Pending deliveries whose next attempt is due: retries, lost messages, dead workers.

    A delivery whose last claimed attempt never reported back (its worker died) and that
    has no attempt left is failed here.
    """
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
    due.filter(attempts__gte=settings.WEBHOOK_MAX_ATTEMPTS).update(
        status=WebhookDelivery.Status.FAILED, next_attempt_at=None, last_error="the last attempt never reported back"
    )
    return list(due.order_by("next_attempt_at").values_list("id", flat=True)[:limit])


def _expired_secrets_clear(*, endpoint_ids: list[int] | None = None, now: datetime | None = None) -> int:
    # An expired replaced secret never signs (WebhookEndpoint.signing_secrets) and is not
    # kept either: whoever leaked it gets nothing from a database copy made later.
    expired = WebhookEndpoint.objects.exclude(previous_secret="").filter(
        Q(previous_secret_expires_at__isnull=True) | Q(previous_secret_expires_at__lte=now or timezone.now())
    )
    if endpoint_ids is not None:
        expired = expired.filter(id__in=endpoint_ids)
    return expired.update(previous_secret="", previous_secret_expires_at=None)


def webhook_expired_secrets_clear(*, now: datetime | None = None) -> int:
    """Erases every replaced secret whose grace period ended (run by the periodic sweep)."""
    return _expired_secrets_clear(now=now)


def webhook_delivery_redeliver(*, user: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Puts a failed delivery back in the queue with a fresh set of attempts; same event id
    (an org admin's change)."""
    require_webhook_admin(user)
    if not WebhookEndpoint.objects.filter(id=delivery.endpoint_id, organization_id=user.organization_id).exists():
        raise NotFoundError("no such webhook delivery")
    changed = WebhookDelivery.objects.filter(id=delivery.id, status=WebhookDelivery.Status.FAILED).update(
        status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    if not changed:
        raise ConflictError("only a failed delivery can be sent again", code="delivery_not_failed")
    from accounts.tasks import webhook_delivery_send

    enqueue_on_commit(webhook_delivery_send, delivery.id)
    delivery.refresh_from_db()
    return delivery
