"""Template services: create, update, duplicate, archive, and the sample draw."""

from __future__ import annotations

import random

import pytest

from config.errors import ApplicationError, ForbiddenError, NotFoundError
from interview import selectors, services
from interview.models import InterviewSession, InterviewTemplate
from interview.services.templates import (
    MAX_SECTIONS,
    template_archive,
    template_create,
    template_draw,
    template_duplicate,
    template_sample,
    template_sample_unsaved,
    template_sections_data,
    template_unarchive,
    template_update,
)
from questions.models import Question


def _ids(*slugs: str) -> list[int]:
    return [Question.objects.get(slug=slug, organization__isnull=True).id for slug in slugs]


def _screen(bob, **extra):
    fields = {
        "user": bob,
        "title": "Acme screen",
        "total_minutes": 40,
        "sections": [
            {"title": "Design", "questions": _ids("design-cache", "sum-pairs")},
            {"title": "ML", "draw_count": 1, "draw_track": "ml_fundamentals", "draw_topics": ["metrics"]},
        ],
    }
    return template_create(**{**fields, **extra})


def test_it_keeps_fixed_questions_in_the_order_given(bob, bank):
    template = _screen(bob)
    drawn = template_draw(template, random.Random(1))
    assert [v.question.slug for _, v in drawn[:2]] == ["design-cache", "sum-pairs"]
    assert template_sections_data(template)[0]["questions"] == _ids("design-cache", "sum-pairs")


def test_it_refuses_more_sections_than_the_limit(bob, bank):
    many = [{"title": f"S{i}", "questions": _ids("sum-pairs")} for i in range(MAX_SECTIONS + 1)]
    with pytest.raises(ApplicationError, match=f"at most {MAX_SECTIONS} sections"):
        template_create(user=bob, title="Too many", total_minutes=10, sections=many)
    assert not InterviewTemplate.objects.filter(title="Too many").exists()
    assert template_create(user=bob, title="Just right", total_minutes=10, sections=many[:MAX_SECTIONS]).sections.count() == 20


def test_an_update_replaces_the_sections_and_leaves_started_sessions_alone(bob, alice, bank, django_capture_on_commit_callbacks):
    template = _screen(bob)
    with django_capture_on_commit_callbacks():
        _, token = services.assessment_invite_create(invited_by=bob, template=template, email=alice.email)
    session = services.assessment_start(token=token, candidate=alice)
    before = list(session.questions.values_list("position", "section_title", "question_version_id", "section_deadline"))
    deadline = session.deadline

    template_update(
        user=bob,
        template=template,
        title="Acme screen v2",
        total_minutes=90,
        sections=[{"title": "Only numbers", "minutes": 5, "draw_count": 1, "draw_kind": "numeric"}],
        description="new",
    )
    template.refresh_from_db()
    assert template.title == "Acme screen v2" and template.total_minutes == 90 and template.slug == "acme-screen"
    assert [(s.title, s.draw_kind) for s in template.sections.all()] == [("Only numbers", "numeric")]
    session = InterviewSession.objects.get(id=session.id)
    after = list(session.questions.values_list("position", "section_title", "question_version_id", "section_deadline"))
    assert after == before and session.deadline == deadline
    assert {t for _, t, _, _ in after} == {"Design", "ML"}


def test_an_unsatisfiable_update_changes_nothing(bob, bank):
    template = _screen(bob)
    with pytest.raises(ApplicationError) as refused:
        template_update(
            user=bob, template=template, title="Broken", total_minutes=40, sections=[{"title": "Big", "draw_count": 9}]
        )
    assert refused.value.code == "template_unsatisfiable"
    template.refresh_from_db()
    assert template.title == "Acme screen" and [s.title for s in template.sections.all()] == ["Design", "ML"]


