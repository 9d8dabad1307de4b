"""Every page a candidate meets, scanned by axe-core (no serious or critical WCAG 2.1
A/AA violation) and fitted to the screen, at 1280x800 and at 390x844. The journeys
themselves are tested in the other files of this folder; this sweep keeps a page that
no journey opens from slipping through."""

from __future__ import annotations

import pytest

from interview import services
from interview.models import InterviewTemplate, TemplateSection
from questions.models import Question
from tests.web.browsing import needs_chromium, sign_in, sweep

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def templates(bank, bob) -> tuple[InterviewTemplate, InterviewTemplate]:
    practice = InterviewTemplate.objects.create(slug="sweep", title="Sweep loop", total_minutes=30)
    section = TemplateSection.objects.create(template=practice, position=1, title="All")
    for slug in ("sum-pairs", "pick-metric", "auc-value", "design-cache"):
        section.questions.add(Question.objects.get(slug=slug))
    assessment = InterviewTemplate.objects.create(
        slug="sweep-acme", title="Acme sweep", total_minutes=30, organization=bob.organization
    )
    TemplateSection.objects.create(template=assessment, position=1, title="All").questions.add(
        Question.objects.get(slug="auc-value")
    )
    return practice, assessment


def test_every_candidate_page_is_accessible_and_fits(sized_page, screen, alice, bob, templates):
    practice, assessment = templates
    finished = services.practice_start(candidate=alice, template=practice)
    services.answer_save(session=finished, position=3, payload={"value": 0.75}, revision=1)
    services.session_candidate_finish(session=finished)
    _, token = services.assessment_invite_create(invited_by=bob, template=assessment, email=alice.email)
    submitted = services.assessment_start(token=token, candidate=alice)
    services.session_candidate_finish(session=submitted)
    question = Question.objects.get(slug="sum-pairs")

    page = sized_page
    sign_in(page, alice.email)
    pages = {
        "home": "/",
        "practice list": "/practice/",
        "question bank": "/questions/",
        "a question": f"/questions/{question.id}/",
        "progress": "/progress/",
        "practice results": f"/sessions/{finished.id}/results/",
        "submitted assessment": f"/sessions/{submitted.id}/results/",
    }
    sweep(page, pages, screen)
    # The submitted assessment shows the candidate nothing of its grading.
    page.goto(pages["submitted assessment"])
    assert "/ 100" not in page.inner_text("main")
