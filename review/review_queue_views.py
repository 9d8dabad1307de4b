"""The review queue page: flagged and pending answers of the recruiter's organization,
each a link to the report at its question. The API's queue is /api/reviews/."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from interview.models import Answer, InterviewTemplate
from questions.names import KIND_NAMES
from review import selectors
from review.reports import sessions_for_recruiter

PAGE_SIZE = 25
REASON_LABELS = {
    "low_confidence": "Low grader confidence",
    "injection": "Injection suspected",
    "llm_refused": "The language model refused",
    "no_usable_grade": "No usable grade from the model",
    "disagreement": "Grader samples disagree",
    "unfit_answer": "Answer no grader can read",
    "similarity": "Similar to another answer",
    "pending": "Still being graded",
    "needs_review": "Needs review",
}
STATE_LABELS = {"needs_review": "Needs review", "overridden": "Overridden", "all": "All"}
SORT_LABELS = {
    "waiting": "Waiting longest first",
    "-waiting": "Newest first",
    "score": "Lowest machine score",
    "-score": "Highest machine score",
    "candidate": "Candidate A to Z",
}
assert set(REASON_LABELS) == set(selectors.QUEUE_REASONS) and set(SORT_LABELS) == set(selectors.QUEUE_SORTS)


class QueueFilterForm(forms.Form):
    reason = forms.ChoiceField(label="Reason", required=False, choices=[("", "any reason"), *REASON_LABELS.items()])
    template = forms.TypedChoiceField(label="Template", required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(
        label="Question kind", required=False, choices=[("", "any kind"), *((str(k), v) for k, v in KIND_NAMES.items())]
    )
    state = forms.ChoiceField(label="State", required=False, choices=list(STATE_LABELS.items()))
    sort = forms.ChoiceField(label="Sort", required=False, choices=list(SORT_LABELS.items()))

    def __init__(self, *args: Any, templates: list[InterviewTemplate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", "any template"), *((str(t.id), t.title) for t in templates)]


def _grade_codes(status: str | None, reasons: str | None, injection: bool | None) -> list[str]:
    if status is None:
        return []
    codes = selectors.reasons_of_grade(json.loads(reasons or "[]"), injection_suspected=bool(injection))
    return codes or (["needs_review"] if status == "needs_review" else [])


def _reasons(answer: Answer) -> list[str]:
    """Why the answer is in the queue, in words, most telling first; a coding follow-up
    reply's grade says so ("Follow-up reply: …")."""
    codes = _grade_codes(answer.grade_status_, answer.grade_reasons, answer.grade_injection)
    if answer.flagged:
        codes.append("similarity")
    if answer.grade_status == Answer.GradeStatus.PENDING and answer.grade_id is None:
        codes.append("pending")
    follow_up = _grade_codes(answer.follow_up_status_, answer.follow_up_reasons, answer.follow_up_injection)
    return [REASON_LABELS[code] for code in codes] + [f"Follow-up reply: {REASON_LABELS[code]}" for code in follow_up]


def _row(answer: Answer) -> dict[str, Any]:
    question = answer.session_question
    session = question.session
    statuses = {answer.grade_status_, answer.follow_up_status_} - {None}
    reviewed = "reviewed" in statuses and "needs_review" not in statuses
    state = "overridden" if answer.overridden else "reviewed" if reviewed else "needs_review"
    return {
        "answer": answer.id,
        "session": session.id,
        "candidate_name": session.candidate.name,
        "candidate_email": session.candidate.email,
        "template": session.template.title,
        "position": question.position,
        "question": question.question_version.title,
        "kind": KIND_NAMES.get(question.question_version.question.kind, question.question_version.question.kind),
        "reasons": _reasons(answer),
        "machine_score": answer.machine_score,
        "waiting_since": answer.waiting_since,
        "state": state,
        "state_label": {"overridden": "Overridden", "reviewed": "Reviewed"}.get(state, "Needs review"),
        "url": reverse("report", args=[session.id]) + f"#question-{question.position}",
    }


@login_required
def review_queue_page(request: HttpRequest) -> HttpResponse:
    """The queue, filtered (reason, template, question kind, state) and sorted, 25 a page.
    A 404 for anyone who is not a recruiter (or staff): the page does not exist for them."""
    if not (request.user.is_recruiter or request.user.is_staff):
        raise Http404("recruiters only")
    templates = list(
        InterviewTemplate.objects.filter(id__in=sessions_for_recruiter(request.user).values("template_id")).order_by("title")
    )
    form = QueueFilterForm(request.GET or None, templates=templates)
    status = 200
    filters: dict[str, Any] = {}
    if form.is_bound and not form.is_valid():
        status = 400
        rows = selectors.review_queue(user=request.user).none()
    else:
        data = form.cleaned_data if form.is_bound else {}
        filters = {
            "reason": data.get("reason") or "",
            "template_id": data.get("template"),
            "kind": data.get("kind") or "",
            "state": data.get("state") or "needs_review",
            "sort": data.get("sort") or "waiting",
        }
        rows = selectors.review_queue(user=request.user, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    values = {name: request.GET.get(name, "") for name in ("reason", "template", "kind", "state", "sort")}
    query = urlencode({name: value for name, value in values.items() if value})
    return render(
        request,
        "review/review_queue.html",
        {
            "form": form,
            "page": page,
            "rows": [_row(answer) for answer in page],
            "values": values,
            "query": query,
            "filtered": any(values[name] for name in ("reason", "template", "kind"))
            or values["state"] not in ("", "needs_review"),
        },
        status=status,
    )
