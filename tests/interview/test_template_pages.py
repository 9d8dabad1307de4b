"""The recruiter's template pages through the Django client: list, editor, preview,
duplicate, archive, and who may reach them."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from interview import services
from interview.models import InterviewSession, InterviewTemplate
from interview.services.templates import template_create
from questions.models import Question


def _qid(slug: str) -> int:
    return Question.objects.get(slug=slug, organization__isnull=True).id


def _management(total: int, initial: int = 0) -> dict[str, str]:
    return {
        "sections-TOTAL_FORMS": str(total),
        "sections-INITIAL_FORMS": str(initial),
        "sections-MIN_NUM_FORMS": "1",
        "sections-MAX_NUM_FORMS": "20",
    }


def _post(**sections: dict[str, object]) -> dict[str, object]:
    """A filled editor form: title, minutes and the numbered sections given."""
    data: dict[str, object] = {"title": "Acme loop", "total_minutes": "45", "save": "1", **_management(len(sections))}
    for i, fields in enumerate(sections.values()):
        for name, value in fields.items():
            data[f"sections-{i}-{name}"] = value
    return data


def _signed_in(client, user):
    client.force_login(user)
    return client


def _screen(bob) -> InterviewTemplate:
    return template_create(
        user=bob,
        title="Acme screen",
        total_minutes=30,
        sections=[
            {"title": "Code", "questions": [_qid("sum-pairs")]},
            {"title": "ML", "draw_count": 1, "draw_track": "ml_fundamentals"},
        ],
    )


class _Inputs(HTMLParser):
    """Every visible form control of a page and the label ids of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str]] = []
        self.label_for: set[str] = set()
        self._in_template = 0

    def handle_starttag(self, tag, attrs):
        values = {k: v or "" for k, v in attrs}
        if tag == "template":
            self._in_template += 1
        if tag == "label" and values.get("for"):
            self.label_for.add(values["for"])
        if tag in ("input", "select", "textarea") and values.get("type") not in ("hidden", "submit") and not self._in_template:
            self.controls.append(values)

    def handle_endtag(self, tag):
        if tag == "template":
            self._in_template -= 1


