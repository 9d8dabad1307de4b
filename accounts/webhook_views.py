"""The webhooks pages of an organization: endpoints, adding one, deleting, rotating the
secret (with or without a grace period), and an endpoint's delivery log with redelivery.

Who may use them follows the API (accounts/webhook_selectors.py): every recruiter of the
organization sees the endpoints and the delivery log, read-only; changes (add, delete,
rotate, redeliver) are for organization admins, a recruiter's POST is a 403. Candidates,
and anyone asking for another organization's endpoint or delivery, get a 404. A new
secret is shown once, on the page right after the POST that made it (kept in the session
for that one page only), and that page is sent with ``Cache-Control: no-store``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from accounts import webhook_selectors, webhook_services
from accounts.forms import WebhookEndpointForm, WebhookRotateForm
from accounts.models import User, WebhookDelivery, WebhookEndpoint, WebhookEvent
from config.errors import ApplicationError, NotFoundError

DELIVERIES_PER_PAGE = 25
_SECRET_KEY = "webhook_secret_once"  # noqa: S105 (a session key, not a secret)
STATUS_WORDS = {
    WebhookDelivery.Status.PENDING: "Waiting to be sent",
    WebhookDelivery.Status.DELIVERED: "Delivered",
    WebhookDelivery.Status.FAILED: "Failed",
}
EVENT_WORDS = dict(WebhookEvent.choices)


def _sentence(message: str) -> str:
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else f"{message}."


def _require_recruiter(request: HttpRequest) -> User:
    user = request.user
    if not user.is_recruiter:
        raise Http404("recruiters only")
    return user


def _require_admin(request: HttpRequest) -> User:
    user = _require_recruiter(request)
    if not user.is_org_admin:
        raise PermissionDenied("only an organization admin can change webhooks")
    return user


def _endpoint(user: User, endpoint_id: int) -> WebhookEndpoint:
    try:
        return webhook_selectors.webhook_endpoint_get(user=user, endpoint_id=endpoint_id)
    except NotFoundError:
        raise Http404("no such webhook endpoint") from None


def _secret_keep(request: HttpRequest, endpoint: WebhookEndpoint, what: str) -> None:
    request.session[_SECRET_KEY] = {"endpoint": endpoint.id, "secret": endpoint.secret, "what": what}


def _secret_pop(request: HttpRequest) -> dict[str, Any] | None:
    return request.session.pop(_SECRET_KEY, None)


def _list_page(request: HttpRequest, user: User, *, form: WebhookEndpointForm | None = None, status: int = 200) -> HttpResponse:
    endpoints = list(webhook_selectors.webhook_endpoint_list(user=user))
    for endpoint in endpoints:
        endpoint.event_words = [EVENT_WORDS.get(e, e) for e in endpoint.events]  # type: ignore[attr-defined]
    context = {
        "endpoints": endpoints,
        "form": form or WebhookEndpointForm(initial={"events": WebhookEvent.values}),
        "new_secret": _secret_pop(request),
        "max_endpoints": webhook_services.MAX_ENDPOINTS_PER_ORGANIZATION,
        "can_change": user.is_org_admin,
    }
    return _no_store_if_secret(render(request, "accounts/webhook_list.html", context, status=status), context)


def _no_store_if_secret(response: HttpResponse, context: dict[str, Any]) -> HttpResponse:
    # A page showing a secret must stay in no browser or proxy cache (Back, shared machines).
    if context.get("new_secret"):
        add_never_cache_headers(response)
    return response


@login_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    """The endpoints; a POST (an org admin's) adds one and shows its secret once."""
    user = _require_recruiter(request)
    if request.method != "POST":
        return _list_page(request, user)
    user = _require_admin(request)
    form = WebhookEndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint = webhook_services.webhook_endpoint_create(
                user=user, url=form.cleaned_data["url"], events=sorted(form.cleaned_data["events"])
            )
        except ApplicationError as exc:
            field = next((name for name in exc.fields if name in form.fields), None)
            form.add_error(field or "url", _sentence(exc.message))
        else:
            _secret_keep(request, endpoint, "created")
            messages.success(request, f"Endpoint {endpoint.url} added. Copy its secret now: it is shown only once.")
            return redirect("webhook-detail", endpoint_id=endpoint.id)
    return _list_page(request, user, form=form, status=400)


def _detail_page(
    request: HttpRequest,
    user: User,
    endpoint: WebhookEndpoint,
    *,
    rotate_form: WebhookRotateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = Paginator(webhook_selectors.webhook_delivery_list(endpoint=endpoint), DELIVERIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    deliveries = [(d, STATUS_WORDS.get(d.status, d.status), EVENT_WORDS.get(d.event, d.event)) for d in page]
    new_secret = _secret_pop(request)
    if new_secret and new_secret.get("endpoint") != endpoint.id:
        new_secret = None
    context = {
        "endpoint": endpoint,
        "event_words": [EVENT_WORDS.get(e, e) for e in endpoint.events],
        "page": page,
        "deliveries": deliveries,
        "new_secret": new_secret,
        "rotate_form": rotate_form or WebhookRotateForm(initial={"grace_hours": settings.WEBHOOK_SECRET_GRACE_HOURS}),
        "default_grace_hours": settings.WEBHOOK_SECRET_GRACE_HOURS,
        "can_change": user.is_org_admin,
    }
    return _no_store_if_secret(render(request, "accounts/webhook_detail.html", context, status=status), context)


@login_required
def webhook_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """One endpoint: its secret's state, rotation, and the delivery log (paginated)."""
    user = _require_recruiter(request)
    return _detail_page(request, user, _endpoint(user, endpoint_id))


@login_required
@require_POST
def webhook_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    user = _require_recruiter(request)
    endpoint = _endpoint(user, endpoint_id)
    user = _require_admin(request)
    webhook_services.webhook_endpoint_delete(user=user, endpoint=endpoint)
    messages.success(request, f"Endpoint {endpoint.url} deleted, with its delivery log.")
    return redirect("webhook-list")


@login_required
@require_POST
def webhook_rotate(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """A new secret; ``grace_hours`` (0 to 72) says how long the old one keeps signing."""
    user = _require_recruiter(request)
    endpoint = _endpoint(user, endpoint_id)
    user = _require_admin(request)
    form = WebhookRotateForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, user, endpoint, rotate_form=form, status=400)
    try:
        endpoint = webhook_services.webhook_endpoint_secret_rotate(
            user=user, endpoint=endpoint, grace_hours=form.cleaned_data["grace_hours"]
        )
    except ApplicationError as exc:
        form.add_error("grace_hours", _sentence(exc.message))
        return _detail_page(request, user, endpoint, rotate_form=form, status=400)
    _secret_keep(request, endpoint, "rotated")
    if endpoint.grace_ends_at:
        messages.success(
            request,
            f"New secret made. The old one keeps working until {endpoint.grace_ends_at:%Y-%m-%d %H:%M} UTC.",
        )
    else:
        messages.success(request, "New secret made. The old one stopped working at once.")
    return redirect("webhook-detail", endpoint_id=endpoint.id)


@login_required
@require_POST
def webhook_redeliver(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """Sends a failed delivery again (same event id), with a fresh set of attempts."""
    user = _require_recruiter(request)
    try:
        delivery = webhook_selectors.webhook_delivery_get(user=user, delivery_id=delivery_id)
    except NotFoundError:
        raise Http404("no such delivery") from None
    user = _require_admin(request)
    try:
        webhook_services.webhook_delivery_redeliver(user=user, delivery=delivery)
    except ApplicationError as exc:
        messages.error(request, _sentence(exc.message))
    else:
        messages.success(
            request, f"The {EVENT_WORDS.get(delivery.event, delivery.event).lower()} event is queued to be sent again."
        )
    return redirect("webhook-detail", endpoint_id=delivery.endpoint_id)
