"""The recruiter's template pages: the list, the editor (new and edit), duplicate,
archive and the preview of a sample draw.

Every page is a 404 for candidates, and every template is looked up within the
recruiter's organization: another organization's template is a 404 everywhere. Public
templates may be previewed and duplicated, never edited or archived (404).
"""

from __future__ import annotations

import random
import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from config.errors import ApplicationError
from interview.forms import TemplateForm, section_formset, section_initial
from interview.models import InterviewTemplate, TemplateSection
from interview.services.templates import (
    MAX_SECTIONS,
    SectionDraw,
    template_archive,
    template_create,
    template_duplicate,
    template_sample,
    template_sample_unsaved,
    template_sections_data,
    template_unarchive,
    template_update,
)
from questions.names import difficulty_name, kind_name, topic_name

MAX_SEED = 2**31 - 1
STATUS_FILTERS = {"active": "Active", "archived": "Archived", "all": "All"}


def _require_recruiter(request: HttpRequest) -> None:
    # 404 rather than 403: for candidates these pages do not exist.
    if not request.user.is_recruiter:
        raise Http404("recruiters only")


def _with_counts(templates: Any) -> Any:
    sections = TemplateSection.objects.annotate(fixed=Count("questions")).order_by("position")
    return (
        templates.select_related("created_by")
        .prefetch_related(Prefetch("sections", queryset=sections))
        .annotate(sessions_taken=Count("sessions", distinct=True))
    )


def _own_template(request: HttpRequest, template_id: int) -> InterviewTemplate:
    """One of the organization's templates (active or archived), or 404."""
    _require_recruiter(request)
    template = InterviewTemplate.objects.filter(id=template_id, organization_id=request.user.organization_id).first()
    if template is None:
        raise Http404("no such template")
    return template


def _usable_template(request: HttpRequest, template_id: int) -> InterviewTemplate:
    """One of the organization's templates, or an active public one, or 404."""
    _require_recruiter(request)
    template = (
        InterviewTemplate.objects.filter(id=template_id)
        .filter(Q(organization_id=request.user.organization_id) | Q(organization__isnull=True, is_active=True))
        .first()
    )
    if template is None:
        raise Http404("no such template")
    return template


def _summary(template: InterviewTemplate) -> dict[str, Any]:
    sections = list(template.sections.all())
    return {
        "template": template,
        "sections": len(sections),
        "questions": sum(s.draw_count or s.fixed for s in sections),
        "sessions": template.sessions_taken,
    }


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    """The organization's templates (active, archived or all) and the public ones."""
    _require_recruiter(request)
    status = request.GET.get("status", "active")
    if status not in STATUS_FILTERS:
        status = "active"
    own = InterviewTemplate.objects.filter(organization_id=request.user.organization_id)
    if status != "all":
        own = own.filter(is_active=status == "active")
    public = InterviewTemplate.objects.filter(organization__isnull=True, is_active=True)
    return render(
        request,
        "interview/template_list.html",
        {
            "own": [_summary(t) for t in _with_counts(own).order_by("title", "id")],
            "public": [_summary(t) for t in _with_counts(public).order_by("title", "id")],
            "status": status,
            "statuses": STATUS_FILTERS,
        },
    )


def _preview_rows(parts: list[SectionDraw]) -> list[dict[str, Any]]:
    """A sample draw as the preview lists it: titles and facts, never keys or tests."""
    rows = []
    for part in parts:
        versions = [q.current_version for q in part.questions]
        rows.append(
            {
                "title": part.section.title,
                "minutes": part.section.minutes,
                "draw_count": part.section.draw_count,
                "pool_size": part.pool_size,
                "shortfall": part.shortfall,
                "questions": [
                    {
                        "title": v.title,
                        "kind": kind_name(q.kind),
                        "difficulty": difficulty_name(v.difficulty),
                        "topics": [topic_name(t.slug) for t in v.topics.all()],
                        "minutes": v.time_estimate_minutes,
                    }
                    for q, v in zip(part.questions, versions, strict=True)
                ],
            }
        )
    return rows


def _preview(template: InterviewTemplate, seed: int) -> dict[str, Any]:
    return _preview_of(template_sample(template, random.Random(seed)), seed=seed, total_minutes=template.total_minutes)


def _preview_of(parts: list[SectionDraw], *, seed: int, total_minutes: int) -> dict[str, Any]:
    rows = _preview_rows(parts)
    return {
        "seed": seed,
        "again": secrets.randbelow(MAX_SEED),
        "rows": rows,
        "suggested": sum(q["minutes"] for row in rows for q in row["questions"]),
        "total_minutes": total_minutes,
        "shortfall": any(row["shortfall"] for row in rows),
    }


def _seed(request: HttpRequest) -> int:
    raw = request.GET.get("seed", "")
    if raw.isdigit() and int(raw) <= MAX_SEED:
        return int(raw)
    return secrets.randbelow(MAX_SEED)


@login_required
def template_preview(request: HttpRequest, template_id: int) -> HttpResponse:
    """A sample draw of a saved template; ?seed= repeats one, "Draw again" makes another."""
    template = _usable_template(request, template_id)
    return render(
        request, "interview/template_preview.html", {"template": template, "preview": _preview(template, _seed(request))}
    )


