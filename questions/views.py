"""The question bank in the browser."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from questions import presenters, selectors
from questions.bank_format import Difficulty, Kind, Track
from questions.models import Topic

FILTERS = ("track", "kind", "difficulty", "topic", "search")


@login_required
def question_list(request: HttpRequest) -> HttpResponse:
    choices = {
        "track": [t.value for t in Track],
        "kind": [k.value for k in Kind],
        "difficulty": [d.value for d in Difficulty],
        "topic": list(Topic.objects.values_list("slug", flat=True)),
    }
    # Unknown values are ignored here (a form cannot send them); the API refuses them.
    filters = {
        name: request.GET[name]
        for name in FILTERS
        if request.GET.get(name) and (name == "search" or request.GET[name] in choices[name])
    }
    page = Paginator(selectors.question_list(user=request.user, filters=filters), 25).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    return render(request, "questions/list.html", {"page": page, "filters": filters, "choices": choices, "query": query})


@login_required
def question_detail(request: HttpRequest, question_id: int) -> HttpResponse:
    question = selectors.question_get(user=request.user, question_id=question_id)
    if question is None:
        raise Http404("no such question")
    version = question.current_version
    return render(
        request,
        "questions/detail.html",
        {
            "question": question,
            "version": version,
            "content": presenters.candidate_content(version),
            "topics": version.topics.all(),
        },
    )
