"""Limits that keep one user (or one script) from using up the service.

- Request bodies over ``REQUEST_BODY_MAX_BYTES`` are refused with 413 before anything
  reads them (DRF's JSON parser reads the stream itself, past Django's own cap).
- Per-user API budgets (DRF throttling, counters in the shared cache): a global one,
  and one each for running and submitting code, which start sandboxes.
- Sign-in lockouts (django-axes): the answer a locked-out email and address get.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

log = logging.getLogger(__name__)


def _json_error(code: str, message: str, status: int) -> JsonResponse:
    # Imported here: config.errors imports DRF's views, which import these throttles.
    from config.errors import error_body

    return JsonResponse(error_body(code, message), status=status)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


# --- request size ---------------------------------------------------------------------


class RequestSizeLimitMiddleware:
    """Answers 413 to a body declared larger than ``REQUEST_BODY_MAX_BYTES``."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0  # Django itself treats a malformed length as no body
        limit = settings.REQUEST_BODY_MAX_BYTES
        if size > limit:
            return request_too_large_response(request, size=size, limit=limit)
        return self.get_response(request)


def request_too_large_response(request: HttpRequest, *, size: int | None, limit: int) -> HttpResponse:
    what = f"The request body is {size} bytes" if size is not None else "The request body is too large"
    message = f"{what}; the limit is {limit} bytes."
    if _is_api(request):
        return _json_error("request_too_large", message, 413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


# --- API throttling -----------------------------------------------------------------


class _RatesFromSettings(SimpleRateThrottle):
    """Rates read from ``settings.THROTTLE_RATES`` on each request (DRF binds its rates
    once at import), and no throttling at all while the cache does not answer: an
    outage of the counters must not take the whole API down with it."""

    def get_rate(self) -> str | None:
        return settings.THROTTLE_RATES.get(self.scope)

    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as exc:
            log.warning("throttling skipped: the cache does not answer (%s)", type(exc).__name__)
            return True


class UserThrottle(_RatesFromSettings, UserRateThrottle):
    """Every signed-in user's overall budget (``THROTTLE_USER_RATE``)."""


class AnonThrottle(_RatesFromSettings, AnonRateThrottle):
    """Anonymous callers' budget per address (``THROTTLE_ANON_RATE``)."""


class _CodeActionThrottle(_RatesFromSettings):
    """A per-user budget for one expensive action, shared by every endpoint doing it.

    A view doing more than one action says which a request is with ``code_action(request)``.
    """

    action = ""

    def __init__(self) -> None:
        self.scope = self.action
        super().__init__()

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method != "POST":
            return True
        chooser = getattr(view, "code_action", None)
        if chooser is not None and chooser(request) != self.action:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None  # these endpoints need a user; the anonymous budget covers the rest
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class CodeRunThrottle(_CodeActionThrottle):
    """Running code on visible tests or custom input (``THROTTLE_RUN_RATE``)."""

    action = "run"


class CodeSubmitThrottle(_CodeActionThrottle):
    """Submitting code for grading (``THROTTLE_SUBMIT_RATE``)."""

    action = "submit"


# --- sign-in lockouts (django-axes) ------------------------------------------------


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The email a sign-in attempt is counted against, as the service compares it
    (trimmed, lower case), so changing its case does not buy more attempts."""
    raw = (credentials or {}).get("username")
    if raw is None:
        raw = request.POST.get("username") if request.method == "POST" else None
    return raw.strip().lower() if isinstance(raw, str) else None


def login_lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """What a locked-out sign-in gets: the API's JSON error (429, ``login_locked``), or
    the sign-in page with the reason. Both say when to try again."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = max(1, math.ceil(seconds / 60))
    message = f"Too many failed sign-ins for this account from your address. Try again in {minutes} minutes."
    log.warning("sign-in locked out for %s minutes after %s failures", minutes, settings.AXES_FAILURE_LIMIT)
    if _is_api(request):
        response: HttpResponse = _json_error("login_locked", message, 429)
    else:
        form = AuthenticationForm(request, initial={"username": login_username(request, credentials) or ""})
        response = render(request, "registration/login.html", {"form": form, "locked_message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response
