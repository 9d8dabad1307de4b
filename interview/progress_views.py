"""The candidate's progress page, and single-question practice started from the bank."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from config.charts import line_chart_svg
from config.errors import ApplicationError
from interview import progress_selectors as progress
from interview import services
from interview.models import InterviewSession
from questions.selectors import questions_visible_to

TOPIC_CHOICES = {"": "Most practised topics", "weakest": "Weakest topics"}


@login_required
def progress_page(request: HttpRequest) -> HttpResponse:
    """History, skill per track and topic over time, weakest topics, what to practise next."""
    candidate = request.user
    for session in progress.candidate_sessions(candidate).filter(status=InterviewSession.Status.IN_PROGRESS):
        services.session_expire_if_due(session)
    history = progress.session_history(candidate)
    answers = progress.scored_answers(candidate)
    skills = progress.topic_skills(answers)
    choice = request.GET.get("topics", "")
    if choice not in TOPIC_CHOICES and choice not in {s.slug for s in skills}:
        choice = ""
    tracks = progress.track_timeline(answers)
    topics = progress.topic_timeline(answers, progress.chart_topics(skills, choice))
    charts = []
    if answers:
        charts = [
            _chart("track-chart", "By track", tracks, "Your average score per track, session by session"),
            _chart("topic-chart", "By topic", topics, "Your average score per topic, session by session"),
        ]
    finished_practice = [row for row in history if row["practice"] and not row["in_progress"]]
    scores = [row["score"] for row in finished_practice if row.get("score") is not None]
    context = {
        "history": history,
        "history_total": progress.candidate_sessions(candidate).count()
        if len(history) >= progress.HISTORY_LIMIT
        else len(history),
        "has_scores": bool(answers),
        "charts": charts,
        "weakest": skills[: progress.WEAKEST],
        "suggestions": progress.practice_suggestions(candidate, answers=answers, limit=progress.SUGGESTIONS if answers else 3),
        "topic_choice": choice,
        "topic_options": [*TOPIC_CHOICES.items(), *((s.slug, s.name) for s in sorted(skills, key=lambda s: s.name))],
        "summary": {
            "sessions": len(finished_practice),
            "answers": len(answers),
            "average": round(sum(scores) / len(scores), 1) if scores else None,
        },
    }
    return render(request, "interview/progress.html", context)


@login_required
@require_POST
def question_practice_start(request: HttpRequest, question_id: int) -> HttpResponse:
    """The bank's "Practise this question": a timed practice of just it, or the one in progress."""
    question = (
        questions_visible_to(request.user)
        .filter(id=question_id, organization__isnull=True)
        .select_related("current_version")
        .first()
    )
    if question is None:
        raise Http404("no such question")
    waiting = progress.single_question_in_progress(candidate=request.user, question_id=question.id)
    try:
        session = services.practice_start_question(candidate=request.user, question=question)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("question", question_id=question.id)
    if session.id == waiting:
        messages.info(request, "You already had this question in progress: here it is, as you left it.")
    return redirect("session", session_id=session.id)


def _chart(ident: str, heading: str, timeline: dict[str, Any], title: str) -> dict[str, Any]:
    return {
        "id": ident,
        "heading": heading,
        "svg": line_chart_svg(timeline["labels"], timeline["series"], title=title, ident=ident),
        "timeline": timeline,
    }
