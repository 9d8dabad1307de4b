"""Rubric grading against a REAL OpenAI-compatible server: llama.cpp (llama-cpp-python's
server) with SmolLM2-135M-Instruct (tests/llama_server.py).

The scripted fake (tests/fake_openai.py) says what the grader does with each reply; these
tests drive the real openai client, the real request, the real server's validation and a
real model's output through the whole grading path. They assert the PATH, not the
quality: a 135M model is no grader, and often fails validation (a person then grades).

All of them share one server (session-scoped); under pytest-xdist ``--dist loadgroup`` they
run in one worker. MOCKLOOP_SKIP_LLAMA=1 skips them, saying so; otherwise a missing
llama-cpp-python fails them (scripts/test installs it).
"""

from __future__ import annotations

import json
import re
import time

import pytest

from grading.models import AnswerGrade, LlmSpend
from grading.rubric import LEVELS
from interview import tasks as interview_tasks
from interview.services import answer_rubric_grade
from tests.llama_server import LlamaServer, llama_server

__all__ = ["llama_server"]  # the session fixture, imported to be found here

pytestmark = [pytest.mark.xdist_group("llama_server"), pytest.mark.timeout(900)]

ANSWER = (
    "Shard keys across nodes with consistent hashing and virtual nodes, so adding a node moves few keys. "
    "Evict with LRU eviction and a TTL per key; replicate each shard to one follower."
)
MAX_TOKENS = 512
_COMPLETION_REQUEST = re.compile(r'"POST /v1/chat/completions HTTP/1\.[01]" (\d{3})')


def completion_requests(server: LlamaServer) -> list[int]:
    """The statuses of the chat completion requests the server has answered (its access log)."""
    return [int(status) for status in _COMPLETION_REQUEST.findall(server.log_path.read_text(errors="replace"))]


def completion_requests_since(server: LlamaServer, before: int, *, expected: int) -> list[int]:
    # The access log line is written as the response starts; give the file a moment.
    deadline = time.monotonic() + 5
    while len(completion_requests(server)) - before < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return completion_requests(server)[before:]


@pytest.fixture
def real_llm(settings, llama_server):
    """The grader pointed at the real server, as an operator would configure a self-hosted model."""
    settings.OPENAI_BASE_URL = llama_server.base_url
    settings.OPENAI_API_KEY = ""
    settings.LLM_MODEL = llama_server.model
    settings.LLM_MAX_TOKENS = MAX_TOKENS
    settings.LLM_TIMEOUT_SECONDS = 600
    settings.LLM_SAMPLES = 1
    settings.LLM_BACKOFF_SECONDS = 0.01
    return llama_server


def _spaced(text: str) -> str:
    return " ".join(text.split()).casefold()


def test_json_object_with_the_schema_grades_end_to_end_or_hands_the_answer_to_a_person(real_llm, answer_with, settings, client):
    settings.LLM_RESPONSE_FORMAT = "json_object"
    answer = answer_with(ANSWER)
    before = len(completion_requests(real_llm))

    grade = answer_rubric_grade(answer_id=answer.id)

    assert grade.grader == "llm" and grade.model == real_llm.model
    calls = grade.raw_completions
    assert 1 <= len(calls) <= 2  # an invalid reply is asked again once, never more
    statuses = completion_requests_since(real_llm, before, expected=len(calls))
    assert statuses == [200] * len(calls), statuses
    # Real token counts, each reply bounded by max_tokens (the request carried it).
    assert grade.prompt_tokens > 0 and grade.completion_tokens > 0
    for call in calls:
        assert call["model"] == real_llm.model
        assert 0 < call["usage"]["completion_tokens"] <= MAX_TOKENS
    assert grade.completion_tokens == sum(c["usage"]["completion_tokens"] for c in calls)
    # The schema went with json_object: the server's grammar held every finished reply to its
    # shape (it may let a raw newline into a string, which the grader reads: strict=False).
    rubric = grade.question_version.spec
    ids = [c["id"] for c in rubric["criteria"]]
    for call in calls:
        choice = call["choices"][0]
        if choice["finish_reason"] == "stop":
            reply = json.loads(choice["message"]["content"], strict=False)
            assert set(reply) == {"criteria", "injection_suspected"}
            assert all(item["id"] in ids and item["level"] in LEVELS for item in reply["criteria"])
    # What it cost, settled.
    spend = LlmSpend.objects.get(answer_id=answer.id)
    assert spend.status == "settled" and spend.calls == len(calls) and spend.model == real_llm.model
    assert (spend.prompt_tokens, spend.completion_tokens) == (grade.prompt_tokens, grade.completion_tokens)
    assert spend.cost_usd == grade.cost_usd > 0

    answer.refresh_from_db()
    if grade.criteria:  # the reply was a valid grade
        assert [c["id"] for c in grade.criteria] == ids
        assert all(c["level"] in LEVELS for c in grade.criteria)
        for criterion in grade.criteria:
            assert all(_spaced(quote) in _spaced(ANSWER) for quote in criterion["evidence"]), criterion
        assert grade.machine_score is not None
        if grade.status == AnswerGrade.Status.GRADED:
            assert grade.review_reasons == [] and answer.score == pytest.approx(grade.machine_score)
        else:  # valid, but the model says the answer tries to steer it: a person looks
            assert grade.status == AnswerGrade.Status.NEEDS_REVIEW
            assert grade.review_reasons == ["the model flagged an injection attempt"], grade.review_reasons
            assert answer.score is None
    else:  # no usable grade: invalid twice, or cut short at max_tokens
        assert grade.status == AnswerGrade.Status.NEEDS_REVIEW
        assert len(grade.review_reasons) == 1 and grade.review_reasons[0].startswith("no usable grade from the model")
        assert spend.outcome == "invalid" and answer.score is None and answer.grade_status == "pending"
    # The endpoint answers and did not refuse: /healthz's llm check is fine.
    health = client.get("/healthz", HTTP_ACCEPT="application/json").json()["checks"]["llm"]
    assert health["status"] == "ok" and "answers" in health["detail"], health


