"""Interview templates: a recruiter's own (create, edit, duplicate, archive), and the
draw of one session's questions (or of a preview)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from accounts.models import User
from config.errors import ApplicationError, ForbiddenError, NotFoundError
from interview.models import InterviewTemplate, TemplateSection
from questions.models import Question, QuestionVersion

# Enough for any interview anyone runs; the forms and the API say so when it is passed.
MAX_SECTIONS = 20
# A follow-up question's time box (InterviewTemplate.follow_up_minutes).
MIN_FOLLOW_UP_MINUTES, MAX_FOLLOW_UP_MINUTES = 1, 15


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


@dataclass
class SectionDraw:
    """What one section gave: its questions, and for a draw how many matched."""

    section: TemplateSection
    questions: list[Question]
    pool_size: int | None = None  # None for fixed questions
    shortfall: bool = field(default=False)


def _section_draw(
    section: TemplateSection, fixed: list[Question], *, organization_id: int | None, shuffle: bool, rng: random.Random
) -> SectionDraw:
    if section.draw_count:
        pool = _draw_pool(section, organization_id)
        if len(pool) < section.draw_count:
            return SectionDraw(section, rng.sample(pool, len(pool)), pool_size=len(pool), shortfall=True)
        return SectionDraw(section, rng.sample(pool, section.draw_count), pool_size=len(pool))
    chosen = list(fixed)
    if shuffle:
        rng.shuffle(chosen)
    return SectionDraw(section, chosen)


def _fixed_questions(section: TemplateSection) -> list[Question]:
    # In the order they were added (the through table's ids), which is the order listed.
    links = TemplateSection.questions.through.objects.filter(templatesection=section).order_by("id")
    return [link.question for link in links.select_related("question__current_version")]


def template_sample(template: InterviewTemplate, rng: random.Random) -> list[SectionDraw]:
    """Every section's draw for one session, the way ``template_draw`` makes it, keeping
    a short draw (and its pool size) instead of refusing it: what the preview shows."""
    return [
        _section_draw(
            section,
            [] if section.draw_count else _fixed_questions(section),
            organization_id=template.organization_id,
            shuffle=template.shuffle_questions,
            rng=rng,
        )
        for section in template.sections.all()
    ]


def template_draw(template: InterviewTemplate, rng: random.Random) -> list[tuple[TemplateSection, QuestionVersion]]:
    """The questions one session gets: fixed ones as listed, drawn ones at random."""
    drawn: list[tuple[TemplateSection, QuestionVersion]] = []
    for part in template_sample(template, rng):
        if part.shortfall:
            section = part.section
            raise ApplicationError(
                f"section {section.title!r} asks for {section.draw_count} questions but only {part.pool_size} match",
                code="template_unsatisfiable",
            )
        drawn += [(part.section, question.current_version) for question in part.questions]
    if not drawn:
        raise ApplicationError("this template has no questions", code="template_empty")
    return drawn


def _slug_free(organization_id: int | None, title: str, *, exclude_id: int | None = None) -> str:
    base = slugify(title)[:70] or "template"
    taken = InterviewTemplate.objects.filter(organization_id=organization_id)
    if exclude_id is not None:
        taken = taken.exclude(id=exclude_id)
    slug, n = base, 1
    while taken.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_section_count(sections: list[dict[str, Any]]) -> None:
    if not sections:
        raise ApplicationError("a template needs at least one section", code="invalid", fields={"sections": ["no sections"]})
    if len(sections) > MAX_SECTIONS:
        raise ApplicationError(
            f"a template has at most {MAX_SECTIONS} sections", code="invalid", fields={"sections": ["too many sections"]}
        )


def _own_template(user: User, template: InterviewTemplate) -> None:
    if not user.is_recruiter:
        raise ForbiddenError("only recruiters change templates")
    if template.organization_id is None or template.organization_id != user.organization_id:
        # Public templates and other organizations' are not yours to change: not found.
        raise NotFoundError("no such template")


def template_create(
    *,
    user: User,
    title: str,
    total_minutes: int,
    sections: list[dict[str, Any]],
    description: str = "",
    shuffle_questions: bool = False,
    follow_ups: bool = False,
    follow_up_minutes: int = 3,
) -> InterviewTemplate:
    """A recruiter's own template for their organization. Each section is fixed
    questions (ids) or a draw (count, track, kind, difficulty, topics)."""
    if not user.is_recruiter:
        raise ForbiddenError("only recruiters create templates")
    _check_section_count(sections)

    with transaction.atomic():
        template = InterviewTemplate(
            organization=user.organization, slug=_slug_free(user.organization_id, title), created_by=user
        )
        _template_fill(
            template,
            user=user,
            title=title,
            total_minutes=total_minutes,
            sections=sections,
            description=description,
            shuffle_questions=shuffle_questions,
            follow_ups=follow_ups,
            follow_up_minutes=follow_up_minutes,
        )
        template_draw(template, random.Random(0))  # refuse a template that cannot be satisfied
    return template


def _template_fill(
    template: InterviewTemplate,
    *,
    user: User,
    title: str,
    total_minutes: int,
    sections: list[dict[str, Any]],
    description: str,
    shuffle_questions: bool,
    follow_ups: bool = False,
    follow_up_minutes: int = 3,
) -> None:
    """Writes the template's fields and replaces its sections (inside the caller's transaction)."""
    template.title = title
    template.description = description
    template.total_minutes = total_minutes
    template.shuffle_questions = shuffle_questions
    if not MIN_FOLLOW_UP_MINUTES <= follow_up_minutes <= MAX_FOLLOW_UP_MINUTES:
        raise ApplicationError(
            f"a follow-up's time box is {MIN_FOLLOW_UP_MINUTES} to {MAX_FOLLOW_UP_MINUTES} minutes",
            code="invalid",
            fields={"follow_up_minutes": [f"{MIN_FOLLOW_UP_MINUTES} to {MAX_FOLLOW_UP_MINUTES}"]},
        )
    template.follow_ups = follow_ups
    template.follow_up_minutes = follow_up_minutes
    template.full_clean()
    template.save()
    template.sections.all().delete()
    for position, data in enumerate(sections, start=1):
        _section_create(template, position, data, user=user)


def template_update(
    *,
    user: User,
    template: InterviewTemplate,
    title: str,
    total_minutes: int,
    sections: list[dict[str, Any]],
    description: str = "",
    shuffle_questions: bool = False,
    follow_ups: bool = False,
    follow_up_minutes: int = 3,
) -> InterviewTemplate:
    """Changes one of the organization's templates; its sections are replaced as a whole.

    Sessions already started are untouched: each froze its questions, section titles,
    section deadlines and its own deadline (SessionQuestion, InterviewSession.deadline)
    when it started, and nothing reads a template's sections after that. The slug stays,
    so links and exports that name it keep working. Refuses a draw the bank cannot
    satisfy, leaving the template as it was.
    """
    _own_template(user, template)
    _check_section_count(sections)
    with transaction.atomic():
        template = InterviewTemplate.objects.select_for_update().get(id=template.id)
        _template_fill(
            template,
            user=user,
            title=title,
            total_minutes=total_minutes,
            sections=sections,
            description=description,
            shuffle_questions=shuffle_questions,
            follow_ups=follow_ups,
            follow_up_minutes=follow_up_minutes,
        )
        template_draw(template, random.Random(0))
    return template


def template_sample_unsaved(
    *, user: User, template: InterviewTemplate | None, rng: random.Random, **fields: Any
) -> tuple[InterviewTemplate, list[SectionDraw]]:
    """A sample draw of a template as the editor holds it, before it is saved: written
    inside a transaction that is then rolled back, so it is drawn exactly as a saved
    template would be, and nothing stays. ``template``: the one being edited, if any.
    A draw the bank cannot satisfy is kept short (and said), not refused."""
    if template is not None:
        _own_template(user, template)
    elif not user.is_recruiter:
        raise ForbiddenError("only recruiters create templates")
    _check_section_count(fields["sections"])
    with transaction.atomic():
        if template is None:
            draft = InterviewTemplate(organization=user.organization, slug=_slug_free(user.organization_id, fields["title"]))
        else:
            draft = InterviewTemplate.objects.select_for_update().get(id=template.id)
        _template_fill(draft, user=user, **fields)
        parts = template_sample(draft, rng)
        transaction.set_rollback(True)
    return draft, parts


def template_sections_data(template: InterviewTemplate) -> list[dict[str, Any]]:
    """The template's sections in the shape template_create and template_update take."""
    return [
        {
            "title": section.title,
            "minutes": section.minutes,
            "questions": [] if section.draw_count else [q.id for q in _fixed_questions(section)],
            "draw_count": section.draw_count,
            "draw_track": section.draw_track,
            "draw_kind": section.draw_kind,
            "draw_difficulty": section.draw_difficulty,
            "draw_topics": list(section.draw_topics),
        }
        for section in template.sections.all()
    ]


