"""The report as a PDF, rendered by WeasyPrint from the same template and SVG charts as the page."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify

from interview.models import InterviewSession
from review.report_presenters import report_context

REPORT_CSS = Path(settings.BASE_DIR) / "static" / "css" / "report.css"


def report_pdf_bytes(session: InterviewSession) -> bytes:
    # Imported here: WeasyPrint loads Pango, which most processes never need.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(
        "review/report_pdf.html",
        {**report_context(session), "editable": False, "report_css": REPORT_CSS.read_text()},
    )
    # The document is self-contained. No URL is ever fetched, so nothing in a candidate's
    # text can make the server reach the network (it is escaped anyway; this is the second lock).
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()
    assert pdf is not None
    return pdf


def report_pdf_response(session: InterviewSession) -> HttpResponse:
    """The PDF as a download, for the page's button and the API alike."""
    who = slugify(session.candidate.name or session.candidate.email.split("@")[0]) or "candidate"
    response = HttpResponse(report_pdf_bytes(session), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="mockloop-report-{session.id}-{who}.pdf"'
    return response
