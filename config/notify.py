"""Changes pushed between processes: a worker says "this changed", a waiting request wakes.

A worker that stores a submission's result, or a grade, publishes on the channel of what
changed (``notify_publish``, after its transaction commits: ``notify_publish_on_commit``).
A long poll waits on that channel (``notify_wait``) instead of re-reading the database
on a timer: it subscribes, reads, and only if what it reads is not yet what it waits for
does it block until a message or its deadline, then reads again. The subscription is
confirmed by Redis before that first read, so a change committed after the read is
always heard, and one committed before it is in what the read sees.

Redis pub/sub, on the broker's Redis (``NOTIFY_URL``, settings), rather than PostgreSQL's
LISTEN/NOTIFY: a waiting request holds a Redis connection for its wait, not a PostgreSQL
connection (of which the server allows few, and which Django keeps per thread), and the
publisher needs nothing from the transaction it runs in. Pub/sub channels are shared by
every database number of one Redis server, so channel names carry the URL's database
number: two deployments (or test runs) on one Redis never wake each other.

Messages are only a hint to read again: a lost one costs a waiter its deadline, never a
wrong answer. Without Redis (no ``NOTIFY_URL``, or Redis not answering) publishing does
nothing and waiting falls back to reading again every ``FALLBACK_INTERVAL_SECONDS``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)

T = TypeVar("T")

# Without Redis, a waiter reads again this often: slow on purpose (the database is shared).
FALLBACK_INTERVAL_SECONDS = 1.0
# After Redis failed to answer, nobody tries it again for this long (each try would cost
# a publisher or a waiter the connect timeout).
RETRY_AFTER_SECONDS = 5.0
CONNECT_TIMEOUT_SECONDS = 0.5
SOCKET_TIMEOUT_SECONDS = 2.0

_lock = threading.Lock()
_pools: dict[str, redis.ConnectionPool] = {}
_down_until: dict[str, float] = {}


def _url() -> str:
    return getattr(settings, "NOTIFY_URL", "") or ""


def _client(url: str) -> redis.Redis | None:
    """A client on the process's pool for ``url``, or None while Redis is taken for down."""
    with _lock:
        if _down_until.get(url, 0.0) > time.monotonic():
            return None
        pool = _pools.get(url)
        if pool is None:
            pool = _pools[url] = redis.ConnectionPool.from_url(
                url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS, socket_timeout=SOCKET_TIMEOUT_SECONDS
            )
    return redis.Redis(connection_pool=pool)


def _down(url: str, exc: Exception) -> None:
    with _lock:
        _down_until[url] = time.monotonic() + RETRY_AFTER_SECONDS
    log.warning(
        "notifications: Redis does not answer (%s: %s); waits re-read every %gs",
        type(exc).__name__,
        exc,
        FALLBACK_INTERVAL_SECONDS,
    )


def _channel_name(url: str, channel: str) -> str:
    database = urlsplit(url).path.strip("/") or "0"
    return f"mockloop:{database}:{channel}"


def notify_publish(channel: str) -> None:
    """Wakes whoever waits on ``channel``. Never raises: without Redis, waiters re-read on their own."""
    url = _url()
    client = _client(url) if url else None
    if client is None:
        return
    try:
        client.publish(_channel_name(url, channel), b"1")
    except redis.RedisError as exc:
        _down(url, exc)


def notify_publish_on_commit(channel: str) -> None:
    """``notify_publish(channel)`` once the current transaction commits (at once outside one):
    a waiter woken earlier would read the row as it was."""
    transaction.on_commit(lambda: notify_publish(channel))


class Listener:
    """A confirmed subscription to one channel (``notify_listen``), or, without Redis, a timer."""

    def __init__(self, url: str, channel: str) -> None:
        self.url = url
        self.channel = channel
        self._pubsub: redis.client.PubSub | None = None

    @property
    def pushed(self) -> bool:
        """Whether messages wake this listener (False: it falls back to re-reading on a timer)."""
        return self._pubsub is not None

    def _open(self) -> None:
        client = _client(self.url) if self.url else None
        if client is None:
            return
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(_channel_name(self.url, self.channel))
            # Redis has registered the subscription once it confirms it: every message
            # published from now on reaches us.
            deadline = time.monotonic() + SOCKET_TIMEOUT_SECONDS
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise redis.TimeoutError("no confirmation of the subscription")
                message = pubsub.get_message(timeout=remaining)
                if message and message["type"] == "subscribe":
                    break
        except redis.RedisError as exc:
            pubsub.close()
            _down(self.url, exc)
            return
        self._pubsub = pubsub

    def close(self) -> None:
        if self._pubsub is not None:
            try:
                self._pubsub.close()
            except redis.RedisError:
                pass
            self._pubsub = None

    def wait(self, timeout: float) -> bool:
        """Blocks until a message on the channel (True) or ``timeout`` seconds (False).
        Without Redis it returns after at most FALLBACK_INTERVAL_SECONDS (False), so the
        caller reads again."""
        deadline = time.monotonic() + max(0.0, timeout)
        while self._pubsub is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                message = self._pubsub.get_message(timeout=remaining)
            except redis.RedisError as exc:
                # Redis went away mid-wait: the rest of the wait is on the timer.
                self.close()
                _down(self.url, exc)
                break
            if message and message["type"] == "message":
                return True
        time.sleep(max(0.0, min(FALLBACK_INTERVAL_SECONDS, deadline - time.monotonic())))
        return False


@contextmanager
def notify_listen(channel: str) -> Iterator[Listener]:
    """A subscription to ``channel``, confirmed before the block runs, closed after it."""
    listener = Listener(_url(), channel)
    listener._open()
    try:
        yield listener
    finally:
        listener.close()


def notify_wait(channel: str, *, read: Callable[[], T], done: Callable[[T], bool], timeout: float) -> T:
    """Reads with ``read()`` until ``done(value)`` or ``timeout`` seconds; returns the last value read.

    Subscribes to ``channel`` first, then reads; while not done, waits for a message on
    the channel (or, without Redis, for FALLBACK_INTERVAL_SECONDS) and reads again. A
    timeout of 0 reads once and subscribes to nothing. Whatever ``read`` raises propagates.
    """
    if timeout <= 0:
        return read()
    deadline = time.monotonic() + timeout
    with notify_listen(channel) as listener:
        while True:
            value = read()
            if done(value):
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return value
            listener.wait(remaining)