def template_duplicate(*, user: User, template: InterviewTemplate) -> InterviewTemplate:
    """A copy, "Title (copy)", for the recruiter's organization: of one of its own
    templates, or of an active public one (which they may use but not change)."""
    if not user.is_recruiter:
        raise ForbiddenError("only recruiters copy templates")
    own = template.organization_id is not None and template.organization_id == user.organization_id
    public = template.organization_id is None and template.is_active
    if not (own or public):
        raise NotFoundError("no such template")
    title = f"{template.title[: 200 - len(' (copy)')]} (copy)"
    with transaction.atomic():
        copy = InterviewTemplate(
            organization=user.organization,
            slug=_slug_free(user.organization_id, title),
            title=title,
            description=template.description,
            total_minutes=template.total_minutes,
            shuffle_questions=template.shuffle_questions,
            follow_ups=template.follow_ups,
            follow_up_minutes=template.follow_up_minutes,
            created_by=user,
        )
        copy.full_clean()
        copy.save()
        for section in template.sections.all():
            fixed = [] if section.draw_count else _fixed_questions(section)
            new = TemplateSection.objects.create(
                template=copy,
                position=section.position,
                title=section.title,
                minutes=section.minutes,
                draw_count=section.draw_count,
                draw_track=section.draw_track,
                draw_kind=section.draw_kind,
                draw_difficulty=section.draw_difficulty,
                draw_topics=list(section.draw_topics),
            )
            for question in fixed:
                new.questions.add(question)
    return copy


