"""Nothing a candidate types breaks a session: text the service cannot store, and
numbers past what it can, are refused with 400 naming the field; ids past the
database's range are 404; an empty filter is 400, never "everything"."""

from __future__ import annotations

import json

import pytest

from interview.models import Answer, InterviewSession
from tests.conftest import error_code
from tests.interview.conftest import position_of, start

pytestmark = pytest.mark.django_db

BAD_TEXT = {
    "lone surrogate": "\\ud800",
    "low surrogate": "\\udfff",
    "NUL": "\\u0000",
    "control character": "\\u0001",
    "non-character": "\\uffff",
    "supplementary non-character": "\\udbff\\udfff",  # U+10FFFF as a surrogate pair: valid JSON, a non-character
}


def _raw_json(client, method: str, url: str, body: str):
    """A body written by hand: the JSON escape itself (``\\ud800``), as a hostile client sends it."""
    return getattr(client, method)(url, data=body, content_type="application/json")


@pytest.mark.parametrize("kind", sorted(BAD_TEXT))
def test_an_answer_with_unstorable_text_is_refused_and_the_session_keeps_working(client_for, alice, template, kind):
    client = client_for(alice)
    session = start(client, template)
    url = f"/api/sessions/{session['id']}/answers/{position_of(session, 'free_text')}/"
    response = _raw_json(client, "put", url, f'{{"payload": {{"text": "lone {BAD_TEXT[kind]} here"}}, "revision": 1}}')
    assert response.status_code == 400, response.content
    assert error_code(response) == "invalid"
    assert list(response.json()["error"]["fields"]) == ["payload.text"]
    assert "cannot be stored" in response.json()["error"]["message"]
    # The session is untouched and still works: read, save, finish.
    assert client.get(f"/api/sessions/{session['id']}/").status_code == 200
    assert client.put(url, {"payload": {"text": "fine"}, "revision": 2}, format="json").status_code == 200
    finished = client.post(f"/api/sessions/{session['id']}/finish/")
    assert finished.status_code == 200 and finished.json()["status"] == "finished"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("answers/{coding}/", '{"payload": {"source": "def f():\\n    return \'\\ud800\'"}, "revision": 1}', "payload.source"),
        ("answers/{coding}/run/", '{"source": "x = \'\\udc00\'"}', "source"),
        ("answers/{coding}/submit/", '{"source": "x = 1\\u0000"}', "source"),
        ("answers/{coding}/run/", '{"source": "x = 1", "custom_input": ["\\ud800"]}', "custom_input[0]"),
    ],
)
def test_code_and_custom_input_with_unstorable_text_are_refused(client_for, alice, template, path, body, field):
    client = client_for(alice)
    session = start(client, template)
    url = f"/api/sessions/{session['id']}/" + path.format(coding=position_of(session, "coding"))
    response = _raw_json(client, "post" if path.endswith(("run/", "submit/")) else "put", url, body)
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == [field]


def test_a_revision_past_64_bits_is_a_400_naming_it(client_for, alice, template):
    client = client_for(alice)
    session = start(client, template)
    url = f"/api/sessions/{session['id']}/answers/{position_of(session, 'free_text')}/"
    response = _raw_json(client, "put", url, '{"payload": {"text": "x"}, "revision": 9223372036854775808}')
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["revision"]


def test_a_template_section_field_is_named_by_its_path(client_for, bob, bank):
    body = json.dumps({"title": "T", "total_minutes": 30, "sections": [{"title": "fine"}, {"title": "bad \x00"}]})
    response = _raw_json(client_for(bob), "post", "/api/templates/", body)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["sections[1].title"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/cohorts/99999999999999999999/csv/",
        "/api/sessions/99999999999999999999/",
        "/api/reports/99999999999999999999/",
        "/api/submissions/9223372036854775808/",
        "/dashboard/compare/?session=99999999999999999999&session=1",
    ],
)
def test_ids_past_the_databases_range_are_not_found(client_for, client, bob, url):
    client.force_login(bob)
    response = client.get(url) if url.startswith("/dashboard") else client_for(bob).get(url)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/questions/?track=", "track"),
        ("/api/questions/?kind=coding&difficulty=", "difficulty"),
        ("/api/questions/?search=%00", "search"),
        ("/api/dashboard/?template=99999999999999999999", "template"),
    ],
)
def test_an_empty_or_unstorable_filter_is_a_400_never_everything(client_for, bob, bank, url, field):
    response = client_for(bob).get(url)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize("wait", ["nan", "inf", "-1", "x"])
def test_a_long_poll_wait_that_is_no_number_of_seconds_is_refused(client_for, alice, bank, wait):
    response = client_for(alice).get(f"/api/submissions/1/?wait={wait}")
    assert response.status_code == 400 and response.json()["error"]["fields"] == {"wait": ["invalid"]}


def test_a_page_form_refuses_unstorable_text_on_the_field(client, db):
    response = client.post("/signup/", {"name": "Eve\x01", "email": "eve@example.test", "password": "long enough pass"})
    assert response.status_code == 200
    assert "cannot be stored" in response.content.decode()
    from accounts.models import User

    assert not User.objects.filter(email="eve@example.test").exists()


def test_text_stored_before_the_check_is_repaired_and_renders(client_for, alice, template, django_capture_on_commit_callbacks):
    """What got in before (SQLite kept JSON's escapes as they came) is repaired by a data migration."""
    from importlib import import_module

    from django.apps import apps

    client = client_for(alice)
    session = start(client, template)
    answer = Answer.objects.get(
        session_question__session_id=session["id"], session_question__position=position_of(session, "free_text")
    )
    # PostgreSQL refuses a lone surrogate or NUL outright; a control character and a non-character it stores.
    Answer.objects.filter(id=answer.id).update(payload={"text": "bad \x01 and \uffff"})
    import_module("interview.migrations.0004_repair_unstorable_answers").repair(apps, None)
    assert Answer.objects.get(id=answer.id).payload == {"text": "bad \ufffd and \ufffd"}
    assert client.get(f"/api/sessions/{session['id']}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=False):
        finished = client.post(f"/api/sessions/{session['id']}/finish/")
    assert finished.status_code == 200
    assert InterviewSession.objects.get(id=session["id"]).status == "finished"
