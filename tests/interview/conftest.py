"""Fixtures shared by the interview tests."""

from __future__ import annotations

import pytest

from interview.models import InterviewTemplate, TemplateSection
from questions.models import Question


@pytest.fixture
def template(bank) -> InterviewTemplate:
    """One section with a question of each kind: coding 1, choice 2, numeric 3, text 4."""
    template = InterviewTemplate.objects.create(slug="mini-loop", title="Mini loop", total_minutes=30)
    fixed = TemplateSection.objects.create(template=template, position=1, title="Everything")
    for slug in ("sum-pairs", "pick-metric", "auc-value", "design-cache"):
        fixed.questions.add(Question.objects.get(slug=slug))
    return template


def start(client, template) -> dict:
    """Starts a practice interview through the API; its session as the candidate sees it."""
    response = client.post(f"/api/templates/{template.id}/start/")
    assert response.status_code == 201, response.json()
    return response.json()


def position_of(session: dict, kind: str) -> int:
    """The position of the session's first question of this kind."""
    return next(q["position"] for q in session["questions"] if q["kind"] == kind)
