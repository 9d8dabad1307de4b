"""Fault: the Docker engine stops, then starts again, while a submission waits.

The machine's dockerd is never touched: the worker reaches the engine through a socket
proxy of this test's own (DOCKER_HOST), and "stopping the engine" closes that proxy.
"""

from __future__ import annotations

import pytest

from grading.models import Submission
from grading.services import WAITING_MESSAGE
from grading.tasks import submission_run_task
from questions.models import Question
from tests.faults.conftest import RIGHT, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_waits_for_a_stopped_engine_then_grades_once_it_is_back(client_for, alice, bank, docker_proxy, start_worker):
    docker_proxy.start()
    docker_proxy.stop()  # the engine is down: connections to its socket fail
    worker = start_worker("engine-down", SANDBOX_BACKEND="docker", DOCKER_HOST=docker_proxy.docker_host)
    api = client_for(alice)
    response = api.post(
        "/api/submissions/", {"question": Question.objects.get(slug="sum-pairs").id, "mode": "submit", "source": RIGHT}
    )
    assert response.status_code == 202
    submission_id = response.json()["id"]

    # Tried, found no engine, released and retried with backoff: still waiting, with
    # the reason in words, and no verdict charged to the candidate.
    wait_for(
        "two attempts against the stopped engine",
        lambda: Submission.objects.get(id=submission_id).attempts >= 2,
        log=worker.log,
    )
    seen = api.get(f"/api/submissions/{submission_id}/").json()
    assert seen["status"] in ("queued", "running"), seen
    assert not seen["verdict"] and seen["score"] is None and seen["result"] is None
    waiting = Submission.objects.get(id=submission_id)
    assert waiting.status_message == WAITING_MESSAGE, waiting.status_message

    docker_proxy.start()  # the engine is back
    wait_for(
        "the submission to be graded once the engine is back",
        lambda: Submission.objects.get(id=submission_id).status in ("finished", "error"),
        log=worker.log,
    )
    done = api.get(f"/api/submissions/{submission_id}/").json()
    assert (done["status"], done["verdict"], done["score"], done["status_message"]) == ("finished", "accepted", 100.0, "")
    assert Submission.objects.get(id=submission_id).backend == "docker"
    # A retry still in the queue, delivered now, finds it done and changes nothing.
    assert submission_run_task.delay(submission_id).get(timeout=30) is None
    assert Submission.objects.filter(user=alice).count() == 1
