"""Fault: the LLM endpoint that grades written answers is down, then comes back.

The endpoint is the suite's fake OpenAI-compatible server (a real HTTP server), stopped
so that its port refuses connections and started again on the same port.
"""

from __future__ import annotations

import pytest

from grading.models import AnswerGrade
from interview import services as interview_services
from interview.models import Answer, InterviewSession
from interview.tasks import answer_rubric_grade_task as rubric_grade_task
from interview.tasks import answers_rubric_grade_requeue
from tests.fake_openai import FakeOpenAI
from tests.faults.conftest import free_port, interview_template, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

ANSWER = "Shard keys with consistent hashing and virtual nodes. Evict with LRU eviction and a TTL per key."
LEVELS = {"partitioning": 4, "eviction": 3}
EVIDENCE = {"partitioning": ["consistent hashing and virtual nodes"], "eviction": ["LRU eviction and a TTL"]}


@pytest.fixture
def llm_port() -> int:
    return free_port()


@pytest.fixture
def fake_llms():
    """Every fake endpoint a test starts, stopped at the end."""
    started: list[FakeOpenAI] = []
    yield started
    for fake in started:
        fake.stop()


def test_a_written_answer_waits_for_a_down_llm_and_is_graded_once_when_it_is_back(
    alice, bank, start_worker, llm_port, fake_llms, settings
):
    endpoint = FakeOpenAI(port=llm_port).start()
    endpoint.stop()  # down: its port refuses connections
    llm_env = {"OPENAI_API_KEY": "test-key-not-real", "LLM_MODEL": "fake-grader", "LLM_SAMPLES": "1"}
    llm_env |= {"LLM_BACKOFF_SECONDS": "0.01", "LLM_TIMEOUT_SECONDS": "2"}
    worker = start_worker("llm-down", OPENAI_BASE_URL=f"http://127.0.0.1:{llm_port}/v1", **llm_env)

    session = interview_services.practice_start(candidate=alice, template=interview_template("design-cache"))
    interview_services.answer_save(session=session, position=1, payload={"text": ANSWER}, revision=1)
    interview_services.session_finish(session_id=session.id, reason=InterviewSession.FinishReason.CANDIDATE)
    answer = Answer.objects.get(session_question__session=session)

    def waiting() -> bool:
        return (Answer.objects.get(id=answer.id).feedback or {}).get("status") == "waiting_for_grader"

    wait_for("the grader to find the LLM down", waiting, log=worker.log)
    answer.refresh_from_db()
    # Not a grade: no score (never 0), no stored grade, no final session score.
    assert (answer.grade_status, answer.score) == ("pending", None)
    assert "did not answer" in answer.feedback["message"]
    assert not AnswerGrade.objects.filter(answer=answer).exists()
    assert InterviewSession.objects.get(id=session.id).score is None

    endpoint = FakeOpenAI(port=llm_port).start()  # back, at the same address
    fake_llms.append(endpoint)
    endpoint.reply_grade(LEVELS, evidence=EVIDENCE)
    # What beat runs every two minutes, with the settings the worker has.
    settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY = endpoint.base_url, "test-key-not-real"
    assert answers_rubric_grade_requeue() == 1
    wait_for(
        "the answer to be graded once the LLM is back",
        lambda: Answer.objects.get(id=answer.id).grade_status == "graded",
        log=worker.log,
    )
    # The first attempt's own retry, or beat again, arriving now: nothing more happens.
    assert answers_rubric_grade_requeue() == 0
    assert rubric_grade_task.delay(answer.id).get(timeout=30) is None

    grade = AnswerGrade.objects.get(answer=answer)
    assert (grade.status, grade.grader, grade.model) == ("graded", "llm", "fake-grader")
    answer.refresh_from_db()
    assert answer.score == pytest.approx(91.67) and answer.feedback["grade_id"] == grade.id
    assert InterviewSession.objects.get(id=session.id).score == pytest.approx(91.67)
    assert len(endpoint.requests) == 1
