"""Practice of one bank question on its own, started from the bank page.

A single-question practice is an ordinary practice session of a template that holds
just that question, so the interview page, results, grading, progress and every
report work on it unchanged. The template is public, made the first time anyone
practises the question and shared by everyone after; it is *inactive*, so it is not
listed among the practice interviews and the template API will not start it
(``practice_start`` refuses inactive templates). One per question: its slug is
``single-question-<question id>``.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from accounts.models import User
from config.errors import NotFoundError
from interview.models import InterviewSession, InterviewTemplate, TemplateSection
from interview.services.sessions import _session_create, session_expire_if_due
from questions.models import Question
from questions.names import track_name
from questions.timing import single_question_minutes

SINGLE_QUESTION_SLUG = "single-question-{id}"
SINGLE_QUESTION_DESCRIPTION = "One question on its own, started from the question bank."


def single_question_template(question: Question) -> InterviewTemplate:
    """The template of just ``question``, kept in step with its current version's title
    and time (a session's own clock is fixed when it starts)."""
    version = question.current_version
    assert version is not None
    slug = SINGLE_QUESTION_SLUG.format(id=question.id)
    wanted = {
        "title": version.title[:200],
        "total_minutes": single_question_minutes(question.kind, version.time_estimate_minutes),
    }
    template = InterviewTemplate.objects.filter(organization__isnull=True, slug=slug).first()
    if template is None:
        try:
            with transaction.atomic():
                template = InterviewTemplate.objects.create(
                    slug=slug, description=SINGLE_QUESTION_DESCRIPTION, is_active=False, **wanted
                )
                section = TemplateSection.objects.create(template=template, position=1, title=track_name(question.track))
                section.questions.add(question)
        except IntegrityError:
            # Someone else practised it first, at the same moment: theirs is the one.
            template = InterviewTemplate.objects.get(organization__isnull=True, slug=slug)
    changed = [name for name, value in wanted.items() if getattr(template, name) != value]
    if changed:
        for name in changed:
            setattr(template, name, wanted[name])
        template.save(update_fields=changed)
    return template


def practice_start_question(*, candidate: User, question: Question) -> InterviewSession:
    """Starts a timed practice of just this public bank question, or returns the one
    the candidate already has in progress (a second click, another tab) so nothing
    they typed is lost. One whose time ran out is finished (and graded) first, and a
    fresh one starts."""
    if question.organization_id is not None or question.current_version_id is None:
        raise NotFoundError("There is no such question in the public bank.", code="question_not_found")
    template = single_question_template(question)
    running = InterviewSession.objects.filter(
        candidate=candidate, template=template, mode=InterviewSession.Mode.PRACTICE, status=InterviewSession.Status.IN_PROGRESS
    )
    existing = running.first()
    if existing is not None and session_expire_if_due(existing).status == InterviewSession.Status.IN_PROGRESS:
        return existing
    try:
        with transaction.atomic():
            return _session_create(candidate=candidate, template=template, mode=InterviewSession.Mode.PRACTICE, invite=None)
    except IntegrityError:
        # Two clicks at once: the one_practice_in_progress constraint let one start; resume it.
        return running.get()
