"""Fault: the Celery worker running a submission is killed (SIGKILL, OOM killer, node lost)."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest

from grading import services
from grading.models import Submission
from grading.tasks import submission_run_task
from interview import services as interview_services
from interview.models import Answer, InterviewSession
from sandbox.docker_backend import DEADLINE_LABEL, LABEL, OWNER_LABEL, container_owner, containers_sweep
from tests.faults.conftest import children_of, interview_template, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

# Right, but slow: three tests of 0.8 s each, within the question's 3 s of wall time per test.
SLOW_RIGHT = "import time\nfrom collections import Counter\n\ndef count_pairs(nums, target):\n    time.sleep(0.8)\n    seen = Counter()\n    total = 0\n    for v in nums:\n        total += seen[target - v]\n        seen[v] += 1\n    return total\n"


def _owned_containers(client, pid: int) -> list:
    return client.containers.list(all=True, filters={"label": [LABEL, f"{OWNER_LABEL}={container_owner(pid)}"]})


def test_it_finishes_a_submission_whose_worker_was_killed_mid_run_exactly_once(alice, bank, start_worker, docker_engine):
    client = docker_engine
    session = interview_services.practice_start(candidate=alice, template=interview_template("sum-pairs"))
    interview_services.answer_save(session=session, position=1, payload={"source": SLOW_RIGHT}, revision=1)

    doomed = start_worker("doomed", SANDBOX_BACKEND="docker")
    interview_services.session_finish(session_id=session.id, reason=InterviewSession.FinishReason.CANDIDATE)
    answer = Answer.objects.get(session_question__session=session)
    submission_id = answer.submission_id
    assert submission_id is not None and answer.grade_status == "pending"

    wait_for(
        "the worker to claim the submission",
        lambda: Submission.objects.get(id=submission_id).status == "running",
        log=doomed.log,
    )
    pool = children_of(doomed.pid)
    assert len(pool) == 1, pool
    # Mid-run: the candidate's code is in its sandbox container when the worker dies.
    wait_for(
        "the sandbox container of the run",
        lambda: any(c.status == "running" for c in _owned_containers(client, pool[0])),
        log=doomed.log,
    )
    time.sleep(0.5)
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.popen.wait(timeout=10)

    # What the dead worker left: a claim nobody will finish, and its containers.
    stuck = Submission.objects.get(id=submission_id)
    assert stuck.status == "running" and stuck.claimed_by.startswith("doomed@") and stuck.attempts == 1
    assert Answer.objects.get(id=answer.id).grade_status == "pending"
    assert InterviewSession.objects.get(id=session.id).score is None

    # Beat's sweeper, run as it would be once the claim is older than the run could take.
    rescuer = start_worker("rescuer", SANDBOX_BACKEND="docker")
    later = stuck.claimed_at + timedelta(seconds=stuck.run_timeout_seconds + 1)
    assert services.submissions_requeue_stale(now=later) == [submission_id]
    wait_for(
        "the second worker to finish the submission",
        lambda: Submission.objects.get(id=submission_id).status in ("finished", "error"),
        log=rescuer.log,
    )
    # A late second delivery of the original message (the broker's visibility timeout)
    # finds nothing to claim: the result is not written twice.
    assert submission_run_task.delay(submission_id).get(timeout=30) is None

    done = Submission.objects.get(id=submission_id)
    assert (done.status, done.verdict, done.score) == ("finished", "accepted", 100.0)
    assert done.claimed_by.startswith("rescuer@") and done.attempts == 2
    # Nothing lost, nothing doubled: one submission for the one answer, graded once.
    assert Submission.objects.filter(user=alice).count() == 1
    answer.refresh_from_db()
    assert (answer.grade_status, answer.score, answer.submission_id) == ("graded", 100.0, submission_id)
    assert InterviewSession.objects.get(id=session.id).score == 100.0

    # The killed run's container (and the dead worker's warm spares) carry a deadline,
    # after which the beat sweep removes them; swept here as it would be then.
    leftovers = _owned_containers(client, pool[0])
    assert leftovers, "the killed worker's sandbox containers should still be there"
    deadlines = [float(c.labels[DEADLINE_LABEL]) for c in leftovers]
    assert max(deadlines) < time.time() + 600, "a leftover container would stay for more than 10 minutes"
    assert containers_sweep(client, now=max(deadlines) + 1, owner=container_owner(pool[0])) == len(leftovers)
    assert _owned_containers(client, pool[0]) == []
