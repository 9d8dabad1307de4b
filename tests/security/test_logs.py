"""Structured logs: JSON lines tied to a request or a task, with no secrets and no candidate text."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from grading.models import Submission
from grading.tasks import submission_run_task
from questions.models import Question
from tests.fake_openai import FakeOpenAI

MARKER = "CANDIDATE_CODE_MARKER"
PLANTED_SECRET = "planted-secret-value-4f9a1c7e2b"


class Captured:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]


@pytest.fixture
def logs(settings) -> Iterator[Captured]:
    """What the real root handler writes (its filters and JSON formatter), captured."""
    assert settings.LOG_FORMAT == "json"
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        yield Captured(stream)
    finally:
        handler.setStream(old)


def test_it_writes_a_json_line_per_request_with_the_id_it_returns(logs, client_for, alice):
    response = client_for(alice).get("/api/me/")
    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    assert len(request_id) >= 16
    lines = [line for line in logs.lines() if line.get("request_id") == request_id]
    assert lines, logs.text
    line = lines[-1]
    assert line["logger"] == "mockloop.request" and line["level"] == "INFO"
    assert line["message"] == "GET /api/me/ 200" and line["status"] == 200
    assert line["user_id"] == alice.id
    assert "time" in line


def test_a_sane_incoming_request_id_is_kept(logs, client):
    response = client.get("/login/", headers={"X-Request-ID": "lb-7f3a9c01.2"})
    assert response["X-Request-ID"] == "lb-7f3a9c01.2"
    assert any(line.get("request_id") == "lb-7f3a9c01.2" for line in logs.lines())


@pytest.mark.parametrize("hostile", ["x" * 200, "abc12345\nlevel: CRITICAL", "<script>alert(1)</script>", "short"])
def test_a_hostile_incoming_request_id_is_replaced(logs, client, hostile):
    response = client.get("/login/", headers={"X-Request-ID": hostile})
    request_id = response["X-Request-ID"]
    assert request_id != hostile and request_id.isalnum()
    assert hostile not in logs.text
    assert any(line.get("request_id") == request_id for line in logs.lines())


def test_a_task_logs_its_id_and_the_submission_it_ran(logs, alice, bank):
    submission = Submission.objects.create(
        user=alice,
        question_version=Question.objects.get(slug="sum-pairs").current_version,
        mode=Submission.Mode.RUN,
        source="def count_pairs(nums, target):\n    return 0\n",
    )
    result = submission_run_task.apply(args=[submission.id])
    assert result.successful()
    lines = [line for line in logs.lines() if line.get("task_id") == result.id]
    assert lines, logs.text
    assert all(line["submission_id"] == submission.id for line in lines)
    assert any(line["message"].endswith("finished: SUCCESS") for line in lines)


def test_the_request_id_travels_with_tasks_enqueued_during_the_request(settings):
    """before_task_publish puts the request's id in the message; task_prerun binds it."""
    from config.logging import _on_before_task_publish, _on_task_postrun, _on_task_prerun, log_context, log_context_bound

    headers: dict = {}
    with log_context_bound(request_id="req-from-the-api-1"):
        _on_before_task_publish(headers=headers)
    assert headers == {"request_id": "req-from-the-api-1"}

    class Task:
        name = "grading.tasks.submission_run_task"
        request = type("Request", (), {"request_id": "req-from-the-api-1", "headers": None})()

        def run(self, submission_id: int) -> None: ...

    _on_task_prerun(task_id="t-1", task=Task(), args=[42], kwargs={})
    assert log_context() == {
        "task_id": "t-1",
        "task": "grading.tasks.submission_run_task",
        "request_id": "req-from-the-api-1",
        "submission_id": 42,
    }
    _on_task_postrun(task_id="t-1", task=Task(), state="SUCCESS")
    assert log_context() == {}


def test_secrets_in_messages_and_tracebacks_are_masked(logs, settings):
    log = logging.getLogger("tests.security")
    log.warning("calling with Authorization: Token abcdef0123456789 and %s", settings.SECRET_KEY)
    log.warning("db at postgres://mockloop:hunter2-password@db:5432/x, password=letmein99")
    key = "sk-proj-" + "a" * 24
    try:
        raise RuntimeError(f"OPENAI_API_KEY={key}")
    except RuntimeError:
        log.exception("it failed")
    text = logs.text
    for secret in (settings.SECRET_KEY, "abcdef0123456789", "hunter2-password", "letmein99", key):
        assert secret not in text
    assert text.count("[redacted]") >= 5
    assert "Traceback" in text  # the traceback is kept, masked


def test_no_secret_and_no_candidate_text_reach_the_logs(logs, settings, monkeypatch, client_for, alice, bank):
    """A submission whose code prints secrets and crashes, and a written answer whose
    grading fails: the logs name ids and sizes, never the code, the answer or a secret."""
    from interview import services
    from interview.models import Answer, InterviewTemplate, TemplateSection
    from interview.services import answer_rubric_grade

    monkeypatch.setenv("WEBHOOK_SIGNING_SECRET", PLANTED_SECRET)
    settings.SECRET_KEY = f"{PLANTED_SECRET}-secret-key-padding"
    api = client_for(alice)
    log = logging.getLogger("tests.security")

    source = (
        f"import sys\n# {MARKER} {PLANTED_SECRET}\nprint('{MARKER}')\n"
        f"print('{MARKER}', file=sys.stderr)\nraise SystemExit('{MARKER}')\n"
    )
    question = Question.objects.get(slug="sum-pairs")
    response = api.post("/api/submissions/", {"question": question.id, "mode": "run", "source": source})
    assert response.status_code == 202
    submission_run_task.apply(args=[response.json()["id"]])
    assert Submission.objects.get(id=response.json()["id"]).status == Submission.Status.FINISHED

    # A written answer whose LLM grading fails, with the secret as the API key.
    template = InterviewTemplate.objects.create(slug="logs", title="Logs", total_minutes=30)
    TemplateSection.objects.create(template=template, position=1, title="Design").questions.add(
        Question.objects.get(slug="design-cache")
    )
    session = services.practice_start(candidate=alice, template=template)
    saved = api.put(f"/api/sessions/{session.id}/answers/1/", {"payload": {"text": f"{MARKER} {PLANTED_SECRET}"}, "revision": 1})
    assert saved.status_code == 200
    answer = Answer.objects.get(session_question__session=session)
    fake = FakeOpenAI().start()
    try:
        settings.OPENAI_BASE_URL = fake.base_url
        settings.OPENAI_API_KEY = PLANTED_SECRET
        settings.LLM_BACKOFF_SECONDS = 0.01
        for _ in range(2):
            fake.reply({"error": {"message": "overloaded"}}, status=503)
        try:
            answer_rubric_grade(answer_id=answer.id)
        except Exception:
            log.exception("grading answer %s failed", answer.id)
        else:
            raise AssertionError("the grade should have failed")
    finally:
        fake.stop()

    text = logs.text
    assert "grading answer" in text and "LLM grader" in text, text
    assert any(line.get("submission_id") for line in logs.lines())
    assert MARKER not in text
    assert PLANTED_SECRET not in text
