"""The question bank API: filters, pagination, and what each role may see."""

from __future__ import annotations

import json

import pytest

from questions.models import Question
from tests.conftest import assert_no_active_content, error_code

LIST = "/api/questions/"


def _detail(slug: str) -> str:
    return f"/api/questions/{Question.objects.get(slug=slug).id}/"


def test_it_requires_sign_in(api, bank):
    response = api.get(LIST)
    assert response.status_code in (401, 403)
    assert error_code(response) == "not_authenticated"


def test_it_lists_the_public_bank_for_a_candidate(client_for, alice, bank):
    response = client_for(alice).get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    slugs = {q["slug"] for q in body["results"]}
    assert slugs == {"sum-pairs", "pick-metric", "auc-value", "design-cache"}
    first = next(q for q in body["results"] if q["slug"] == "sum-pairs")
    assert first == {
        "id": first["id"],
        "slug": "sum-pairs",
        "title": "Count pairs with a given sum",
        "track": "python_dsa",
        "kind": "coding",
        "difficulty": "easy",
        "topics": ["arrays", "hashing"],
        "time_estimate_minutes": 10,
        "version": 1,
        "organization": None,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("track=ml_fundamentals", {"pick-metric", "auc-value"}),
        ("kind=numeric", {"auc-value"}),
        ("difficulty=hard", {"design-cache"}),
        ("topic=metrics", {"pick-metric", "auc-value"}),
        ("topic=metrics&kind=multiple_choice", {"pick-metric"}),
        ("search=DISTRIBUTED", {"design-cache"}),
        ("search=nothing-like-this", set()),
    ],
)
def test_it_filters(client_for, alice, bank, query, expected):
    body = client_for(alice).get(f"{LIST}?{query}").json()
    assert {q["slug"] for q in body["results"]} == expected


def test_it_paginates(client_for, alice, bank):
    body = client_for(alice).get(f"{LIST}?page_size=3").json()
    assert body["count"] == 4 and len(body["results"]) == 3 and body["next"]
    second = client_for(alice).get(f"{LIST}?page_size=3&page=2").json()
    assert len(second["results"]) == 1


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("colour=blue", "unknown_filter", "colour"),
        ("track=cooking", "invalid", "track"),
        ("difficulty=7", "invalid", "difficulty"),
        ("topic=has spaces", "invalid", "topic"),
    ],
)
def test_it_refuses_bad_filters_with_a_stable_code(client_for, alice, bank, query, code, field):
    response = client_for(alice).get(f"{LIST}?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert field in error["fields"]
    assert error["message"]


def test_a_page_past_the_end_is_a_404(client_for, alice, bank):
    response = client_for(alice).get(f"{LIST}?page=99")
    assert response.status_code == 404
    assert error_code(response) == "not_found"


def test_the_candidate_view_of_a_coding_question_hides_answers(client_for, alice, bank):
    response = client_for(alice).get(_detail("sum-pairs"))
    assert response.status_code == 200
    body = response.json()
    content = body["content"]
    assert content["starter"].startswith("def count_pairs")
    assert content["visible_tests"] == [
        {
            "name": "example",
            "args": [[1, 2, 3, 4], 5],
            "expected": 2,
            # As a Python candidate reads them: the call, and the value.
            "input_text": "count_pairs([1, 2, 3, 4], 5)",
            "expected_text": "2",
        }
    ]
    assert content["hidden_test_count"] == 2
    raw = json.dumps(body)
    for secret in ("SECRET-hidden", "REFERENCE-SOLUTION-MARKER", "Counter()", "wrong", "solution"):
        assert secret not in raw


def test_the_candidate_view_of_a_multiple_choice_question_hides_the_correct_option(client_for, alice, bank):
    body = client_for(alice).get(_detail("pick-metric")).json()
    assert [o["id"] for o in body["content"]["options"]] == ["a", "b", "c"]
    raw = json.dumps(body)
    assert "correct" not in raw and "EXPLANATION-MARKER" not in raw


def test_the_candidate_view_of_numeric_and_free_text_questions_hides_answers_and_rubrics(client_for, alice, bank):
    numeric = json.dumps(client_for(alice).get(_detail("auc-value")).json())
    assert "0.75" not in numeric and "NUMERIC-EXPLANATION-MARKER" not in numeric and "tolerance" not in numeric
    design = client_for(alice).get(_detail("design-cache")).json()
    assert design["content"] == {"max_words": 800}
    raw = json.dumps(design)
    for secret in ("RUBRIC-MARKER", "STRONG-ANSWER-MARKER", "virtual nodes", "criteria", "key_points"):
        assert secret not in raw


def test_the_answer_key_is_for_recruiters_and_staff_only(client_for, alice, bob, staff, bank):
    url = _detail("sum-pairs") + "answer-key/"
    refused = client_for(alice).get(url)
    assert refused.status_code == 403
    assert error_code(refused) == "permission_denied"
    for user in (bob, staff):
        body = client_for(user).get(url).json()
        assert "REFERENCE-SOLUTION-MARKER" in body["answer_key"]["solution"]
        assert [t["name"] for t in body["answer_key"]["tests"]][1] == "SECRET-hidden-duplicates"


def test_private_questions_are_seen_only_by_their_organization(client_for, alice, bob, carol, dave, bank):
    private_url = _detail("acme-private-xss")
    for user in (bob, carol):
        assert client_for(user).get(private_url).status_code == 200
        slugs = {q["slug"] for q in client_for(user).get(LIST).json()["results"]}
        assert "acme-private-xss" in slugs
    for user in (alice, dave):
        response = client_for(user).get(private_url)
        assert response.status_code == 404
        assert error_code(response) == "not_found"
        assert client_for(user).get(private_url + "answer-key/").status_code == 404
        slugs = {q["slug"] for q in client_for(user).get(LIST).json()["results"]}
        assert "acme-private-xss" not in slugs


def test_owner_filter_separates_private_from_public(client_for, bob, bank):
    body = client_for(bob).get(f"{LIST}?owner=organization").json()
    assert [(q["slug"], q["organization"]) for q in body["results"]] == [("acme-private-xss", "acme")]


def test_prompts_are_sanitized(client_for, bob, bank):
    body = client_for(bob).get(_detail("acme-private-xss")).json()
    html = body["prompt_html"]
    assert_no_active_content(html)
    assert '&lt;script&gt;alert("prompt")&lt;/script&gt;' in html
    assert body["title"].startswith("<script>")  # JSON carries the raw text; pages escape it


def test_unknown_question_is_a_404(client_for, alice, bank):
    response = client_for(alice).get("/api/questions/999999/")
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "no such question"}


def test_topics_are_counted_over_visible_questions(client_for, alice, bob, bank):
    topics = {t["slug"]: t["questions"] for t in client_for(alice).get("/api/topics/").json()}
    assert topics["metrics"] == 2 and topics["arrays"] == 1
    assert {t["slug"]: t["questions"] for t in client_for(bob).get("/api/topics/").json()}["arrays"] == 2
