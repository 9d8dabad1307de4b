"""What reaches the LLM's prompt: the bank's anchors, the same organization's reviewed
answers and never another's, fenced as data; and what a grade's evidence must be."""

from __future__ import annotations

import json

import pytest

from grading.models import AnswerGrade
from grading.rubric import GradeInvalid, parse_grade
from grading.rubric_services import grade_override
from interview.services import answer_rubric_grade

ANSWER = "Shard keys with consistent hashing and virtual nodes. Evict with LRU eviction and a TTL per key."
GOOD = {"partitioning": 4, "eviction": 3}
EVIDENCE = {"partitioning": ["consistent hashing and virtual nodes"], "eviction": ["LRU eviction and a TTL"]}
RUBRIC = {
    "criteria": [
        {"id": "partitioning", "name": "P", "weight": 2, "description": "d", "levels": {}, "key_points": []},
        {"id": "eviction", "name": "E", "weight": 1, "description": "d", "levels": {}, "key_points": []},
    ]
}


def _prompt(request: dict) -> str:
    return "\n".join(m["content"] for m in request["body"]["messages"])


def _reviewed(answer_with, fake_llm, reviewer, text, **kwargs) -> AnswerGrade:
    """A grade of ``text`` whose levels a recruiter set: a candidate for few-shot examples."""
    fake_llm.reply_grade(GOOD, evidence=EVIDENCE)
    grade = answer_rubric_grade(answer_id=answer_with(text, assessment=True, recruiter=reviewer, **kwargs).id)
    for criterion, level in GOOD.items():
        grade_override(grade=grade, user=reviewer, criterion_id=criterion, level=level, comment="checked")
    grade.refresh_from_db()
    assert grade.status == "reviewed"
    return grade


def test_the_banks_anchors_are_few_shot_examples_fenced_as_data(fake_llm, answer_with):
    fake_llm.reply_grade(GOOD, evidence=EVIDENCE)
    answer_rubric_grade(answer_id=answer_with(ANSWER).id)
    prompt = _prompt(fake_llm.requests[0])
    # Weakest first, each with its levels, each inside the per-call fence.
    positions = [prompt.index(f"ANCHOR-MARKER-{level}") for level in (1, 2, 4)]
    assert positions == sorted(positions)
    fence = prompt.split("between the two ")[1].split(" lines")[0]
    assert fence.startswith("ANSWER-") and prompt.count(fence) >= 2 * 4
    assert '"partitioning": 4' in prompt


def test_another_organizations_answers_never_reach_a_prompt(fake_llm, answer_with, bob, dave, django_user_model):
    make = django_user_model.objects.create_user
    _reviewed(answer_with, fake_llm, bob, ANSWER + " ACME-SECRET-ANSWER", candidate=make("a1@y.test", "correct-horse-9x"))
    _reviewed(answer_with, fake_llm, dave, ANSWER + " GLOBEX-SECRET-ANSWER", candidate=make("g1@y.test", "correct-horse-9x"))
    fake_llm.requests.clear()
    # A Globex assessment: Globex's reviewed answer may be an example, Acme's never.
    fake_llm.reply_grade(GOOD, evidence=EVIDENCE)
    globex = answer_rubric_grade(
        answer_id=answer_with(
            ANSWER + " Two.", assessment=True, recruiter=dave, candidate=make("g2@y.test", "correct-horse-9x")
        ).id
    )
    prompt = _prompt(fake_llm.requests[-1])
    assert "GLOBEX-SECRET-ANSWER" in prompt and "ACME-SECRET-ANSWER" not in prompt
    assert "ACME-SECRET-ANSWER" not in json.dumps(globex.prompt)  # what the grade stores, and the API shows
    # Practice belongs to no organization: no recruiter's examples at all, only the bank's anchors.
    fake_llm.reply_grade(GOOD, evidence=EVIDENCE)
    answer_rubric_grade(answer_id=answer_with(ANSWER + " Three.", candidate=make("p1@y.test", "correct-horse-9x")).id)
    prompt = _prompt(fake_llm.requests[-1])
    assert "SECRET-ANSWER" not in prompt and "ANCHOR-MARKER-4" in prompt


def test_the_cache_key_covers_the_examples(fake_llm, answer_with, bob, django_user_model):
    make = django_user_model.objects.create_user
    fake_llm.reply_grade(GOOD, evidence=EVIDENCE)
    first = answer_rubric_grade(
        answer_id=answer_with(ANSWER, assessment=True, candidate=make("c1@y.test", "correct-horse-9x")).id
    )
    # A recruiter reviews another answer: Acme's prompt for this question now has an example.
    _reviewed(answer_with, fake_llm, bob, ANSWER + " Reviewed.", candidate=make("c2@y.test", "correct-horse-9x"))
    fake_llm.reply_grade(GOOD, evidence=EVIDENCE)
    same_text = answer_rubric_grade(
        answer_id=answer_with(ANSWER, assessment=True, candidate=make("c3@y.test", "correct-horse-9x")).id
    )
    assert not same_text.cached and same_text.cache_key != first.cache_key
    assert len(fake_llm.requests) == 3


@pytest.mark.parametrize(
    ("quote", "problem"),
    [
        ("hashing", "too short"),  # a word that could be anywhere is not evidence
        ("6 Gbps per node", "not in the answer"),  # the answer says 0.6 Gbps
        ("CONSISTENT HASHING with", "not in the answer"),  # not the candidate's own words
    ],
)
def test_evidence_is_a_phrase_of_the_answer_as_written(quote, problem):
    answer = "Use consistent hashing with virtual nodes; each node serves ~0.6 Gbps at peak."
    reply = {
        "criteria": [
            {"id": "partitioning", "evidence": [quote], "reasoning": "r", "level": 3},
            {"id": "eviction", "evidence": [], "reasoning": "r", "level": 0},
        ],
        "injection_suspected": False,
    }
    with pytest.raises(GradeInvalid, match=problem):
        parse_grade(json.dumps(reply), rubric=RUBRIC, answer=answer)
    reply["criteria"][0]["evidence"] = ["each node  serves ~0.6 Gbps"]  # whitespace may differ
    assert parse_grade(json.dumps(reply), rubric=RUBRIC, answer=answer).criteria[0].evidence == ["each node  serves ~0.6 Gbps"]


def test_a_raw_newline_inside_a_string_is_read_not_refused():
    # llama.cpp's JSON grammar lets control characters into strings; strict JSON does not.
    answer = "Use consistent hashing with virtual nodes; each node serves ~0.6 Gbps at peak."
    content = (
        '{"criteria": [{"id": "partitioning", "evidence": ["consistent hashing with virtual nodes"], '
        '"reasoning": "names the ring\nand virtual nodes", "level": 3}, '
        '{"id": "eviction", "evidence": [], "reasoning": "none", "level": 0}], "injection_suspected": false}'
    )
    with pytest.raises(ValueError):
        json.loads(content)  # strict JSON refuses it
    grade = parse_grade(content, rubric=RUBRIC, answer=answer)
    assert [c.level for c in grade.criteria] == [3, 0]
    assert grade.criteria[0].reasoning == "names the ring\nand virtual nodes"
