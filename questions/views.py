"""The question bank in the browser."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from config.text import text_repair
from questions import presenters, selectors
from questions.bank_format import Difficulty, Kind, Track
from questions.names import difficulty_name, kind_name, topic_name, track_name

FILTERS = ("track", "kind", "difficulty", "topic")
SORTS = {
    "track": "Track, then easiest",
    "easiest": "Easiest first",
    "hardest": "Hardest first",
    "shortest": "Shortest first",
    "title": "Title (A to Z)",
}
MAX_SEARCH_CHARS = 100
LABELS = {"track": "Track", "kind": "Kind", "difficulty": "Difficulty", "topic": "Topic"}


def _url(**params: str) -> str:
    params = {name: value for name, value in params.items() if value}
    return reverse("questions") + (f"?{urlencode(params)}" if params else "")


@login_required
def question_list(request: HttpRequest) -> HttpResponse:
    """The bank, filtered, searched and sorted by the query string.

    The search box starts a new search: it drops the filters chosen before unless the
    candidate ticks "keep my filters" (a search for "graph" within "Numeric" finds
    nothing and looks like an empty bank). It then redirects, so the address always
    says what is shown.
    """
    # A NUL or a lone surrogate cannot reach PostgreSQL; as U+FFFD it simply matches nothing.
    search = text_repair(request.GET.get("search", "").strip()[:MAX_SEARCH_CHARS])
    # The default order is left out of addresses (the filter form always sends a sort).
    sort = request.GET.get("sort", "") if request.GET.get("sort") in SORTS and request.GET["sort"] != "track" else ""
    names = {
        "track": {t.value: track_name(t) for t in Track},
        "kind": {k.value: kind_name(k) for k in Kind},
        "difficulty": {d.value: difficulty_name(d) for d in Difficulty},
    }
    # Unknown values are ignored here (a form cannot send them); the API refuses them.
    filters = {name: request.GET[name] for name in ("track", "kind", "difficulty") if request.GET.get(name) in names[name]}
    topic_groups = selectors.topic_choices(user=request.user, track=filters.get("track"))
    offered = {t["slug"] for group in topic_groups for t in group["topics"]}
    notes = []
    topic = request.GET.get("topic", "")
    if topic in offered:
        filters["topic"] = topic
    elif topic and filters.get("track") and topic in {t.slug for t in selectors.topic_list(user=request.user)}:
        notes.append(f"No {track_name(filters['track'])} question is about {topic_name(topic)}, so that topic was cleared.")

    if "new_search" in request.GET:
        kept = filters if request.GET.get("keep") else {}
        return redirect(_url(search=search, sort=sort, **kept))

    questions = selectors.question_list(user=request.user, filters={**filters, "search": search, "sort": sort})
    page = Paginator(questions, 25).get_page(request.GET.get("page"))
    active = [
        {
            "label": LABELS[name],
            "value": topic_name(value) if name == "topic" else names[name][value],
            "remove": _url(search=search, sort=sort, **{k: v for k, v in filters.items() if k != name}),
        }
        for name, value in filters.items()
    ]
    context: dict[str, Any] = {
        "page": page,
        "filters": filters,
        "search": search,
        "sort": sort,
        "active": active,
        "notes": notes,
        "choices": {name: list(values.items()) for name, values in names.items()},
        "topic_groups": topic_groups,
        "sorts": list(SORTS.items()),
        "query": urlencode({k: v for k, v in {"search": search, "sort": sort, **filters}.items() if v}),
        "clear_filters_url": _url(search=search, sort=sort),
        "show_all_url": _url(),
    }
    return render(request, "questions/list.html", context)


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