def test_it_lists_the_organizations_templates_and_the_public_ones(client, bob, dave, alice, bank, template):
    own = _screen(bob)
    template_create(
        user=dave, title="Globex secret", total_minutes=5, sections=[{"title": "A", "questions": [_qid("sum-pairs")]}]
    )
    html = _signed_in(client, bob).get("/templates/").content.decode()
    own_table = html[html.index('id="own-templates"') : html.index('id="public-templates"')]
    row = re.search(rf'<tr data-template="{own.id}">(.*?)</tr>', own_table, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
    # Title, 2 sections, 30 minutes, 2 questions per session, 0 sessions, Active.
    assert cells[:6] == ["Acme screen", "2", "30", "2", "0", "Active"]
    assert "Bob" in cells[6]
    assert "Mini loop" in html[html.index('id="public-templates"') :]
    assert "Globex secret" not in html
    assert f"/templates/{template.id}/edit" not in html and f'href="/templates/{template.id}/"' not in html


def test_the_list_filters_active_and_archived(client, bob, bank):
    own = _screen(bob)
    client = _signed_in(client, bob)
    response = client.post(f"/templates/{own.id}/archive/")
    assert response.status_code == 302 and response["Location"] == "/templates/"
    assert "Invites already sent still work" in client.get("/templates/").content.decode()
    assert "Acme screen" not in client.get("/templates/").content.decode().split('id="public-templates"')[0]
    archived = client.get("/templates/?status=archived").content.decode()
    assert f'data-template="{own.id}"' in archived and "Archived" in archived and "Unarchive" in archived
    client.post(f"/templates/{own.id}/unarchive/")
    assert InterviewTemplate.objects.get(id=own.id).is_active
    assert client.get(f"/templates/{own.id}/archive/").status_code == 405


def test_every_editor_input_has_a_label(client, bob, bank):
    html = _signed_in(client, bob).get("/templates/new/").content.decode()
    parser = _Inputs()
    parser.feed(html)
    names = {c.get("name") for c in parser.controls}
    assert {"title", "sections-0-title", "sections-0-draw_count", "sections-0-questions", "sections-0-ORDER"} <= names
    unlabelled = [c for c in parser.controls if c.get("id") not in parser.label_for]
    assert unlabelled == []
    assert '<legend>Section <span class="section-number">1</span></legend>' in html
    assert "Python / DSA" in html and "Multiple choice" in html and "Count pairs with a given sum (Coding, easy)" in html
    assert "python_dsa" not in re.sub(r'(value|data-track)="[^"]*"', "", html)  # no raw codes on screen
    assert '<template id="section-template">' in html and "sections-__prefix__-title" in html


def test_a_recruiter_builds_a_template_of_any_number_of_sections(client, bob, bank):
    sections = {f"s{i}": {"title": f"Part {i}", "source": "draw", "draw_count": "1", "ORDER": str(i + 1)} for i in range(6)}
    sections["s0"] = {"title": "Picked", "source": "fixed", "questions": [str(_qid("design-cache"))], "ORDER": "1"}
    response = _signed_in(client, bob).post("/templates/new/", _post(**sections))
    template = InterviewTemplate.objects.get(title="Acme loop")
    assert response.status_code == 302 and response["Location"] == f"/templates/{template.id}/"
    assert template.organization == bob.organization and template.created_by == bob
    stored = list(template.sections.all())
    assert [s.title for s in stored] == ["Picked"] + [f"Part {i}" for i in range(1, 6)]
    assert [q.slug for q in stored[0].questions.all()] == ["design-cache"] and stored[0].draw_count == 0


def test_sections_follow_their_position_and_removed_ones_go(client, bob, bank):
    data = _post(
        a={"title": "First", "draw_count": "1", "ORDER": "3"},
        b={"title": "Second", "draw_count": "1", "ORDER": "1"},
        c={"title": "Gone", "draw_count": "1", "ORDER": "2", "DELETE": "on"},
    )
    _signed_in(client, bob).post("/templates/new/", data)
    assert [s.title for s in InterviewTemplate.objects.get(title="Acme loop").sections.all()] == ["Second", "First"]


def test_without_script_add_another_section_renders_one_more_and_keeps_what_was_typed(client, bob, bank):
    data = {**_post(a={"title": "Kept title", "draw_count": "1"}), "add_section": "1"}
    del data["save"]
    response = _signed_in(client, bob).post("/templates/new/", data)
    html = response.content.decode()
    assert response.status_code == 200 and not InterviewTemplate.objects.filter(organization=bob.organization).exists()
    assert 'name="sections-TOTAL_FORMS" value="2"' in html and 'name="sections-1-title"' in html
    assert 'value="Kept title"' in html and 'value="Acme loop"' in html


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"title": ""}, "id_title_error", "This field is required"),
        ({"sections-0-source": "fixed", "sections-0-draw_count": ""}, "id_sections-0-questions_error", "Pick at least one"),
        ({"sections-0-draw_count": ""}, "id_sections-0-draw_count_error", "how many questions to draw"),
        ({"sections-0-draw_count": "99"}, "id_sections-0-draw_count_error", "less than or equal to 20"),
    ],
)
def test_bad_input_rerenders_with_400_the_error_next_to_its_field_and_nothing_lost(client, bob, bank, change, field, message):
    data = {**_post(a={"title": "My section", "source": "draw", "draw_count": "1", "draw_kind": "numeric"}), **change}
    response = _signed_in(client, bob).post("/templates/new/", data)
    html = response.content.decode()
    assert response.status_code == 400 and not InterviewTemplate.objects.filter(organization=bob.organization).exists()
    error = re.search(rf'id="{field}">(.*?)</p>', html, re.S)
    assert error and message in error.group(1)
    assert 'value="My section"' in html
    assert '<option value="numeric" selected>Numeric</option>' in html


def test_an_unsatisfiable_draw_is_refused_with_400(client, bob, bank):
    response = _signed_in(client, bob).post("/templates/new/", _post(a={"title": "Big", "draw_count": "9"}))
    assert response.status_code == 400 and "only 5 match" in response.content.decode()
    assert not InterviewTemplate.objects.filter(organization=bob.organization).exists()


def test_more_than_twenty_sections_are_refused_clearly(client, bob, bank):
    sections = {f"s{i}": {"title": f"S{i}", "draw_count": "1"} for i in range(21)}
    response = _signed_in(client, bob).post("/templates/new/", _post(**sections))
    assert response.status_code == 400 and "at most 20 sections" in response.content.decode()
    full = {**_post(**{k: v for k, v in list(sections.items())[:20]}), "add_section": "1"}
    html = client.post("/templates/new/", full).content.decode()
    assert "at most 20 sections" in html and 'name="sections-TOTAL_FORMS" value="20"' in html


