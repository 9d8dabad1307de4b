"""What the submitted code did is a verdict on the first run; only our own faults are retried."""

from __future__ import annotations

import pytest

from config import metrics
from config.sandbox_backend import sandbox_reset
from grading import services
from grading.models import Submission
from grading.tasks import submission_run_task
from questions.models import Question
from sandbox.jobs import HarnessFault, SandboxFault

pytestmark = pytest.mark.django_db

INTERFERING = {
    "closes every descriptor": "import os\ndef count_pairs(nums, target):\n    os.closerange(0, 4096)\n    return 0\n",
    "signals every process": (
        "import os, signal\n"
        "def count_pairs(nums, target):\n"
        "    for target, sig in ((-1, signal.SIGTERM), (1, signal.SIGKILL), (os.getppid(), signal.SIGSTOP)):\n"
        "        try:\n"
        "            os.kill(target, sig)\n"
        "        except OSError:\n"
        "            pass\n"
        "    return -1\n"
    ),
    "forges a result and exits": 'import os\ndef count_pairs(nums, target):\n    os.write(99, b\'{"status": "harness_error"}\')\n    os._exit(0)\n',
}


def retries() -> float:
    return sum(metrics.SANDBOX_RETRIES.labels(kind=kind)._value.get() for kind in ("fault", "unavailable"))


def _submit(user, source: str, django_capture_on_commit_callbacks) -> Submission:
    with django_capture_on_commit_callbacks():
        return services.submission_create(
            user=user, question=Question.objects.get(slug="sum-pairs"), source=source, mode="submit"
        )


@pytest.fixture(params=["docker", "bubblewrap"])
def backend_setting(request, settings):
    settings.SANDBOX_BACKEND = request.param
    sandbox_reset()
    yield request.param
    sandbox_reset()


@pytest.mark.parametrize("attack", sorted(INTERFERING))
def test_interfering_with_the_harness_is_a_verdict_on_the_first_run(
    alice, bank, backend_setting, attack, django_capture_on_commit_callbacks
):
    submission = _submit(alice, INTERFERING[attack], django_capture_on_commit_callbacks)
    retries_before = retries()
    done = services.submission_run(submission_id=submission.id, worker="w1")
    assert done is not None
    assert (done.status, done.verdict, done.score, done.attempts) == (
        "finished",
        "wrong_answer" if "signals" in attack else "runtime_error",
        0.0,
        1,
    )
    assert done.status_message == "" and done.backend == backend_setting
    assert retries() == retries_before


def test_a_fault_that_running_again_cannot_fix_is_not_retried(alice, bank, monkeypatch, django_capture_on_commit_callbacks):
    submission = _submit(alice, "def count_pairs(nums, target):\n    return 0\n", django_capture_on_commit_callbacks)

    def broken(**kwargs):
        raise HarnessFault("the question's generator failed: ZeroDivisionError")

    monkeypatch.setattr(services, "submission_run", broken)
    retries_before = retries()
    assert submission_run_task.apply(args=[submission.id]).get() == "error"
    failed = Submission.objects.get(id=submission.id)
    assert (failed.status, failed.verdict, failed.score) == ("error", "internal_error", None)
    # Fixed words for the candidate; the fault's own text went to the log.
    assert failed.status_message == services.FAILED_MESSAGE
    assert retries() == retries_before


def test_an_infrastructure_fault_is_retried_and_counted_until_the_cap(
    alice, bank, monkeypatch, settings, django_capture_on_commit_callbacks
):
    submission = _submit(alice, "def count_pairs(nums, target):\n    return 0\n", django_capture_on_commit_callbacks)

    def engine_down(**kwargs):
        raise SandboxFault("the Docker engine could not start a sandbox: connection refused")

    monkeypatch.setattr(services, "submission_run", engine_down)
    settings.SANDBOX_MAX_RETRIES = 3
    retries_before = retries()
    # Run eagerly, each retry follows at once: three retries, then the last allowed
    # attempt gives up as an internal error, never a score.
    assert submission_run_task.apply(args=[submission.id]).get() == "error"
    assert retries() == retries_before + 3
    given_up = Submission.objects.get(id=submission.id)
    assert (given_up.status, given_up.verdict, given_up.score) == ("error", "internal_error", None)
