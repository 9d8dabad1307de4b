"""Interview templates: a recruiter's own, and the draw of one session's questions."""

from __future__ import annotations

import random
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from accounts.models import User
from config.errors import ApplicationError, ForbiddenError
from interview.models import InterviewTemplate, TemplateSection
from questions.models import Question, QuestionVersion


def _draw_pool(section: TemplateSection, organization_id: int | None) -> list[Question]:
    questions = Question.objects.filter(current_version__isnull=False).filter(
        Q(organization__isnull=True) | Q(organization_id=organization_id)
    )
    if section.draw_track:
        questions = questions.filter(track=section.draw_track)
    if section.draw_kind:
        questions = questions.filter(kind=section.draw_kind)
    if section.draw_difficulty:
        questions = questions.filter(current_version__difficulty=section.draw_difficulty)
    if section.draw_topics:
        questions = questions.filter(current_version__topics__slug__in=section.draw_topics)
    return list(questions.distinct().order_by("id").select_related("current_version"))


def template_draw(template: InterviewTemplate, rng: random.Random) -> list[tuple[TemplateSection, QuestionVersion]]:
    """The questions one session gets: fixed ones as listed, drawn ones at random."""
    drawn: list[tuple[TemplateSection, QuestionVersion]] = []
    for section in template.sections.all().prefetch_related("questions__current_version"):
        if section.draw_count:
            pool = _draw_pool(section, template.organization_id)
            if len(pool) < section.draw_count:
                raise ApplicationError(
                    f"section {section.title!r} asks for {section.draw_count} questions but only {len(pool)} match",
                    code="template_unsatisfiable",
                )
            chosen = rng.sample(pool, section.draw_count)
        else:
            links = TemplateSection.questions.through.objects.filter(templatesection=section).order_by("id")
            chosen = [link.question for link in links.select_related("question__current_version")]
            if template.shuffle_questions:
                rng.shuffle(chosen)
        drawn += [(section, question.current_version) for question in chosen]
    if not drawn:
        raise ApplicationError("this template has no questions", code="template_empty")
    return drawn


def template_create(
    *,
    user: User,
    title: str,
    total_minutes: int,
    sections: list[dict[str, Any]],
    description: str = "",
    shuffle_questions: bool = False,
) -> InterviewTemplate:
    """A recruiter's own template for their organization. Each section is fixed
    questions (ids) or a draw (count, track, kind, difficulty, topics)."""
    if not user.is_recruiter:
        raise ForbiddenError("only recruiters create templates")

    with transaction.atomic():
        base = slugify(title)[:70] or "template"
        slug, n = base, 1
        while InterviewTemplate.objects.filter(organization=user.organization, slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        template = InterviewTemplate(
            organization=user.organization,
            slug=slug,
            title=title,
            description=description,
            total_minutes=total_minutes,
            shuffle_questions=shuffle_questions,
            created_by=user,
        )
        template.full_clean()
        template.save()
        for position, data in enumerate(sections, start=1):
            _section_create(template, position, data, user=user)
        template_draw(template, random.Random(0))  # refuse a template that cannot be satisfied
    return template


def _section_create(template: InterviewTemplate, position: int, data: dict[str, Any], *, user: User) -> TemplateSection:
    """One section of a new template: fixed questions the recruiter may use, or a draw."""
    section = TemplateSection(
        template=template,
        position=position,
        title=data["title"],
        minutes=data.get("minutes"),
        draw_count=data.get("draw_count", 0),
        draw_track=data.get("draw_track", ""),
        draw_kind=data.get("draw_kind", ""),
        draw_difficulty=data.get("draw_difficulty", ""),
        draw_topics=data.get("draw_topics", []),
    )
    section.full_clean(exclude=["template"])
    section.save()
    ids = data.get("questions", [])
    if ids:
        visible = Question.objects.filter(id__in=ids, current_version__isnull=False).filter(
            Q(organization__isnull=True) | Q(organization_id=user.organization_id)
        )
        found = {q.id: q for q in visible}
        missing = [i for i in ids if i not in found]
        if missing:
            raise ApplicationError(
                f"no such questions: {missing}", code="invalid", fields={"sections": [f"unknown question ids {missing}"]}
            )
        section.questions.set([found[i] for i in ids])
    elif not section.draw_count:
        raise ApplicationError(
            f"section {section.title!r} has no questions and draws none",
            code="invalid",
            fields={"sections": ["empty section"]},
        )
    return section
