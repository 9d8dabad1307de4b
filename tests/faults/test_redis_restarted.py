"""Fault: the broker (Redis) restarts while submissions wait in the queue, or is down
when a submission is stored. Runs against a private redis-server, never the shared one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from config.cache import cache_config
from grading import services, tasks
from grading.models import Submission
from questions.models import Question
from tests.faults.conftest import RIGHT, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

HALF_RIGHT = "def count_pairs(nums, target):\n    return 2 if nums else 0\n"
NOTHING_RIGHT = "def count_pairs(nums, target):\n    return -1\n"


@contextmanager
def publishing_to(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process publishes tasks to ``url`` meanwhile (Celery reads the variable first)."""
    from config.celery import app

    def forget_connections() -> None:
        # The pooled producer keeps its broker connection: drop it so the next
        # publish connects to whatever CELERY_BROKER_URL says now.
        app.amqp._producer_pool = None
        app._pool = None

    with monkeypatch.context() as patch:
        patch.setenv("CELERY_BROKER_URL", url)
        forget_connections()
        try:
            yield
        finally:
            forget_connections()
    forget_connections()


@pytest.fixture
def cache_at(settings):
    """cache_at(url): Django's cache (throttling) on that Redis, until the test ends."""
    original = settings.CACHES

    def use(url: str) -> None:
        settings.CACHES = {"default": cache_config(url)}

    yield use
    # Back before the private Redis stops: the suite clears the cache after each test.
    settings.CACHES = original


def _all_finished(ids: list[int]) -> bool:
    return Submission.objects.filter(id__in=ids, status="finished").count() == len(ids)


def test_it_grades_every_queued_submission_exactly_once_after_redis_restarts(
    alice, bank, private_redis, start_worker, monkeypatch
):
    redis = private_redis()
    question = Question.objects.get(slug="sum-pairs")
    with publishing_to(redis.url, monkeypatch):
        ids = [
            services.submission_create(user=alice, question=question, source=source, mode="submit").id
            for source in (RIGHT, HALF_RIGHT, NOTHING_RIGHT)
        ]
    with redis.client() as client:
        assert client.llen("mockloop") == 3, "the three tasks should wait in the broker, no worker runs"

    redis.stop()
    redis.start()  # same port, same append-only file
    with redis.client() as client:
        assert client.llen("mockloop") == 3, "the queued tasks did not survive the restart"

    worker = start_worker("after-restart", broker=redis.url)
    wait_for("every queued submission to be graded", lambda: _all_finished(ids), log=worker.log)
    graded = {s.id: (s.verdict, s.score, s.attempts) for s in Submission.objects.filter(id__in=ids)}
    assert graded == {
        ids[0]: ("accepted", 100.0, 1),
        ids[1]: ("wrong_answer", pytest.approx(66.67), 1),
        ids[2]: ("wrong_answer", 0.0, 1),
    }
    assert Submission.objects.filter(user=alice).count() == 3


def test_a_submission_stored_while_redis_is_down_is_kept_and_graded_later(
    client_for, alice, bank, private_redis, start_worker, monkeypatch, settings, cache_at
):
    redis = private_redis()
    # All of Redis is down, as in production where one Redis is broker and cache (throttling).
    cache_at(f"redis://127.0.0.1:{redis.port}/1")
    redis.stop()
    with publishing_to(redis.url, monkeypatch):
        response = client_for(alice).post(
            "/api/submissions/", {"question": Question.objects.get(slug="sum-pairs").id, "mode": "submit", "source": RIGHT}
        )
    # The candidate's code is stored and they are told it is queued, not shown an error.
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    submission_id = response.json()["id"]
    assert Submission.objects.get(id=submission_id).attempts == 0

    redis.start()
    with redis.client() as client:
        assert client.llen("mockloop") == 0, "the task should never have reached the broker"
    worker = start_worker("after-outage", broker=redis.url)
    # Beat's sweeper, with the "lost after" threshold passed; what it runs every 30 s.
    settings.SUBMISSION_LOST_AFTER_SECONDS = 0
    with publishing_to(redis.url, monkeypatch):
        assert tasks.submissions_requeue_stale() == 1
    wait_for("the re-published submission to be graded", lambda: _all_finished([submission_id]), log=worker.log)
    done = Submission.objects.get(id=submission_id)
    assert (done.verdict, done.score, done.attempts) == ("accepted", 100.0, 1)
    assert Submission.objects.filter(user=alice).count() == 1
