"""Runs and submissions: stored first, run by a real Celery worker in the real sandbox."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from config.sandbox_backend import SandboxUnavailable, sandbox_reset
from grading import services
from grading.models import Submission
from questions.models import Question
from tests.conftest import error_code

ROOT = Path(__file__).resolve().parents[2]
RIGHT = "from collections import Counter\n\ndef count_pairs(nums, target):\n    seen = Counter()\n    total = 0\n    for v in nums:\n        total += seen[target - v]\n        seen[v] += 1\n    return total\n"
HALF_RIGHT = "def count_pairs(nums, target):\n    return 2 if nums else 0\n"


def _question(slug: str = "sum-pairs") -> Question:
    return Question.objects.get(slug=slug)


def _wait_finished(submission_id: int, seconds: float = 60) -> Submission:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        submission = Submission.objects.get(id=submission_id)
        if submission.status in (Submission.Status.FINISHED, Submission.Status.ERROR):
            return submission
        time.sleep(0.1)
    raise AssertionError(f"submission {submission_id} still {submission.status}")


@pytest.mark.django_db(transaction=True)
def test_a_submission_is_queued_then_graded_by_a_worker(client_for, alice, bank, celery_worker):
    api = client_for(alice)
    response = api.post("/api/submissions/", {"question": _question().id, "mode": "submit", "source": HALF_RIGHT})
    assert response.status_code == 202
    assert response.json()["status"] in ("queued", "running", "finished")
    submission_id = response.json()["id"]
    body = api.get(f"/api/submissions/{submission_id}/?wait=20").json()
    assert body["status"] == "finished"
    assert body["verdict"] == "wrong_answer"
    tests = body["result"]["tests"]
    assert [t["verdict"] for t in tests] == ["accepted", "wrong_answer", "accepted"]
    # Hidden tests: verdicts and counts only, for a candidate (not even time or memory, which could carry the input).
    assert set(tests[1]) == {"id", "name", "visible", "weight", "verdict"}
    assert tests[1]["name"] == "hidden test"
    assert "SECRET-hidden" not in str(body)
    assert body["result"]["hidden_summary"] == {"total": 2, "passed": 1}
    assert body["score"] == pytest.approx(66.67)


@pytest.mark.django_db(transaction=True)
def test_a_run_uses_visible_tests_and_custom_input_and_is_not_graded(client_for, alice, bank, celery_worker):
    api = client_for(alice)
    response = api.post(
        "/api/submissions/",
        {"question": _question().id, "mode": "run", "source": RIGHT, "custom_input": [[5, 5, 5], 10]},
        format="json",
    )
    body = api.get(f"/api/submissions/{response.json()['id']}/?wait=20").json()
    assert body["status"] == "finished" and body["score"] is None
    names = [t["name"] for t in body["result"]["tests"]]
    assert names == ["example", "custom input"]
    custom = body["result"]["tests"][1]
    assert custom["actual"] == "3" and custom["expected"] is None


@pytest.mark.django_db(transaction=True)
def test_staff_see_every_tests_details(client_for, staff, bank, celery_worker):
    api = client_for(staff)
    response = api.post("/api/submissions/", {"question": _question().id, "mode": "submit", "source": HALF_RIGHT})
    body = api.get(f"/api/submissions/{response.json()['id']}/?wait=20").json()
    hidden = body["result"]["tests"][1]
    assert hidden["name"] == "SECRET-hidden-duplicates" and hidden["verdict"] == "wrong_answer"


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"mode": "submit", "source": ""}, 400, "empty_source"),
        ({"mode": "submit", "source": "x = 1\n" * 12000}, 400, "source_too_large"),
        ({"mode": "submit", "source": "print(1)\x00"}, 400, "invalid"),
        ({"mode": "compile", "source": RIGHT}, 400, "invalid"),
        ({"mode": "submit", "source": RIGHT, "custom_input": [[1], 1]}, 400, "invalid"),
        ({"mode": "run", "source": RIGHT, "custom_input": "not a list"}, 400, "invalid_custom_input"),
        ({"mode": "run", "source": RIGHT, "custom_input": "[1, 2"}, 400, "invalid_custom_input"),
    ],
)
def test_bad_submissions_are_refused_before_anything_runs(client_for, alice, bank, payload, status, code):
    response = client_for(alice).post("/api/submissions/", {"question": _question().id, **payload}, format="json")
    assert response.status_code == status, response.json()
    assert error_code(response) == code
    assert not Submission.objects.exists()


def test_non_utf8_bytes_are_refused(client_for, alice, bank):
    body = b'{"question": %d, "mode": "submit", "source": "def f():\xff\xfe pass"}' % _question().id
    response = client_for(alice).post("/api/submissions/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert error_code(response) == "malformed_request"


def test_only_coding_questions_take_code(client_for, alice, bank):
    response = client_for(alice).post(
        "/api/submissions/", {"question": _question("pick-metric").id, "mode": "submit", "source": RIGHT}
    )
    assert response.status_code == 400 and error_code(response) == "not_a_coding_question"


def test_private_questions_and_other_peoples_submissions_are_404(
    client_for, alice, bob, dave, bank, django_capture_on_commit_callbacks
):
    response = client_for(dave).post(
        "/api/submissions/", {"question": _question("acme-private-xss").id, "mode": "submit", "source": RIGHT}
    )
    assert response.status_code == 404
    with django_capture_on_commit_callbacks():
        submission = services.submission_create(user=alice, question=_question(), source=RIGHT, mode="submit")
    for user in (bob, dave):
        response = client_for(user).get(f"/api/submissions/{submission.id}/")
        assert response.status_code == 404 and error_code(response) == "not_found"


def test_running_twice_changes_nothing(alice, bank, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        submission = services.submission_create(user=alice, question=_question(), source=RIGHT, mode="submit")
    first = services.submission_run(submission_id=submission.id, worker="w1")
    assert first is not None and first.verdict == "accepted" and first.score == 100.0
    assert services.submission_run(submission_id=submission.id, worker="w2") is None
    submission.refresh_from_db()
    assert submission.attempts == 1 and submission.claimed_by == "w1"


def test_an_engine_that_is_down_leaves_the_submission_waiting_with_a_reason(
    alice, bank, settings, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        submission = services.submission_create(user=alice, question=_question(), source=RIGHT, mode="submit")
    settings.SANDBOX_BACKEND = "docker"
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    sandbox_reset()
    try:
        with pytest.raises(SandboxUnavailable):
            services.submission_run(submission_id=submission.id, worker="w1")
    finally:
        sandbox_reset()
    submission.refresh_from_db()
    assert submission.status == "queued" and submission.score is None
    # The candidate reads fixed words; the engine's own error is for the log only.
    assert submission.status_message == services.WAITING_MESSAGE
    assert "docker" not in submission.status_message.lower()


def test_after_every_retry_it_is_an_internal_error_not_a_zero(alice, bank, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        submission = services.submission_create(user=alice, question=_question(), source=RIGHT, mode="submit")
    services.submission_fail(submission_id=submission.id, reason="the engine stayed down at unix:///var/run/docker.sock")
    submission.refresh_from_db()
    assert (submission.status, submission.verdict, submission.score) == ("error", "internal_error", None)
    assert submission.status_message == services.FAILED_MESSAGE


def test_a_stale_claim_is_requeued_and_then_finished(alice, bank, django_capture_on_commit_callbacks, monkeypatch):
    with django_capture_on_commit_callbacks():
        submission = services.submission_create(user=alice, question=_question(), source=RIGHT, mode="submit")
    # What a worker killed mid-run leaves behind: a claim nobody will finish.
    Submission.objects.filter(id=submission.id).update(
        status="running", claimed_by="dead-worker", claimed_at=timezone.now() - timedelta(hours=1), attempts=1
    )
    enqueued = []
    monkeypatch.setattr("grading.tasks.submission_run_task.delay", enqueued.append)
    assert services.submissions_requeue_stale() == [submission.id]
    assert enqueued == [submission.id]
    submission.refresh_from_db()
    assert submission.status == "queued" and "worker running it stopped" in submission.status_message
    finished = services.submission_run(submission_id=submission.id, worker="w2")
    assert finished.status == "finished" and finished.verdict == "accepted" and finished.attempts == 2


def test_a_queued_submission_whose_message_was_lost_is_requeued(
    alice, bank, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.SUBMISSION_LOST_AFTER_SECONDS, settings.SANDBOX_MAX_RETRIES = 600, 10
    with django_capture_on_commit_callbacks():
        never_sent = services.submission_create(user=alice, question=_question(), source=RIGHT, mode="submit")
        retrying = services.submission_create(user=alice, question=_question(), source=RIGHT, mode="submit")
        retry_lost = services.submission_create(user=alice, question=_question(), source=RIGHT, mode="submit")
    now = timezone.now()
    Submission.objects.filter(id=never_sent.id).update(created_at=now - timedelta(minutes=11))
    # Waiting for a sandbox: its own task retries it (for at most 10 minutes after the first 10).
    Submission.objects.filter(id=retrying.id).update(created_at=now - timedelta(minutes=15), attempts=3)
    # Still queued after that: the retry message was lost (the broker was down when it was sent).
    Submission.objects.filter(id=retry_lost.id).update(created_at=now - timedelta(minutes=21), attempts=3)
    enqueued = []
    monkeypatch.setattr("grading.tasks.submission_run_task.delay", enqueued.append)
    assert sorted(services.submissions_requeue_stale(now=now)) == sorted([never_sent.id, retry_lost.id])
    assert sorted(enqueued) == sorted([never_sent.id, retry_lost.id])


def _test_database_url() -> str:
    settings_dict = connection.settings_dict
    return f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}"


NUL_PRINTER = (
    "def count_pairs(nums, target):\n"
    "    import sys\n"
    "    print('out\\x00put')\n"
    "    sys.stderr.write('warned\\n')\n"
    "    raise ValueError('bad\\x00 \\ud800')\n"
)


def test_output_no_database_can_store_is_stored_repaired_not_run_forever(alice, bank, django_capture_on_commit_callbacks):
    # One print of a NUL (or an exception quoting a lone surrogate) used to make the result
    # unstorable: the claim stayed "running" and the sweeper ran it again, forever.
    with django_capture_on_commit_callbacks():
        submission = services.submission_create(user=alice, question=_question(), source=NUL_PRINTER, mode="submit")
    finished = services.submission_run(submission_id=submission.id, worker="w1")
    assert finished.status == "finished" and finished.verdict == "runtime_error"
    visible = next(t for t in finished.result["tests"] if t["visible"])
    assert visible["stdout"].startswith("out\ufffdput")
    # The candidate's own stderr is kept beside the traceback of the exception.
    assert "warned" in visible["stderr"] and "ValueError" in visible["stderr"]
    assert "\x00" not in str(finished.result) and "\ud800" not in str(finished.result)


def test_a_submission_that_keeps_losing_its_worker_fails_once_instead_of_running_forever(
    alice, bank, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks():
        submission = services.submission_create(user=alice, question=_question(), source=RIGHT, mode="submit")
    Submission.objects.filter(id=submission.id).update(
        status="running",
        claimed_by="dead-worker",
        claimed_at=timezone.now() - timedelta(hours=1),
        attempts=services.MAX_RUN_ATTEMPTS,
    )
    enqueued = []
    monkeypatch.setattr("grading.tasks.submission_run_task.delay", enqueued.append)
    assert services.submissions_requeue_stale() == [] and enqueued == []
    submission.refresh_from_db()
    assert (submission.status, submission.verdict, submission.score) == ("error", "internal_error", None)


def test_a_grader_bug_fails_the_submission_once_instead_of_leaving_it_running(
    alice, bank, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks():
        submission = services.submission_create(user=alice, question=_question(), source=RIGHT, mode="submit")

    def broken(job, backend):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(services, "run_job", broken)
    assert services.submission_run(submission_id=submission.id, worker="w1") is None
    submission.refresh_from_db()
    assert (submission.status, submission.verdict) == ("error", "internal_error")


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("custom_input", "says"),
    [
        ([_nested(600)], "nested too deeply"),
        (["\x00"], "NUL"),
        (["\ud800"], "surrogate"),
        ([10**1200], "out of range"),
    ],
    ids=["deep", "nul", "surrogate", "huge-int"],
)
def test_custom_input_sent_as_json_is_held_to_the_typed_limits(client_for, alice, bank, custom_input, says):
    # As a client sends it: JSON escapes (a lone surrogate can only travel as "\\ud800").
    body = json.dumps({"question": _question().id, "mode": "run", "source": RIGHT, "custom_input": custom_input})
    response = client_for(alice).post("/api/submissions/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    # Refused with a reason, by the request parser (text) or by the custom-input check.
    assert says.lower() in str(response.json()).lower()
