"""Report pages for recruiters: the report, rubric overrides from it, and its PDF."""

from __future__ import annotations

from typing import Any

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

# The override's confirmation is shown in the question's card, beside the criteria it
# changed, not in the messages at the top of the page (the page jumps to the question).
# A one-time note in the session carries it across the redirect.
OVERRIDE_NOTICE = "report_override_notice"


def _report_session(request: HttpRequest, session_id: int) -> InterviewSession:
    # Another organization's session and a candidate asking look the same: not found.
    session = sessions_for_recruiter(request.user).filter(id=session_id).first()
    if session is None:
        raise Http404("no such report")
    return session


def _criterion(context: dict[str, Any], grade_id: int, criterion_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The report's question and rubric criterion of a grade, to mark a result on: of the
    written answer's grade, or of a coding follow-up reply's."""
    for question in context["report"]["questions"]:
        for rubric in (question.get("rubric") or {}, question.get("follow_up_grade") or {}):
            if rubric.get("grade_id") == grade_id:
                for criterion in rubric["criteria"]:
                    if criterion["id"] == criterion_id:
                        return question, criterion
    return None


def _override_notice(question: dict[str, Any], criterion: dict[str, Any]) -> str:
    level = f"{criterion['name']} now counts {criterion['effective_level']} / 4"
    if (question.get("follow_up_grade") or {}).get("grade_id") is not None and question["kind"] == "coding":
        return f"Level saved: {level} in the follow-up's grade; the question's score stays the tests'."
    return f"Level saved: {level}, and the score uses it."


@login_required
def report_page(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _report_session(request, session_id)
    if session.status != InterviewSession.Status.FINISHED:
        return render(request, "review/report_pending.html", {"session": session}, status=409)
    context = report_context(session)
    notice = request.session.pop(OVERRIDE_NOTICE, None)
    if notice and notice.get("session") == session.id:
        found = _criterion(context, notice["grade"], notice["criterion"])
        if found:
            question, criterion = found
            question["override_notice"] = _override_notice(question, criterion)
    return render(request, "review/report.html", {**context, "editable": True})


@login_required
def report_pdf(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _report_session(request, session_id)
    if session.status != InterviewSession.Status.FINISHED:
        return render(request, "review/report_pending.html", {"session": session}, status=409)
    return report_pdf_response(session)


@login_required
@require_POST
def report_override(request: HttpRequest, session_id: int, grade_id: int) -> HttpResponse:
    """A rubric level changed from the report page; the API does the same at /api/grades/{id}/overrides/.

    Saved: back to the question (PRG), its card confirming. Refused: the report again with
    status 400 and the reason beside that criterion's form, what was typed kept."""
    session = _report_session(request, session_id)
    try:
        grade = selectors.grade_for_reviewer(user=request.user, grade_id=grade_id)
    except ApplicationError as error:
        raise Http404("no such grade") from error
    if grade.answer.session_question.session_id != session.id:
        raise Http404("no such grade")
    position = grade.answer.session_question.position
    criterion_id = request.POST.get("criterion", "")
    raw_level = request.POST.get("level", "")
    comment = request.POST.get("comment", "")
    error = ""
    try:
        level = int(raw_level)
    except ValueError:
        error = "Not saved: choose a level from 0 to 4."
    else:
        try:
            rubric_services.grade_override(
                grade=grade, user=request.user, criterion_id=criterion_id, level=level, comment=comment
            )
        except ApplicationError as failure:
            error = f"Not saved: {failure.message}."
    if not error:
        request.session[OVERRIDE_NOTICE] = {"session": session.id, "grade": grade.id, "criterion": criterion_id}
        return redirect(reverse("report", args=[session.id]) + f"#question-{position}")
    context = report_context(session)
    found = _criterion(context, grade.id, criterion_id)
    if found is None:  # an unknown criterion: there is no field to put it beside
        for question in context["report"]["questions"]:
            if question["position"] == position:
                question["override_notice"] = error
    else:
        found[1]["override_error"] = {"message": error, "level": raw_level, "comment": comment}
    return render(request, "review/report.html", {**context, "editable": True, "focus_question": position}, status=400)
