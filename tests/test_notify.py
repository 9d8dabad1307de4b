"""Changes pushed between processes (config/notify.py), on the real Redis of the test run
(the broker's, CELERY_BROKER_URL): a wait wakes on a publish, a publish between the
subscription and the read is never lost, channels of another Redis database stay apart,
and without Redis a wait falls back to reading again once a second."""

from __future__ import annotations

import itertools
import threading
import time
import uuid

import pytest
import redis

from config import notify

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


@pytest.fixture
def channel() -> str:
    return f"test:{uuid.uuid4().hex}"


@pytest.fixture(autouse=True)
def _redis(settings):
    """The broker's Redis; this module is about it, so it must answer."""
    assert settings.NOTIFY_URL == settings.CELERY_BROKER_URL
    redis.Redis.from_url(settings.NOTIFY_URL, socket_connect_timeout=2).ping()
    notify._down_until.clear()
    yield
    notify._down_until.clear()


def _later(seconds: float, action) -> threading.Thread:
    def run() -> None:
        time.sleep(seconds)
        action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_wait_returns_as_soon_as_its_channel_is_published(channel):
    with notify.notify_listen(channel) as listener:
        assert listener.pushed
        thread = _later(0.3, lambda: notify.notify_publish(channel))
        started = time.monotonic()
        assert listener.wait(20) is True
        elapsed = time.monotonic() - started
    thread.join()
    assert 0.25 <= elapsed < 2, elapsed


def test_a_wait_hears_only_its_own_channel_and_times_out(channel):
    with notify.notify_listen(channel) as listener:
        thread = _later(0.1, lambda: notify.notify_publish(channel + ":other"))
        started = time.monotonic()
        assert listener.wait(0.8) is False
        assert time.monotonic() - started >= 0.75
    thread.join()


def test_another_redis_database_is_another_set_of_channels(settings, channel):
    # Pub/sub channels are server-wide in Redis: the database number is in the channel's name,
    # so two deployments (or test runs) on one Redis never wake each other.
    number = int(settings.NOTIFY_URL.rsplit("/", 1)[1] or 0)
    other = settings.NOTIFY_URL.rsplit("/", 1)[0] + f"/{(number + 1) % 16}"
    with notify.notify_listen(channel) as listener:
        settings.NOTIFY_URL = other
        notify.notify_publish(channel)
        assert listener.wait(0.5) is False


def test_a_publish_between_the_subscription_and_the_read_is_not_lost(channel):
    # The row changes (and the change is published) right after the waiter read it: the
    # waiter subscribed before reading, so it hears of it and reads again at once.
    reads: list[float] = []

    def read() -> str:
        reads.append(time.monotonic())
        if len(reads) == 1:
            notify.notify_publish(channel)  # the worker commits just after our read
            return "queued"
        return "finished"

    started = time.monotonic()
    value = notify.notify_wait(channel, read=read, done=lambda v: v == "finished", timeout=20)
    assert value == "finished"
    assert len(reads) == 2
    assert time.monotonic() - started < 2


def test_a_wait_reads_once_before_and_once_at_its_deadline_when_nothing_happens(channel):
    reads: list[float] = []

    def read() -> str:
        reads.append(time.monotonic())
        return "queued"

    started = time.monotonic()
    assert notify.notify_wait(channel, read=read, done=lambda v: v == "finished", timeout=1.5) == "queued"
    assert 1.45 <= time.monotonic() - started < 3
    assert len(reads) == 2  # no re-reading on a timer


def test_a_wait_of_zero_reads_once_and_subscribes_to_nothing(channel, monkeypatch):
    def no_listening(channel: str):
        raise AssertionError("a wait of 0 must not subscribe")

    monkeypatch.setattr(notify, "notify_listen", no_listening)
    assert notify.notify_wait(channel, read=lambda: "queued", done=lambda v: False, timeout=0) == "queued"


def test_without_redis_publishing_is_silent_and_a_wait_reads_again_once_a_second(settings, channel):
    settings.NOTIFY_URL = UNREACHABLE
    notify.notify_publish(channel)  # no exception: the waiters read again on their own
    reads: list[float] = []
    done_after = time.monotonic() + 1.5

    def read() -> str:
        reads.append(time.monotonic())
        return "finished" if time.monotonic() >= done_after else "queued"

    with notify.notify_listen(channel) as listener:
        assert not listener.pushed
    started = time.monotonic()
    value = notify.notify_wait(channel, read=read, done=lambda v: v == "finished", timeout=10)
    elapsed = time.monotonic() - started
    assert value == "finished"
    # Re-read at the fallback interval: found within a second of the change, never a tight loop.
    assert 1.4 <= elapsed < 3.5, elapsed
    assert 2 <= len(reads) <= 4, reads
    gaps = [b - a for a, b in itertools.pairwise(reads)]
    assert all(gap >= notify.FALLBACK_INTERVAL_SECONDS * 0.9 for gap in gaps), gaps


def test_without_redis_a_wait_still_ends_at_its_deadline(settings, channel):
    settings.NOTIFY_URL = UNREACHABLE
    started = time.monotonic()
    assert notify.notify_wait(channel, read=lambda: "queued", done=lambda v: False, timeout=1.2) == "queued"
    assert 1.15 <= time.monotonic() - started < 2.5


def test_nothing_is_published_before_the_transaction_commits(db, django_capture_on_commit_callbacks, channel):
    with notify.notify_listen(channel) as listener:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            notify.notify_publish_on_commit(channel)
        assert listener.wait(0.3) is False  # not committed: nobody woken
        assert len(callbacks) == 1
        callbacks[0]()
        assert listener.wait(5) is True
