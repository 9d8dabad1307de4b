"""The candidate's pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from config.errors import ApplicationError
from interview import progress_selectors, selectors, services
from interview.models import InterviewSession
from questions.bank_format import Track
from questions.names import track_name
from questions.selectors import questions_visible_to

TRACK_BLURBS = {
    Track.PYTHON_DSA: "Coding problems from arrays to dynamic programming, graded on hidden tests.",
    Track.ML_FUNDAMENTALS: "Metrics, regularization, leakage, transformers — and small NumPy tasks.",
    Track.SYSTEM_DESIGN: "Open design questions graded against a rubric.",
}


def home(request: HttpRequest) -> HttpResponse:
    """The landing page; signed in, it leads with the one next step (progress_selectors.next_step)."""
    tracks = []
    step = None
    if request.user.is_authenticated:
        counts = dict(questions_visible_to(request.user).values_list("track").annotate(n=Count("id")))
        tracks = [
            {"slug": track.value, "name": track_name(track), "blurb": blurb, "count": counts.get(track.value, 0)}
            for track, blurb in TRACK_BLURBS.items()
        ]
        if not request.user.is_recruiter:
            step = progress_selectors.next_step(request.user)
    return render(request, "home.html", {"tracks": tracks, "step": step})


@login_required
def practice(request: HttpRequest) -> HttpResponse:
    """Public templates to practice with, and the candidate's own interviews."""
    templates = selectors.templates_visible_to(request.user).filter(organization__isnull=True).prefetch_related("sections")
    sessions = InterviewSession.objects.filter(candidate=request.user).select_related("template")[:50]
    for session in sessions:
        services.session_expire_if_due(session)
    return render(request, "interview/practice.html", {"templates": templates, "sessions": sessions})


@login_required
@require_POST
def practice_start(request: HttpRequest, template_id: int) -> HttpResponse:
    template = selectors.templates_visible_to(request.user).filter(id=template_id, organization__isnull=True).first()
    if template is None:
        raise Http404("no such template")
    try:
        session = services.practice_start(candidate=request.user, template=template)
    except ApplicationError as exc:
        existing = InterviewSession.objects.filter(candidate=request.user, template=template, status="in_progress").first()
        if existing is not None:
            return redirect("session", session_id=existing.id)
        messages.error(request, exc.message)
        return redirect("practice")
    return redirect("session", session_id=session.id)


def _own_session(request: HttpRequest, session_id: int) -> InterviewSession:
    session = InterviewSession.objects.select_related("template").filter(id=session_id, candidate=request.user).first()
    if session is None:
        raise Http404("no such interview")
    return services.session_expire_if_due(session)


@login_required
def session_page(request: HttpRequest, session_id: int) -> HttpResponse:
    """The interview itself; the page's script talks to the session API."""
    session = _own_session(request, session_id)
    if session.status != InterviewSession.Status.IN_PROGRESS:
        return redirect("session-results", session_id=session.id)
    return render(request, "interview/session.html", {"session": session})


@login_required
def session_results(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _own_session(request, session_id)
    if session.status == InterviewSession.Status.IN_PROGRESS:
        return redirect("session", session_id=session.id)
    if session.mode == InterviewSession.Mode.ASSESSMENT:
        return render(request, "interview/assessment_done.html", {"session": session})
    from interview.apis import results_payload

    return render(request, "interview/results.html", {"session": session, "results": results_payload(session)})


def assessment_landing(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: who invites, for what, and a start button once signed in with the
    invited address. Sign-up and sign-in from here come back here, that address filled in."""
    try:
        invite = services.assessment_invite_get(token=token)
    except ApplicationError:
        return render(request, "interview/assessment_invalid.html", {"reason": "This assessment link is not valid."}, status=404)
    account_query = urlencode({"next": request.path, "email": invite.email})
    if invite.status != "pending":
        session = None
        if invite.status == "used" and request.user.is_authenticated:
            # The link is spent, yet it stays its candidate's way back to the interview.
            session = InterviewSession.objects.filter(invite=invite, candidate=request.user).select_related("template").first()
            if session is not None:
                session = services.session_expire_if_due(session)
        reason = {
            "used": "This assessment link was already used.",
            "expired": "This assessment link has expired.",
            "revoked": "This assessment link was withdrawn by the organization that sent it.",
        }
        return render(
            request,
            "interview/assessment_invalid.html",
            {
                "reason": reason.get(invite.status, "This assessment link can no longer be used."),
                "used": invite.status == "used",
                "session": session,
                "account_query": account_query,
            },
            status=410,
        )
    if request.method == "POST" and request.user.is_authenticated:
        try:
            session = services.assessment_start(token=token, candidate=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message[:1].upper() + exc.message[1:] + ".")
        else:
            return redirect("session", session_id=session.id)
    email_matches = request.user.is_authenticated and request.user.email.lower() == invite.email.lower()
    return render(
        request,
        "interview/assessment_landing.html",
        {"invite": invite, "token": token, "account_query": account_query, "email_matches": email_matches},
    )
