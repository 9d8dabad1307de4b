"""Templates opt in to follow-ups (the editor, the API, duplicates); the public AI
engineer screen does."""

from __future__ import annotations

import re

from interview.models import InterviewTemplate
from interview.services.templates import template_create
from questions.models import Question
from tests.conftest import error_code
from tests.interview.test_template_pages import _post, _signed_in


def _sum_pairs() -> int:
    return Question.objects.get(slug="sum-pairs", organization__isnull=True).id


def test_the_public_ai_engineer_screen_asks_follow_ups(db):
    template = InterviewTemplate.objects.get(organization__isnull=True, slug="ai-engineer-screen")
    assert template.follow_ups is True and template.follow_up_minutes == 3
    others = InterviewTemplate.objects.filter(organization__isnull=True).exclude(slug="ai-engineer-screen")
    assert others.exists() and not others.filter(follow_ups=True).exists()


def test_the_api_creates_changes_and_copies_the_choice(client_for, bob, bank):
    client = client_for(bob)
    created = client.post(
        "/api/templates/",
        {
            "title": "Probing",
            "total_minutes": 30,
            "follow_ups": True,
            "follow_up_minutes": 4,
            "sections": [{"title": "C", "questions": [_sum_pairs()]}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["follow_ups"] is True and created.json()["follow_up_minutes"] == 4
    template_id = created.json()["id"]
    changed = client.patch(f"/api/templates/{template_id}/", {"follow_up_minutes": 15}, format="json")
    assert changed.json()["follow_up_minutes"] == 15 and changed.json()["follow_ups"] is True
    refused = client.patch(f"/api/templates/{template_id}/", {"follow_up_minutes": 16}, format="json")
    assert refused.status_code == 400 and error_code(refused) == "invalid"
    copy = client.post(f"/api/templates/{template_id}/duplicate/").json()
    assert copy["follow_ups"] is True and copy["follow_up_minutes"] == 15
    off = client.patch(f"/api/templates/{template_id}/", {"follow_ups": False}, format="json")
    assert off.json()["follow_ups"] is False


def test_the_editor_saves_the_choice_and_shows_it_again(client, bob, bank):
    data = _post(code={"title": "Code", "questions": [str(_sum_pairs())]})
    data.update({"follow_ups": "on", "follow_up_minutes": "5"})
    response = _signed_in(client, bob).post("/templates/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    template = InterviewTemplate.objects.get(organization=bob.organization, title="Acme loop")
    assert template.follow_ups is True and template.follow_up_minutes == 5
    page = client.get(f"/templates/{template.id}/").content.decode()
    checkbox = re.search(r'<input[^>]*name="follow_ups"[^>]*>', page).group()
    minutes = re.search(r'<input[^>]*name="follow_up_minutes"[^>]*>', page).group()
    assert "checked" in checkbox and 'value="5"' in minutes


def test_a_template_made_in_code_asks_none_by_default(bob, bank):
    template = template_create(user=bob, title="Quiet", total_minutes=20, sections=[{"title": "C", "questions": [_sum_pairs()]}])
    assert template.follow_ups is False
