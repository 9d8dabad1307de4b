"""Reads of organizations' webhooks: endpoints and their delivery log, scoped to the
asking recruiter's organization. How deliveries are made is explained in
accounts/webhook_services.py.

Every recruiter of the organization may read its endpoints and delivery log; changing
them (adding, deleting, rotating a secret, redelivering) is for organization admins
only (``require_webhook_admin``): a recruiter gets a 403 there, on the pages and the API.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet

from accounts.models import User, WebhookDelivery, WebhookEndpoint
from config.errors import ForbiddenError, NotFoundError


def _require_recruiter(user: User) -> None:
    if not user.is_recruiter:
        raise ForbiddenError("webhooks are for recruiters of an organization")


def require_webhook_admin(user: User) -> None:
    """Refuses a webhook change to anyone but an admin of the organization (a recruiter: 403)."""
    _require_recruiter(user)
    if not user.is_org_admin:
        raise ForbiddenError("only an organization admin can change webhooks", code="webhooks_admin_only")


def webhook_endpoint_list(*, user: User) -> QuerySet[WebhookEndpoint]:
    _require_recruiter(user)
    return WebhookEndpoint.objects.filter(organization_id=user.organization_id).select_related("created_by")


def webhook_endpoint_get(*, user: User, endpoint_id: int) -> WebhookEndpoint:
    endpoint = webhook_endpoint_list(user=user).filter(id=endpoint_id).first()
    if endpoint is None:
        raise NotFoundError("no such webhook endpoint")
    return endpoint


def webhook_endpoint_counts_by_creator(*, organization_id: int) -> dict[int, int]:
    """How many of the organization's endpoints each member added (member id: count)."""
    rows = (
        WebhookEndpoint.objects.filter(organization_id=organization_id, created_by__isnull=False)
        .values("created_by_id")
        .annotate(n=Count("id"))
    )
    return {row["created_by_id"]: row["n"] for row in rows}


def webhook_delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")


def webhook_delivery_get(*, user: User, delivery_id: int) -> WebhookDelivery:
    _require_recruiter(user)
    delivery = WebhookDelivery.objects.filter(id=delivery_id, endpoint__organization_id=user.organization_id).first()
    if delivery is None:
        raise NotFoundError("no such webhook delivery")
    return delivery