def _section_count(data: QueryDict) -> int:
    raw = data.get("sections-TOTAL_FORMS") or ""
    return min(int(raw), MAX_SECTIONS) if raw.isdigit() else 0


def _with_one_more_section(data: QueryDict) -> QueryDict:
    data = data.copy()
    data["sections-TOTAL_FORMS"] = str(min(_section_count(data) + 1, MAX_SECTIONS))
    return data


def _editor(request: HttpRequest, template: InterviewTemplate | None) -> HttpResponse:
    """New and edit share this: add a section without script, preview unsaved, save."""
    if request.method == "POST":
        action = "add" if "add_section" in request.POST else "preview" if "preview" in request.POST else "save"
        data = _with_one_more_section(request.POST) if action == "add" else request.POST
        form = TemplateForm(data)
        sections = section_formset(request.user, data)
    else:
        action = "show"
        if template is None:
            form = TemplateForm()
            sections = section_formset(request.user)
        else:
            form = TemplateForm(
                initial={
                    "title": template.title,
                    "description": template.description,
                    "total_minutes": template.total_minutes,
                    "shuffle_questions": template.shuffle_questions,
                    "follow_ups": template.follow_ups,
                    "follow_up_minutes": template.follow_up_minutes,
                }
            )
            stored = template_sections_data(template)
            sections = section_formset(request.user, initial=[section_initial(data, n) for n, data in enumerate(stored, start=1)])
    status, preview = 200, None
    if action == "add":
        if _section_count(request.POST) >= MAX_SECTIONS:
            messages.error(request, f"A template has at most {MAX_SECTIONS} sections.")
        elif sections.forms:
            # Without script the page reloads: the new section's title takes the focus.
            sections.forms[-1].fields["title"].widget.attrs["autofocus"] = True
        return _editor_page(request, template, form, sections, status=200)
    if action in ("save", "preview"):
        if form.is_valid() and sections.is_valid():
            fields = {
                "title": form.cleaned_data["title"],
                "description": form.cleaned_data["description"],
                "total_minutes": form.cleaned_data["total_minutes"],
                "shuffle_questions": form.cleaned_data["shuffle_questions"],
                "follow_ups": form.cleaned_data["follow_ups"],
                "follow_up_minutes": form.cleaned_data["follow_up_minutes"] or 3,
                "sections": [s.as_service_data(n) for n, s in enumerate(sections.sections(), start=1)],
            }
            if action == "preview":
                preview = _unsaved_preview(request, template, fields)
            else:
                try:
                    if template is None:
                        saved = template_create(user=request.user, **fields)
                        messages.success(request, f"Template “{saved.title}” created.")
                    else:
                        saved = template_update(user=request.user, template=template, **fields)
                        messages.success(request, f"Template “{saved.title}” saved.")
                except ApplicationError as exc:
                    form.add_error(None, exc.message[:1].upper() + exc.message[1:] + ".")
                    status = 400
                else:
                    return redirect("template-edit", template_id=saved.id)
        else:
            status = 400
    return _editor_page(request, template, form, sections, status=status, preview=preview)


def _unsaved_preview(request: HttpRequest, template: InterviewTemplate | None, fields: dict[str, Any]) -> dict[str, Any]:
    seed = _seed(request)
    try:
        draft, parts = template_sample_unsaved(user=request.user, template=template, rng=random.Random(seed), **fields)
    except ApplicationError as exc:
        return {"error": exc.message[:1].upper() + exc.message[1:] + "."}
    return _preview_of(parts, seed=seed, total_minutes=draft.total_minutes)


def _editor_page(
    request: HttpRequest,
    template: InterviewTemplate | None,
    form: TemplateForm,
    sections: Any,
    *,
    status: int,
    preview: dict[str, Any] | None = None,
) -> HttpResponse:
    sessions = template.sessions.count() if template is not None else 0
    return render(
        request,
        "interview/template_form.html",
        {
            "template": template,
            "form": form,
            "sections": sections,
            "max_sections": MAX_SECTIONS,
            "sessions_taken": sessions,
            "preview": preview,
        },
        status=status,
    )


@login_required
def template_new(request: HttpRequest) -> HttpResponse:
    """A new template for the organization: any number of sections, each fixed
    questions picked by title or a random draw from the bank."""
    _require_recruiter(request)
    return _editor(request, None)


@login_required
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    """Edits one of the organization's templates; sessions already taken keep theirs."""
    return _editor(request, _own_template(request, template_id))


@login_required
@require_POST
def template_duplicate_view(request: HttpRequest, template_id: int) -> HttpResponse:
    template = _usable_template(request, template_id)
    copy = template_duplicate(user=request.user, template=template)
    messages.success(request, f"Copied “{template.title}” as “{copy.title}”. Edit it below.")
    return redirect("template-edit", template_id=copy.id)


@login_required
@require_POST
def template_archive_view(request: HttpRequest, template_id: int) -> HttpResponse:
    template = template_archive(user=request.user, template=_own_template(request, template_id))
    messages.success(
        request, f"Archived “{template.title}”: it is no longer offered for new invites. Invites already sent still work."
    )
    return redirect("template-list")


@login_required
@require_POST
def template_unarchive_view(request: HttpRequest, template_id: int) -> HttpResponse:
    template = template_unarchive(user=request.user, template=_own_template(request, template_id))
    messages.success(request, f"“{template.title}” is active again.")
    return redirect("template-list")