def test_only_the_organizations_own_templates_can_be_changed(bob, dave, alice, bank, template):
    own = _screen(bob)
    fields = {"title": "X", "total_minutes": 5, "sections": [{"title": "A", "questions": _ids("sum-pairs")}]}
    with pytest.raises(NotFoundError):
        template_update(user=dave, template=own, **fields)
    with pytest.raises(NotFoundError):
        template_update(user=bob, template=template, **fields)  # public
    with pytest.raises(ForbiddenError):
        template_update(user=alice, template=own, **fields)
    with pytest.raises(NotFoundError):
        template_archive(user=dave, template=own)
    with pytest.raises(NotFoundError):
        template_duplicate(user=dave, template=own)


def test_a_duplicate_is_a_copy_for_the_recruiters_organization(bob, dave, bank, template):
    own = _screen(bob)
    copy = template_duplicate(user=bob, template=own)
    assert (copy.title, copy.organization, copy.created_by) == ("Acme screen (copy)", bob.organization, bob)
    assert copy.slug != own.slug and copy.id != own.id
    assert template_sections_data(copy) == template_sections_data(own)
    public_copy = template_duplicate(user=dave, template=template)
    assert public_copy.organization == dave.organization and public_copy.title == "Mini loop (copy)"
    assert template_sections_data(public_copy) == template_sections_data(template)
    template.refresh_from_db()
    assert template.organization is None  # the original is untouched


def test_archived_templates_are_not_offered_but_sent_invites_still_start(bob, alice, bank, django_capture_on_commit_callbacks):
    template = _screen(bob)
    with django_capture_on_commit_callbacks():
        _, token = services.assessment_invite_create(invited_by=bob, template=template, email=alice.email)
    template_archive(user=bob, template=template)
    assert template not in selectors.templates_visible_to(bob)
    with pytest.raises(NotFoundError):
        services.assessment_invite_create(invited_by=bob, template=template, email="new@example.test")
    session = services.assessment_start(token=token, candidate=alice)
    assert session.template == template and session.questions.count() == 3
    template_unarchive(user=bob, template=template)
    assert template in selectors.templates_visible_to(bob)


def test_an_archived_public_template_cannot_be_practised_or_duplicated(bob, alice, template):
    template.is_active = False
    template.save()
    with pytest.raises(NotFoundError):
        services.practice_start(candidate=alice, template=template)
    with pytest.raises(NotFoundError):
        template_duplicate(user=bob, template=template)


def test_the_sample_keeps_a_short_draw_and_says_how_many_matched(bob, bank):
    template = _screen(bob)
    parts = template_sample(template, random.Random(3))
    assert [p.pool_size for p in parts] == [None, 2]  # pick-metric and auc-value have the topic "metrics"
    assert not any(p.shortfall for p in parts)
    _draft, parts = template_sample_unsaved(
        user=bob,
        template=None,
        rng=random.Random(3),
        title="Draft",
        total_minutes=10,
        description="",
        shuffle_questions=False,
        sections=[{"title": "Many", "draw_count": 5, "draw_track": "ml_fundamentals"}],
    )
    assert parts[0].shortfall and parts[0].pool_size == 2 and len(parts[0].questions) == 2
    assert not InterviewTemplate.objects.filter(title="Draft").exists()


def test_an_unsaved_sample_of_an_edit_leaves_the_template_as_it_was(bob, bank):
    template = _screen(bob)
    _, parts = template_sample_unsaved(
        user=bob,
        template=template,
        rng=random.Random(0),
        title="Changed",
        total_minutes=10,
        description="",
        shuffle_questions=False,
        sections=[{"title": "Numbers", "draw_count": 1, "draw_kind": "numeric"}],
    )
    assert [q.slug for q in parts[0].questions] == ["auc-value"]
    template.refresh_from_db()
    assert template.title == "Acme screen" and [s.title for s in template.sections.all()] == ["Design", "ML"]


def test_a_seed_repeats_the_same_sample(bob, bank):
    template = template_create(user=bob, title="Draws", total_minutes=10, sections=[{"title": "Any", "draw_count": 2}])
    first = [q.id for q in template_sample(template, random.Random(42))[0].questions]
    assert first == [q.id for q in template_sample(template, random.Random(42))[0].questions]
    # The organization's own questions are in its pool: 4 public and 1 of Acme's.
    assert template_sample(template, random.Random(42))[0].pool_size == 5