def test_editing_shows_the_stored_sections_and_saves_changes(client, bob, alice, bank, django_capture_on_commit_callbacks):
    template = _screen(bob)
    with django_capture_on_commit_callbacks():
        _, token = services.assessment_invite_create(invited_by=bob, template=template, email=alice.email)
    session = services.assessment_start(token=token, candidate=alice)
    frozen = list(session.questions.values_list("section_title", "question_version_id"))
    client = _signed_in(client, bob)
    html = client.get(f"/templates/{template.id}/").content.decode()
    assert 'value="Acme screen"' in html and 'value="Code"' in html
    assert re.search(rf'value="{_qid("sum-pairs")}" id="id_sections-0-questions_\d+" checked', html)
    assert "1 session already taken" in html
    data = {
        **_post(a={"title": "Numbers", "source": "draw", "draw_count": "1", "draw_kind": "numeric"}),
        "title": "Acme screen v2",
        "sections-INITIAL_FORMS": "0",
    }
    response = client.post(f"/templates/{template.id}/", data)
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.title == "Acme screen v2" and [s.title for s in template.sections.all()] == ["Numbers"]
    assert (
        list(InterviewSession.objects.get(id=session.id).questions.values_list("section_title", "question_version_id")) == frozen
    )


def test_the_preview_lists_a_sample_draw_without_answer_keys(client, bob, bank):
    template = _screen(bob)
    client = _signed_in(client, bob)
    html = client.get(f"/templates/{template.id}/preview/?seed=7").content.decode()
    assert "1 of 2 matching questions" in html  # two ML questions in the bank
    assert "Count pairs with a given sum" in html and "Coding" in html and "Easy" in html
    assert "Suggested time of this sample" in html and "30 minutes" in html
    assert "EXPLANATION-MARKER" not in html and "correct" not in html.lower()

    def drawn(page: str) -> list[str]:
        return re.findall(r"<li><strong>(.*?)</strong>", page)

    assert drawn(html) == drawn(client.get(f"/templates/{template.id}/preview/?seed=7").content.decode())
    samples = {tuple(drawn(client.get(f"/templates/{template.id}/preview/?seed={seed}").content.decode())) for seed in range(12)}
    assert len(samples) == 2  # the ML draw gives one question of two: different seeds, both samples
    assert re.search(r'href="\?seed=\d+" id="draw-again"', html)


def test_the_editor_previews_the_unsaved_form(client, bob, bank):
    data = {**_post(a={"title": "Draft ML", "draw_count": "5", "draw_track": "ml_fundamentals"}), "preview": "1"}
    del data["save"]
    response = _signed_in(client, bob).post("/templates/new/", data)
    html = response.content.decode()
    assert response.status_code == 200 and not InterviewTemplate.objects.filter(organization=bob.organization).exists()
    assert "Sample draw (not saved)" in html and "5 of 2 matching questions" in html and "not enough to draw 5" in html
    assert 'value="Draft ML"' in html


def test_duplicating_a_public_template_makes_an_editable_copy(client, bob, bank, template):
    client = _signed_in(client, bob)
    response = client.post(f"/templates/{template.id}/duplicate/")
    copy = InterviewTemplate.objects.get(title="Mini loop (copy)")
    assert response.status_code == 302 and response["Location"] == f"/templates/{copy.id}/"
    assert copy.organization == bob.organization
    assert client.get(f"/templates/{copy.id}/").status_code == 200
    assert client.get(f"/templates/{template.id}/").status_code == 404  # the public original: read-only
    assert client.post(f"/templates/{template.id}/archive/").status_code == 404
    assert client.get(f"/templates/{template.id}/preview/").status_code == 200


def test_other_organizations_and_candidates_get_404_everywhere(client, bob, dave, alice, bank):
    template = _screen(bob)
    urls = [f"/templates/{template.id}/", f"/templates/{template.id}/preview/"]
    posts = [f"/templates/{template.id}/{action}/" for action in ("duplicate", "archive", "unarchive")]
    for user in (dave, alice):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        for url in posts:
            assert client.post(url).status_code == 404, (user, url)
    client.force_login(alice)
    assert client.get("/templates/").status_code == 404 and client.get("/templates/new/").status_code == 404
    client.logout()
    assert client.get("/templates/").status_code == 302
    assert InterviewTemplate.objects.filter(organization=dave.organization).count() == 0
    assert InterviewTemplate.objects.get(id=template.id).is_active
