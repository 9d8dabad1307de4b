"""The browser pages: sign-up, sign-in, the bank list and detail, escaping of hostile text."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from questions.models import Question
from tests.conftest import PASSWORD, assert_no_active_content


@pytest.fixture
def browser() -> Client:
    return Client(enforce_csrf_checks=True)


def _csrf(browser: Client, url: str) -> str:
    browser.get(url)
    return browser.cookies["csrftoken"].value


def test_it_signs_up_and_lands_signed_in(browser, db):
    token = _csrf(browser, "/signup/")
    response = browser.post(
        "/signup/", {"email": "web@example.test", "password": PASSWORD, "name": "Web", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    page = browser.get("/").content.decode()
    assert "web@example.test" in page and "Question bank" in page
    assert User.objects.get(email="web@example.test").role == "candidate"


def test_sign_up_shows_a_weak_password_next_to_the_field(browser, db):
    token = _csrf(browser, "/signup/")
    response = browser.post("/signup/", {"email": "web@example.test", "password": "123", "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    assert not User.objects.filter(email="web@example.test").exists()


def test_forms_refuse_posts_without_a_csrf_token(browser, db):
    response = browser.post("/signup/", {"email": "web@example.test", "password": PASSWORD})
    assert response.status_code == 403


def test_it_signs_in_with_email_and_password(browser, alice):
    token = _csrf(browser, "/login/")
    response = browser.post("/login/", {"username": "alice@example.test", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "alice@example.test" in browser.get("/").content.decode()


def test_the_bank_needs_sign_in(browser, bank):
    response = browser.get("/questions/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_bank_page_filters(client, alice, bank):
    client.force_login(alice)
    page = client.get("/questions/?track=ml_fundamentals").content.decode()
    assert "Pick a metric for rare positives" in page and "AUC of a tiny ranking" in page
    assert "Count pairs with a given sum" not in page
    assert "2 questions" in page


def test_the_question_page_shows_the_prompt_and_examples_but_no_answers(client, alice, bank):
    client.force_login(alice)
    question = Question.objects.get(slug="sum-pairs")
    page = client.get(f"/questions/{question.id}/").content.decode()
    assert "Return how many index pairs" in page and "def count_pairs" in page
    assert "1 example test and 2 hidden tests" in page
    assert "SECRET-hidden" not in page and "REFERENCE-SOLUTION-MARKER" not in page


def test_hostile_titles_and_prompts_are_escaped(client, bob, bank):
    client.force_login(bob)
    question = Question.objects.get(slug="acme-private-xss")
    for url in ("/questions/", f"/questions/{question.id}/"):
        page = client.get(url).content.decode()
        assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;" in page
        assert_no_active_content(page)


def test_other_organizations_cannot_open_a_private_question_page(client, dave, bank):
    client.force_login(dave)
    question = Question.objects.get(slug="acme-private-xss")
    assert client.get(f"/questions/{question.id}/").status_code == 404


def test_the_openapi_schema_and_docs_are_served(client, alice):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "openapi: 3" in text and "/api/questions/{question_id}/" in text and "/api/organization/invites/" in text
    client.force_login(alice)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and "swagger-ui" in docs.content.decode()


def test_the_openapi_schema_is_complete_and_valid(tmp_path):
    from django.core.management import call_command

    # --fail-on-warn: every endpoint documented, no colliding component names.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/sessions/{session_id}/answers/{position}/" in (tmp_path / "schema.yaml").read_text()
