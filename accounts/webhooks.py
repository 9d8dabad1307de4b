"""Signed webhooks to organizations' own endpoints: emission, delivery with retries, the log.

An event (``session.finished``, ``session.graded``) becomes one ``WebhookDelivery`` per
active endpoint subscribed to it, written in the same transaction as the change that
caused it and sent by a Celery task only once that transaction commits. Each attempt
is a claim (so two workers never send the same attempt), the HTTP request runs outside
any transaction, and its outcome is appended to the delivery's log. A failed attempt
is retried with exponential backoff by the sweeper ``webhook_deliveries_send_due``,
which also rescues deliveries whose Celery message was lost or whose worker died.

The receiving side is documented in docs/api.md ("Webhooks").
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import random
import secrets
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
import requests.adapters
import urllib3.exceptions
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, User, WebhookDelivery, WebhookEndpoint, WebhookEvent
from config.celery import enqueue_on_commit
from config.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError

if TYPE_CHECKING:
    from interview.models import InterviewSession

log = logging.getLogger(__name__)

USER_AGENT = "mockloop-webhooks/1"
# Bounds what one organization can make us send per event.
MAX_ENDPOINTS_PER_ORGANIZATION = 10
# The attempt log keeps the latest entries only, so redeliveries cannot grow it forever.
ATTEMPT_LOG_SIZE = 50
RETRY_BASE_SECONDS = 30
RETRY_FACTOR = 4
RETRY_CAP_SECONDS = 4 * 3600


# -- pure logic: signing, URL checks, backoff, one HTTP attempt ------------------------


def signature_header(*, secret: str, body: bytes, timestamp: int) -> str:
    """``t=<unix ts>,v1=<hex HMAC-SHA256 of "<ts>.<raw body>">``, as receivers verify it."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def payload_body(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): the same for every attempt of a delivery."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def retry_delay(attempts: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: 30 s, 2 min, 8 min, 32 min,
    2 h 8 min, then every 4 h, each within +-20 % so that many deliveries failing
    together (a receiver's outage) do not all come back at the same second."""
    base = min(RETRY_BASE_SECONDS * RETRY_FACTOR ** max(attempts - 1, 0), RETRY_CAP_SECONDS)
    return base * (rng or random).uniform(0.8, 1.2)


class WebhookUrlRejected(Exception):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def _address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def url_addresses_check(url: str, *, allow_private: bool) -> list[str]:
    """The addresses this URL's host resolves to, refusing anything but http(s) and,
    unless ``allow_private``, any host with a private, loopback, link-local or otherwise
    non-public address (the instance metadata service, the database, Redis...).

    Every address must be public: a name with one public and one private record is refused.
    """
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise WebhookUrlRejected("the URL is not valid", code="webhook_url_invalid") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookUrlRejected("the URL must start with http:// or https:// and name a host", code="webhook_url_invalid")
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookUrlRejected(f"the host {parts.hostname} does not resolve ({exc})", code="webhook_url_unresolvable") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private:
        private = [a for a in addresses if not _address_is_public(a)]
        if private:
            raise WebhookUrlRejected(
                f"the host {parts.hostname} resolves to a private, loopback or link-local address ({private[0]})",
                code="webhook_url_not_allowed",
            )
    # IPv4 first: it is what most receivers listen on.
    return sorted(addresses, key=lambda a: ":" in a)


class _PinnedAdapter(requests.adapters.HTTPAdapter):
    """Connects to the address that was checked rather than resolving the name again,
    so a DNS answer that changes between the check and the connection (DNS rebinding)
    cannot point the request at a private host. TLS still verifies the URL's host name."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request: Any, verify: Any, cert: Any = None) -> Any:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        hostname = host_params["host"]
        host_params = {**host_params, "host": self.address}
        if host_params["scheme"] == "https":
            pool_kwargs = {**pool_kwargs, "server_hostname": hostname, "assert_hostname": hostname}
        return host_params, pool_kwargs


@dataclass(frozen=True)
class AttemptOutcome:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _connection_refused(exc: requests.exceptions.ConnectionError) -> bool:
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError) and not isinstance(exc, requests.exceptions.Timeout)


def webhook_post(*, url: str, body: bytes, headers: dict[str, str], timeout: float, allow_private: bool) -> AttemptOutcome:
    """One POST of a webhook. Never raises: the outcome says what happened.

    ``timeout`` bounds connecting and each wait for the receiver; redirects are not
    followed (a redirect could lead to a private host) and count as a failure.
    """
    started = time.monotonic()

    def outcome(status_code: int | None, error: str) -> AttemptOutcome:
        return AttemptOutcome(status_code, error[:300], round((time.monotonic() - started) * 1000))

    try:
        addresses = url_addresses_check(url, allow_private=allow_private)
    except WebhookUrlRejected as exc:
        return outcome(None, str(exc))
    parts = urlsplit(url)
    host_header = parts.netloc.rsplit("@", 1)[-1]
    error = ""
    for address in addresses[:3]:
        with requests.Session() as session:
            session.trust_env = False  # no proxy from the environment: the address checked is the one used
            session.mount(f"{parts.scheme}://", _PinnedAdapter(address))
            try:
                response = session.post(
                    url,
                    data=body,
                    headers={**headers, "Host": host_header},
                    timeout=timeout,
                    allow_redirects=False,
                    stream=True,  # the body is never read: only the status matters
                )
            except requests.exceptions.Timeout:
                return outcome(None, f"timeout: no answer within {timeout:g} s")
            except requests.exceptions.ConnectionError as exc:
                error = f"connection error: {_short(exc)}"
                if _connection_refused(exc):
                    continue  # nothing was sent: the next address may answer
                return outcome(None, error)
            except requests.exceptions.RequestException as exc:
                return outcome(None, f"request error: {_short(exc)}")
            response.close()
            if 200 <= response.status_code < 300:
                return outcome(response.status_code, "")
            return outcome(response.status_code, f"HTTP {response.status_code}")
    return outcome(None, error or "no address to connect to")


def _short(exc: BaseException) -> str:
    # requests wraps urllib3's error, whose reason says what happened (refused, TLS...).
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return str(reason or exc)


# -- endpoints -----------------------------------------------------------------------


def _require_recruiter(user: User) -> None:
    if not user.is_recruiter:
        raise ForbiddenError("webhooks are for recruiters of an organization")


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def webhook_endpoint_create(*, user: User, url: str, events: list[str]) -> WebhookEndpoint:
    """A new endpoint of the user's organization, with a fresh secret (shown once)."""
    _require_recruiter(user)
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


def webhook_endpoint_secret_rotate(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; the old one stops working at once, retries included."""
    endpoint.secret = _new_secret()
    endpoint.save(update_fields=["secret"])
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Deletes the endpoint and its delivery log; pending deliveries are never sent."""
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


def session_event_data(session: InterviewSession) -> dict[str, Any]:
    """What a receiver learns of a session: who, which template, the outcome. No answers, no code."""
    return {
        "session": session.id,
        "template": {"id": session.template_id, "title": session.template.title},
        "candidate": {"email": session.candidate.email, "name": session.candidate.name},
        "status": session.status,
        "finish_reason": session.finish_reason,
        "finished_at": session.finished_at.isoformat() if session.finished_at else None,
        "score": session.score,
        "report_url": reverse("api:report", args=[session.id]),
    }


def session_event_emit(*, session_id: int, event: str) -> list[WebhookDelivery]:
    """Emits a session event to the session's organization. Assessments only: a practice
    session is the candidate's own business."""
    # Imported here: interview depends on accounts, not the other way round.
    from interview.models import InterviewSession

    session = (
        InterviewSession.objects.select_related("template", "candidate")
        .filter(id=session_id, mode=InterviewSession.Mode.ASSESSMENT, organization__isnull=False)
        .first()
    )
    if session is None or session.organization_id is None:
        return []
    return webhook_event_emit(organization_id=session.organization_id, event=event, data=session_event_data(session))


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

    # Slow network I/O outside any transaction: no row stays locked while we wait.
    body = payload_body(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Mockloop-Event": delivery.event,
        "Mockloop-Delivery": str(delivery.event_id),
        "Mockloop-Signature": signature_header(secret=endpoint.secret, body=body, timestamp=int(time.time())),
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


def webhook_delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Puts a failed delivery back in the queue with a fresh set of attempts; same event id."""
    changed = WebhookDelivery.objects.filter(id=delivery.id, status=WebhookDelivery.Status.FAILED).update(
        status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    if not changed:
        raise ConflictError("only a failed delivery can be sent again", code="delivery_not_failed")
    from accounts.tasks import webhook_delivery_send

    enqueue_on_commit(webhook_delivery_send, delivery.id)
    delivery.refresh_from_db()
    return delivery


# -- reads -------------------------------------------------------------------------------


def webhook_endpoint_list(*, user: User) -> QuerySet[WebhookEndpoint]:
    _require_recruiter(user)
    return WebhookEndpoint.objects.filter(organization_id=user.organization_id).select_related("created_by")


def webhook_endpoint_get(*, user: User, endpoint_id: int) -> WebhookEndpoint:
    endpoint = webhook_endpoint_list(user=user).filter(id=endpoint_id).first()
    if endpoint is None:
        raise NotFoundError("no such webhook endpoint")
    return endpoint


def webhook_delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")


def webhook_delivery_get(*, user: User, delivery_id: int) -> WebhookDelivery:
    _require_recruiter(user)
    delivery = WebhookDelivery.objects.filter(id=delivery_id, endpoint__organization_id=user.organization_id).first()
    if delivery is None:
        raise NotFoundError("no such webhook delivery")
    return delivery
