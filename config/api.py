"""Small pieces every API shares: pagination and strict query parameters."""

from __future__ import annotations

from collections.abc import Iterable

from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from config.errors import ApplicationError

# Every id and counter is a PostgreSQL bigint: larger numbers are refused, never sent to a query.
MAX_ID = 2**63 - 1


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def reject_unknown_params(request: Request, allowed: Iterable[str]) -> None:
    """A typo in a filter must not silently return everything."""
    allowed = set(allowed) | {"page", "page_size", "format"}
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ApplicationError(
            f"unknown query parameter {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}",
            code="unknown_filter",
            fields={name: ["unknown parameter"] for name in unknown},
        )
    # An empty value is a filter with nothing in it, not "no filter": "?track=" must not return everything.
    empty = sorted(name for name, values in request.query_params.lists() if any(value == "" for value in values))
    if empty:
        raise ApplicationError(
            f"the query parameter {', '.join(empty)} is empty; leave it out to not filter by it",
            code="invalid",
            fields={name: ["empty value"] for name in empty},
        )
