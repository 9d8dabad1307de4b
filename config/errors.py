"""One error family for the whole service, and one shape for every API error.

Every 4xx answer looks like ``{"error": {"code": "...", "message": "...", "fields": {...}}}``:
``code`` is stable for programs, ``message`` is for people, ``fields`` (optional)
names what was wrong in the input.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

log = logging.getLogger(__name__)
# What a client waits before sending the same request again when the database blipped.
DATABASE_RETRY_AFTER_SECONDS = 2


class ApplicationError(Exception):
    """A domain error a user can act on. Subclass it or raise it with a code."""

    code = "invalid_request"
    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(
        self, message: str, *, code: str | None = None, status_code: int | None = None, fields: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code
        self.fields = fields or {}


class NotFoundError(ApplicationError):
    code = "not_found"
    status_code = status.HTTP_404_NOT_FOUND


class ForbiddenError(ApplicationError):
    code = "permission_denied"
    status_code = status.HTTP_403_FORBIDDEN


class ConflictError(ApplicationError):
    code = "conflict"
    status_code = status.HTTP_409_CONFLICT


_DRF_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "malformed_request",
}


def _first_message(detail: Any) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            inner = _first_message(value)
            return inner if key == "non_field_errors" else f"{key}: {inner}"
        return "invalid input"
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else "invalid input"
    return str(detail)


def _body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    """The error shape, for answers made outside DRF (middleware, lockouts)."""
    return _body(code, message, fields)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(_body(exc.code, exc.message, exc.fields), status=exc.status_code)
    # A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE (read by Django's form parsing).
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            _body("request_too_large", f"The request body is too large; the limit is {limit} bytes."),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The connection to the database broke mid-request (a restart, a failover, a
        # killed backend): the transaction rolled back, and the same request works once
        # Django reconnects (CONN_HEALTH_CHECKS), so clients are told to retry, in JSON.
        log.warning("database unavailable during %s: %s", context.get("view").__class__.__name__, exc)
        return Response(
            _body("database_unavailable", "The database is briefly unavailable; nothing was saved. Try again in a few seconds."),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        response.data = _body("invalid", _first_message(detail), fields)
        return response
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
    message = str(exc.detail) if not isinstance(exc.detail, (list, dict)) else _first_message(exc.detail)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        # One figure in the header and the message, rounded up and never 0.
        seconds = max(1, math.ceil(exc.wait))
        response["Retry-After"] = str(seconds)
        message = f"Too many requests; try again in {seconds} seconds."
    response.data = _body(code, message)
    return response
