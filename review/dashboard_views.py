"""The recruiter's pages: the dashboard and the comparison of interviews."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify

from config.api import MAX_ID
from config.errors import ApplicationError, NotFoundError
from review import dashboard, exports
from review.dashboard_apis import DashboardFilterSerializer

PAGE_SIZE = 50
STATUS_LABELS = {
    "invited": "Invited",
    "expired_invite": "Invite expired",
    "revoked_invite": "Revoked",
    "started": "In progress",
    "finished": "Finished, grading",
    "needs_review": "Needs review",
    "graded": "Graded",
}
SORT_LABELS = {
    "-date": "Newest first",
    "date": "Oldest first",
    "-score": "Highest score",
    "score": "Lowest score",
    "candidate": "Candidate A to Z",
    "-candidate": "Candidate Z to A",
    "template": "Template A to Z",
    "-template": "Template Z to A",
    "-flags": "Most similarity flags",
    "flags": "Fewest similarity flags",
}
FILTER_NAMES = ("template", "status", "score_min", "score_max", "date_from", "date_to", "flagged", "sort")


def _require_recruiter(request: HttpRequest) -> None:
    # 404 rather than 403: the page does not exist for candidates.
    if not (request.user.is_recruiter or request.user.is_staff):
        raise Http404("recruiters only")


@login_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """Invites and interviews of the organization, filtered, with a pick of interviews to compare."""
    _require_recruiter(request)
    filters = DashboardFilterSerializer(data=request.GET)
    status = 200
    if filters.is_valid():
        rows = dashboard.dashboard_rows(request.user, **filters.validated_data)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        status = 400
        page = Paginator([], PAGE_SIZE).get_page(1)
    values = {name: request.GET.get(name, "") for name in FILTER_NAMES}
    query = urlencode({name: value for name, value in values.items() if value})
    context = {
        "page": page,
        "errors": filters.errors if status == 400 else {},
        "values": values,
        "query": query,
        "templates": dashboard.dashboard_templates(request.user),
        "statuses": list(STATUS_LABELS.items()),
        "status_labels": STATUS_LABELS,
        "sorts": list(SORT_LABELS.items()),
        "compare_max": dashboard.COMPARE_MAX,
        "export_max": exports.EXPORT_MAX_ROWS,
    }
    return render(request, "review/dashboard.html", context, status=status)


@login_required
def dashboard_compare_page(request: HttpRequest) -> HttpResponse:
    """Two to four finished interviews side by side."""
    _require_recruiter(request)
    raw = request.GET.getlist("session")
    try:
        session_ids = [int(value) for value in raw]
    except ValueError:
        return render(request, "review/compare.html", {"error": "Interviews are picked by their number."}, status=400)
    if any(not 0 < session_id <= MAX_ID for session_id in session_ids):
        raise Http404("no such interview")
    try:
        comparison = dashboard.sessions_compare(request.user, session_ids=session_ids)
    except NotFoundError as exc:
        raise Http404("no such interview") from exc
    except ApplicationError as exc:
        return render(request, "review/compare.html", {"error": exc.message[:1].upper() + exc.message[1:] + "."}, status=400)
    return render(request, "review/compare.html", {"comparison": comparison})


def _export(request: HttpRequest, fmt: str) -> HttpResponse:
    _require_recruiter(request)
    filters = DashboardFilterSerializer(data=request.GET)
    if not filters.is_valid():
        return HttpResponse(
            "These filters are not valid: " + "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in filters.errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    sessions = dashboard.dashboard_export_sessions(request.user, **filters.validated_data)
    table = exports.export_table(sessions)
    template_id = filters.validated_data.get("template")
    template = dashboard.dashboard_templates(request.user).filter(id=template_id).first() if template_id else None
    name = f"interviews-{slugify(template.slug) if template else 'all'}-{timezone.now():%Y-%m-%d}"
    if fmt == "csv":
        response = HttpResponse(exports.table_csv(table), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.table_xlsx(table),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["X-Export-Rows"] = str(len(table.rows))
    response["X-Export-Truncated"] = "true" if table.truncated else "false"
    return response


@login_required
def dashboard_export_csv(request: HttpRequest) -> HttpResponse:
    """The finished interviews of the dashboard's current filters, as CSV."""
    return _export(request, "csv")


@login_required
def dashboard_export_xlsx(request: HttpRequest) -> HttpResponse:
    """The finished interviews of the dashboard's current filters, as an .xlsx workbook."""
    return _export(request, "xlsx")