def test_json_schema_is_refused_by_this_server_and_goes_to_a_person_once(real_llm, answer_with, settings, client):
    settings.LLM_RESPONSE_FORMAT = "json_schema"
    answer = answer_with(ANSWER)
    before = len(completion_requests(real_llm))

    grade = answer_rubric_grade(answer_id=answer.id)

    # llama-cpp-python's server answers response_format json_schema with a 500 naming it:
    # a permanent refusal, not an outage to retry.
    assert completion_requests_since(real_llm, before, expected=1) == [500]
    assert grade.status == AnswerGrade.Status.NEEDS_REVIEW and grade.grader == "llm"
    assert len(grade.review_reasons) == 1 and "refused the request" in grade.review_reasons[0]
    assert "json_schema" in grade.review_reasons[0]
    assert grade.raw_completions == [] and grade.prompt_tokens == grade.completion_tokens == 0
    spend = LlmSpend.objects.get(answer_id=answer.id)
    assert spend.status == "settled" and spend.outcome == "rejected" and spend.cost_usd == 0
    answer.refresh_from_db()
    assert answer.score is None and answer.grade_status == "pending"
    # A redelivered task, and beat's requeue sweep, leave it to the person: no second request.
    assert interview_tasks.answer_rubric_grade_task.apply(args=[answer.id]).result is None
    assert interview_tasks.answers_rubric_grade_requeue() == 0
    assert len(completion_requests(real_llm)) == before + 1
    # /healthz says the endpoint refuses grading requests, though it lists its model.
    health = client.get("/healthz", HTTP_ACCEPT="application/json").json()["checks"]["llm"]
    assert health["status"] == "degraded" and "refused a grading request" in health["detail"], health


def test_a_follow_up_exchange_is_graded_through_the_real_server(real_llm, answer_with, settings):
    """The answer, then the answer with its reply: two gradings through the real server
    (each may be asked again once); the probed criterion keeps the better level."""
    from django.utils import timezone

    from interview.models import FollowUp

    settings.LLM_RESPONSE_FORMAT = "json_object"
    answer = answer_with("Put a cache in front of the database. Evict with LRU eviction and a TTL per key.")
    reply = "Keys go on a consistent hashing ring with virtual nodes, so a new node moves about a quarter of them."
    now = timezone.now()
    FollowUp.objects.create(
        answer=answer,
        number=1,
        source=FollowUp.Source.AUTHORED,
        criterion_id="partitioning",
        criterion_name="Partitioning",
        question="A fourth node joins your three-node cluster. Roughly what share of the keys move?",
        asked_at=now,
        deadline=now,
        reply=reply,
        state=FollowUp.State.ANSWERED,
    )
    before = len(completion_requests(real_llm))

    grade = answer_rubric_grade(answer_id=answer.id)

    calls = grade.raw_completions
    assert 1 <= len(calls) <= 4
    assert completion_requests_since(real_llm, before, expected=len(calls)) == [200] * len(calls)
    assert LlmSpend.objects.get(answer_id=answer.id).calls == len(calls)
    if grade.criteria:  # both gradings were valid
        assert len(calls) >= 2
        # The second request graded the answer and the reply together, in the fence.
        assert json.dumps(f"{answer.payload['text']}\n\n{reply}") in grade.prompt[-1]["content"]
        probed = next(c for c in grade.criteria if c["id"] == "partitioning")
        assert probed["level"] == max(probed["answer_level"], probed["follow_up"]["level"])
        assert all(_spaced(q) in _spaced(reply) for q in probed["follow_up"]["evidence"])
        other = next(c for c in grade.criteria if c["id"] == "eviction")
        assert "follow_up" not in other
    else:  # one of them gave no usable grade: a person grades it
        assert grade.status == AnswerGrade.Status.NEEDS_REVIEW
        assert grade.review_reasons[0].startswith("no usable grade from the model")
