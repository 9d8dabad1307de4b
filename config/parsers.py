"""Request parsers that refuse what the service cannot store, naming the field.

Every JSON, form and multipart body the API accepts passes through here, so no
view has to remember: a lone surrogate (JSON's ``"\\ud800"``), a NUL, a control or
non-character, or an integer beyond 64 bits is a ``400 invalid`` with the field's
path, before any service sees it.
"""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ValidationError

from config.text import data_problems


def refuse_unstorable(data: Any) -> Any:
    """``data`` as it is, or a ValidationError naming the first field that cannot be stored."""
    found = data_problems(data)
    if found is not None:
        where, problem = found
        raise ValidationError({where: [problem]})
    return data


class StrictJSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        return refuse_unstorable(super().parse(stream, media_type, parser_context))


class StrictFormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        refuse_unstorable(dict(data.lists()))
        return data


class StrictMultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        # Uploaded files are read (and checked) by the service that takes them.
        refuse_unstorable(dict(parsed.data.lists()))
        return parsed


class UnstorableQueryMiddleware:
    """Refuses a query string carrying what no filter can match (a NUL reaches the
    database as an error, not as a value): 400 naming the parameter."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        found = data_problems(dict(request.GET.lists())) if request.GET else None
        if found is None:
            return self.get_response(request)
        where, problem = found
        name = where.split("[", 1)[0]
        message = f"the query parameter {name} {problem}"
        if request.path.startswith("/api/"):
            from django.http import JsonResponse

            from config.errors import error_body

            return JsonResponse(error_body("invalid", message, {name: [problem]}), status=400)
        from django.http import HttpResponseBadRequest

        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