def _template_set_active(*, user: User, template: InterviewTemplate, active: bool) -> InterviewTemplate:
    _own_template(user, template)
    template.is_active = active
    template.save(update_fields=["is_active"])
    return template


def template_archive(*, user: User, template: InterviewTemplate) -> InterviewTemplate:
    """Takes a template out of use: it is no longer offered for new invites or practice
    (pages and APIs list templates through ``templates_visible_to``, active ones only, and
    the invite service and ``practice_start`` refuse inactive ones). Invites already sent
    still start it: they hold the template itself, and ``assessment_start`` does not ask
    whether it is active."""
    return _template_set_active(user=user, template=template, active=False)


def template_unarchive(*, user: User, template: InterviewTemplate) -> InterviewTemplate:
    """Puts an archived template back in use."""
    return _template_set_active(user=user, template=template, active=True)


def _section_create(template: InterviewTemplate, position: int, data: dict[str, Any], *, user: User) -> TemplateSection:
    """One section of a template: fixed questions the recruiter may use, or a draw."""
    section = TemplateSection(
        template=template,
        position=position,
        title=data["title"],
        minutes=data.get("minutes"),
        draw_count=data.get("draw_count") or 0,
        draw_track=data.get("draw_track", ""),
        draw_kind=data.get("draw_kind", ""),
        draw_difficulty=data.get("draw_difficulty", ""),
        draw_topics=data.get("draw_topics", []),
    )
    section.full_clean(exclude=["template"])
    section.save()
    ids = [] if section.draw_count else data.get("questions", [])
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
        # One at a time: add() of several loses their order, and the order is the section's.
        for i in dict.fromkeys(ids):
            section.questions.add(found[i])
    elif not section.draw_count:
        raise ApplicationError(
            f"section {section.title!r} has no questions and draws none",
            code="invalid",
            fields={"sections": ["empty section"]},
        )
    return section
