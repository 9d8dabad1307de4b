"""The candidate's pages."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from questions.bank_format import Track
from questions.selectors import questions_visible_to

TRACK_BLURBS = {
    Track.PYTHON_DSA: ("Python / DSA", "Coding problems from arrays to dynamic programming, graded on hidden tests."),
    Track.ML_FUNDAMENTALS: ("ML fundamentals", "Metrics, regularization, leakage, transformers — and small NumPy tasks."),
    Track.SYSTEM_DESIGN: ("System design", "Open design questions graded against a rubric."),
}


def home(request: HttpRequest) -> HttpResponse:
    tracks = []
    if request.user.is_authenticated:
        counts = dict(questions_visible_to(request.user).values_list("track").annotate(n=Count("id")))
        tracks = [
            {"slug": track.value, "name": name, "blurb": blurb, "count": counts.get(track.value, 0)}
            for track, (name, blurb) in TRACK_BLURBS.items()
        ]
    return render(request, "home.html", {"tracks": tracks})
