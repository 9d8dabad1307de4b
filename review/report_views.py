"""Report pages for recruiters: the report, rubric overrides from it, and its PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from config.errors import ApplicationError
from grading import rubric_services
from interview.models import InterviewSession
from review import selectors
from review.report_pdf import report_pdf_response
from review.report_presenters import report_context
from review.reports import sessions_for_recruiter


def _report_session(request: HttpRequest, session_id: int) -> InterviewSession:
    # Another organization's session and a candidate asking look the same: not found.
    session = sessions_for_recruiter(request.user).filter(id=session_id).first()
    if session is None:
        raise Http404("no such report")
    return session


@login_required
def report_page(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _report_session(request, session_id)
    if session.status != InterviewSession.Status.FINISHED:
        return render(request, "review/report_pending.html", {"session": session}, status=409)
    return render(request, "review/report.html", {**report_context(session), "editable": True})


@login_required
def report_pdf(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _report_session(request, session_id)
    if session.status != InterviewSession.Status.FINISHED:
        return render(request, "review/report_pending.html", {"session": session}, status=409)
    return report_pdf_response(session)


@login_required
@require_POST
def report_override(request: HttpRequest, session_id: int, grade_id: int) -> HttpResponse:
    """A rubric level changed from the report page; the API does the same at /api/grades/{id}/overrides/."""
    session = _report_session(request, session_id)
    try:
        grade = selectors.grade_for_reviewer(user=request.user, grade_id=grade_id)
    except ApplicationError as error:
        raise Http404("no such grade") from error
    if grade.answer.session_question.session_id != session.id:
        raise Http404("no such grade")
    position = grade.answer.session_question.position
    try:
        level = int(request.POST.get("level", ""))
    except ValueError:
        messages.error(request, "Choose a level from 0 to 4.")
    else:
        try:
            rubric_services.grade_override(
                grade=grade,
                user=request.user,
                criterion_id=request.POST.get("criterion", ""),
                level=level,
                comment=request.POST.get("comment", ""),
            )
        except ApplicationError as error:
            messages.error(request, f"Not saved: {error.message}.")
        else:
            messages.success(request, "Level saved; the score now uses it.")
    return redirect(reverse("report", args=[session.id]) + f"#q{position}")
