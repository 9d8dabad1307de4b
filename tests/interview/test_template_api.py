"""The template API: GET and PATCH one template, POST a duplicate."""

from __future__ import annotations

from interview.models import InterviewTemplate
from interview.services.templates import template_create
from questions.models import Question
from tests.conftest import error_code


def _screen(bob) -> InterviewTemplate:
    sum_pairs = Question.objects.get(slug="sum-pairs", organization__isnull=True).id
    return template_create(
        user=bob,
        title="Acme screen",
        total_minutes=30,
        sections=[{"title": "Code", "questions": [sum_pairs]}, {"title": "ML", "draw_count": 1, "draw_track": "ml_fundamentals"}],
    )


def test_it_reads_a_template_with_its_sections(client_for, bob, dave, alice, bank, template):
    own = _screen(bob)
    body = client_for(bob).get(f"/api/templates/{own.id}/").json()
    assert body["title"] == "Acme screen" and body["is_active"] is True
    assert [s["title"] for s in body["sections"]] == ["Code", "ML"] and body["sections"][1]["draw_count"] == 1
    assert client_for(dave).get(f"/api/templates/{own.id}/").status_code == 404
    assert client_for(alice).get(f"/api/templates/{own.id}/").status_code == 404
    assert client_for(alice).get(f"/api/templates/{template.id}/").status_code == 200  # public


def test_patch_changes_fields_and_keeps_the_rest(client_for, bob, bank):
    own = _screen(bob)
    client = client_for(bob)
    response = client.patch(f"/api/templates/{own.id}/", {"title": "Renamed", "total_minutes": 50}, format="json")
    assert response.status_code == 200, response.json()
    own.refresh_from_db()
    assert (own.title, own.total_minutes, own.sections.count()) == ("Renamed", 50, 2)
    response = client.patch(
        f"/api/templates/{own.id}/", {"sections": [{"title": "Only", "draw_count": 1, "draw_kind": "numeric"}]}, format="json"
    )
    assert [s["title"] for s in response.json()["sections"]] == ["Only"]
    refused = client.patch(f"/api/templates/{own.id}/", {"sections": [{"title": "Big", "draw_count": 9}]}, format="json")
    assert refused.status_code == 400 and error_code(refused) == "template_unsatisfiable"
    assert [s.title for s in InterviewTemplate.objects.get(id=own.id).sections.all()] == ["Only"]
    archived = client.patch(f"/api/templates/{own.id}/", {"is_active": False}, format="json")
    assert archived.json()["is_active"] is False
    assert client.get(f"/api/templates/{own.id}/").status_code == 200  # still yours to read


def test_patch_is_refused_on_public_and_other_organizations_templates(client_for, bob, dave, alice, bank, template):
    own = _screen(bob)
    assert client_for(dave).patch(f"/api/templates/{own.id}/", {"title": "Mine"}, format="json").status_code == 404
    assert client_for(bob).patch(f"/api/templates/{template.id}/", {"title": "Mine"}, format="json").status_code == 404
    assert client_for(alice).patch(f"/api/templates/{template.id}/", {"title": "Mine"}, format="json").status_code == 403
    assert InterviewTemplate.objects.get(id=own.id).title == "Acme screen"
    assert InterviewTemplate.objects.get(id=template.id).title == "Mini loop"


def test_duplicate_copies_own_and_public_templates(client_for, bob, dave, bank, template):
    own = _screen(bob)
    copy = client_for(bob).post(f"/api/templates/{own.id}/duplicate/")
    assert copy.status_code == 201 and copy.json()["title"] == "Acme screen (copy)"
    public = client_for(dave).post(f"/api/templates/{template.id}/duplicate/")
    assert public.status_code == 201 and public.json()["organization"] == "globex"
    assert client_for(dave).post(f"/api/templates/{own.id}/duplicate/").status_code == 404
