"""OpenAPI schema generation.

Every operation's schema lists the errors it can answer, each with the one error shape
of config/errors.py (the ``Error`` component). The statuses any API request can get
(bad input, no or bad credentials, throttling, the database away) are added here, by
rule, as shared response components; an operation declares only its own ones (a 409
or a 410, a 404 without an id in the path) with ``error_response`` in its
``@extend_schema``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse, extend_schema_serializer
from rest_framework import serializers


class ErrorDetailOutput(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, for programs (docs/api.md lists them).")
    message = serializers.CharField(help_text="For people.")
    fields = serializers.DictField(
        required=False,
        help_text="What was wrong in the input, by field: a list of messages, or for a list or object "
        'its items\' own errors by index or name (`{"sections": {"0": {"title": ["..."]}}}`).',
    )


@extend_schema_serializer(component_name="Error")
class ErrorOutput(serializers.Serializer):
    error = ErrorDetailOutput()


def error_response(description: str) -> OpenApiResponse:
    """An error answer an operation gives besides the shared ones, e.g.
    ``409: error_response("`session_closed`: time is up")``."""
    return OpenApiResponse(ErrorOutput, description=description)


_RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}}

# status: (component name, description, headers). Which operations get which is in
# AutoSchema._shared_error_statuses.
SHARED_ERRORS: dict[int, tuple[str, str, dict[str, Any]]] = {
    400: (
        "BadRequest",
        "The request is not valid: `invalid` (`fields` names what is wrong), `unknown_filter`, "
        "`malformed_request`, or the operation's own code.",
        {},
    ),
    403: (
        "Forbidden",
        "No credentials (`not_authenticated`), a bad token (`authentication_failed`), or the "
        "role may not do this (`permission_denied`, or the operation's own code).",
        {},
    ),
    404: ("NotFound", "No such object, or one that is not yours (`not_found`); or no such page.", {}),
    406: ("NotAcceptable", "The Accept header names no type this operation answers with (`not_acceptable`).", {}),
    413: ("RequestTooLarge", "The request body is over the size limit (`request_too_large`).", {}),
    415: ("UnsupportedMediaType", "The body is not JSON, form data or multipart (`unsupported_media_type`).", {}),
    429: ("Throttled", "Too many requests (`throttled`, `login_locked`).", _RETRY_AFTER),
    503: (
        "ServiceUnavailable",
        "Briefly unavailable, nothing was done: the database (`database_unavailable`) or what the operation needs.",
        _RETRY_AFTER,
    ),
}


class AutoSchema(SpectacularAutoSchema):
    """Names nested serializers after their API (``SignUpApi.InputSerializer`` →
    ``SignUpInput``), so the HackSoft style's many ``InputSerializer`` classes do not
    collide in the OpenAPI components; and adds the shared error responses."""

    def get_serializer_name(self, serializer, direction):
        name = super().get_serializer_name(serializer, direction)
        owner, _, _ = type(serializer).__qualname__.rpartition(".")
        if owner:
            return owner.split(".")[-1].removesuffix("Api") + name
        return name

    def _shared_error_statuses(self) -> list[int]:
        # Any request: a query string or Host that cannot be read, authentication (an
        # invalid token is refused even where no sign-in is needed), content
        # negotiation, throttling, the database.
        statuses = [400, 403, 406, 429, 503]
        if self._get_paginator() is not None and self._is_list_view():
            statuses.append(404)  # ?page= past the end
        if any(parameter["in"] == "path" for parameter in self._get_parameters()):
            statuses.append(404)  # an id that is not there, not yours, or not an id
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            statuses.append(413)  # the size cap is checked before anything reads the body
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            statuses.append(415)
        return sorted(set(statuses))

    # drf-spectacular has no public hook for responses added to every operation; this
    # is the method that builds an operation's responses.
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status in self._shared_error_statuses():
            responses.setdefault(str(status), self._shared_error_component(status).ref)
        return responses

    def _shared_error_component(self, status: int) -> ResolvedComponent:
        name, description, headers = SHARED_ERRORS[status]
        response = self._get_response_for_code(ErrorOutput, str(status), media_types=["application/json"])
        response["description"] = description
        if headers:
            response["headers"] = headers
        component = ResolvedComponent(name=name, type=ResolvedComponent.RESPONSE, schema=response, object=name)
        self.registry.register_on_missing(component)
        return component
