"""Fixtures for tests of written-answer grading: the test bank's design question, and
saved answers to it in practice or in an organization's assessment."""

from __future__ import annotations

import pytest

from interview import services
from interview.models import Answer, InterviewTemplate, TemplateSection
from questions.models import Question


@pytest.fixture
def design_template(bank) -> InterviewTemplate:
    template = InterviewTemplate.objects.create(slug="design", title="Design", total_minutes=30)
    TemplateSection.objects.create(template=template, position=1, title="Design").questions.add(
        Question.objects.get(slug="design-cache")
    )
    return template


@pytest.fixture
def answer_with(alice, design_template, bob, django_capture_on_commit_callbacks):
    """answer_with(text, assessment=False, candidate=None, recruiter=None): a saved written
    answer, in practice or in an assessment of the recruiter's organization (Acme's: bob)."""

    def make(text: str, *, assessment: bool = False, candidate=None, recruiter=None) -> Answer:
        candidate = candidate or alice
        if assessment:
            with django_capture_on_commit_callbacks():
                _, token = services.assessment_invite_create(
                    invited_by=recruiter or bob, template=design_template, email=candidate.email
                )
            session = services.assessment_start(token=token, candidate=candidate)
        else:
            session = services.practice_start(candidate=candidate, template=design_template)
        services.answer_save(session=session, position=1, payload={"text": text}, revision=1)
        return Answer.objects.get(session_question__session=session)

    return make
