"""Prometheus metrics: what the code observes as it runs, and the shared state read at scrape time.

Two kinds, kept apart on purpose:

- Counters and histograms are observed in the process that does the work (a gunicorn
  worker, a Celery child). With ``PROMETHEUS_MULTIPROC_DIR`` set, each process writes
  them to files in that directory and a scrape adds up every process's files. The
  variable must be in the environment *before* the process starts (prometheus_client
  reads it when imported), so the scripts and the compose file set it, not Python.
- Gauges of state every process shares (queue depth, submissions waiting, sessions in
  progress) are read from the broker and the database by ``SharedStateCollector`` when
  the web's ``/metrics`` is scraped, so any one web process reports the truth.

Web processes serve ``GET /metrics``; Celery workers, where most of the work happens,
serve their own endpoint on ``METRICS_PORT``. Label values come from fixed sets (modes,
verdicts, backends, kinds, the configured model): never a user, an email or a session,
which would make the series unbounded and put candidates' data in the monitoring system.
Every metric has labels on purpose: a labelled metric writes its multiprocess file only
once something is observed, so short-lived commands (``manage.py``, ``celery inspect``)
leave no files behind for every scrape to read.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, make_wsgi_app
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

from sandbox.jobs import Verdict

log = logging.getLogger(__name__)

# The values each label may take; anything else is counted as "other".
MODES = frozenset({"run", "submit"})
VERDICTS = frozenset(v.value for v in Verdict)
BACKENDS = frozenset({"docker", "bubblewrap", "subprocess"})
GRADERS = frozenset({"llm", "local"})
LLM_ERROR_KINDS = frozenset(
    {"rate_limited", "server_error", "timeout", "connection", "rejected", "refused", "truncated", "invalid_reply"}
)
FINISH_REASONS = frozenset({"candidate", "expired"})
BUDGET_SCOPES = frozenset({"organization", "user", "global"})

SUBMISSIONS = Counter(
    "mockloop_submissions", "Code runs and submissions that finished, by mode and verdict.", ["mode", "verdict"]
)
SANDBOX_RUN_SECONDS = Histogram(
    "mockloop_sandbox_run_seconds",
    "Wall time of a sandbox run that produced a report (every test of one submission), by backend.",
    ["backend"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120),
)
SANDBOX_FAULTS = Counter(
    "mockloop_sandbox_faults",
    "Submissions that could not run: unavailable (no engine, no image, no bubblewrap) or fault (the sandbox broke).",
    ["kind"],
)
SANDBOX_RETRIES = Counter(
    "mockloop_sandbox_retries",
    "Submissions queued again after an infrastructure fault (capped by SANDBOX_MAX_RETRIES), by kind as for "
    "mockloop_sandbox_faults; never for what the code did.",
    ["kind"],
)
RUBRIC_GRADE_SECONDS = Histogram(
    "mockloop_rubric_grade_seconds",
    "Time to grade a written answer against its rubric, by grader (retries and backoff included).",
    ["grader"],
    buckets=(0.01, 0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300),
)
LLM_COST = Counter(
    "mockloop_llm_cost_usd", "Spent on LLM rubric grading, in US dollars, from tokens and the configured prices.", ["model"]
)
LLM_ERRORS = Counter("mockloop_llm_errors", "Failed LLM calls and unusable replies, by kind.", ["kind"])
LLM_BUDGET_REFUSALS = Counter(
    "mockloop_llm_budget_refusals", "LLM gradings not started because a budget is spent, by budget.", ["scope"]
)
SESSIONS_FINISHED = Counter("mockloop_sessions_finished", "Interviews closed, by reason (expired: time ran out).", ["reason"])


def _bounded(value: str, allowed: frozenset[str]) -> str:
    return value if value in allowed else "other"


# -- what the code calls ---------------------------------------------------------------


def submission_finished(*, mode: str, verdict: str) -> None:
    SUBMISSIONS.labels(mode=_bounded(mode, MODES), verdict=_bounded(verdict, VERDICTS)).inc()


@contextmanager
def sandbox_run_timed(backend: str) -> Iterator[None]:
    """Times a sandbox run; a run that raised is a fault, counted by sandbox_fault, not timed."""
    started = time.perf_counter()
    yield
    SANDBOX_RUN_SECONDS.labels(backend=_bounded(backend, BACKENDS)).observe(time.perf_counter() - started)


def sandbox_fault(*, unavailable: bool) -> None:
    SANDBOX_FAULTS.labels(kind="unavailable" if unavailable else "fault").inc()


def sandbox_retry(*, unavailable: bool) -> None:
    SANDBOX_RETRIES.labels(kind="unavailable" if unavailable else "fault").inc()


@contextmanager
def rubric_grading_timed(grader: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    RUBRIC_GRADE_SECONDS.labels(grader=_bounded(grader, GRADERS)).observe(time.perf_counter() - started)


def llm_cost_add(usd: Decimal, *, model: str) -> None:
    LLM_COST.labels(model=model[:100]).inc(float(usd))


def llm_budget_refused(scope: str) -> None:
    LLM_BUDGET_REFUSALS.labels(scope=_bounded(scope, BUDGET_SCOPES)).inc()


def llm_error(kind: str) -> None:
    LLM_ERRORS.labels(kind=_bounded(kind, LLM_ERROR_KINDS)).inc()


def session_finished(reason: str) -> None:
    SESSIONS_FINISHED.labels(reason=_bounded(reason, FINISH_REASONS)).inc()


# -- shared state, read at scrape time -------------------------------------------------


@contextmanager
def _statement_timeout(seconds: float) -> Iterator[None]:
    """A transaction whose statements PostgreSQL cancels after ``seconds``."""
    from django.db import connection, transaction

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(int(seconds * 1000))])
        yield


# The database's gauges are the apps' to say (interview/gauges.py); each registers its
# function once, in its AppConfig.ready(). This module sits below every app.
_DATABASE_GAUGES: list[Callable[[], list[Metric]]] = []


def database_gauges_register(gauges: Callable[[], list[Metric]]) -> None:
    if gauges not in _DATABASE_GAUGES:
        _DATABASE_GAUGES.append(gauges)


def _database_gauges(timeout: float) -> list[Metric]:
    families: list[Metric] = []
    with _statement_timeout(timeout):
        for gauges in _DATABASE_GAUGES:
            families += gauges()
    return families


def celery_queue_names() -> list[str]:
    from config.celery import app

    names = {app.conf.task_default_queue}
    names.update(queue.name for queue in app.conf.task_queues or ())
    return sorted(names)


def _queue_gauges(timeout: float) -> list[Metric]:
    """Messages waiting in each Celery queue: kombu keeps one Redis list per queue and priority step."""
    import redis
    from kombu.transport.redis import PRIORITY_STEPS, Channel

    from config.celery import app

    options = app.conf.broker_transport_options or {}
    steps = options.get("priority_steps", PRIORITY_STEPS)
    separator = options.get("sep", Channel.sep)
    prefix = options.get("global_keyprefix", "")
    queues = celery_queue_names()
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        with client.pipeline(transaction=False) as pipe:
            for queue in queues:
                for priority in steps:
                    pipe.llen(f"{prefix}{queue}{separator}{priority}" if priority else f"{prefix}{queue}")
            lengths = pipe.execute()
    finally:
        client.close()
    depth = GaugeMetricFamily(
        "mockloop_celery_queue_depth", "Tasks waiting in each Celery queue (not yet taken by a worker).", labels=["queue"]
    )
    for index, queue in enumerate(queues):
        depth.add_metric([queue], sum(lengths[index * len(steps) : (index + 1) * len(steps)]))
    return [depth]


class SharedStateCollector:
    """Gauges of the state all processes share, read from the database and the broker when scraped.

    Each source has a short timeout; one that fails is reported by ``mockloop_state_up``
    rather than failing the whole scrape.
    """

    def collect(self) -> Iterable[Metric]:
        import redis
        from django.db import DatabaseError

        timeout = settings.HEALTH_TIMEOUT_SECONDS
        up = GaugeMetricFamily(
            "mockloop_state_up", "1 when this scrape could read the source, 0 when it could not.", labels=["source"]
        )
        families: list[Metric] = []
        try:
            families += _database_gauges(timeout)
            up.add_metric(["database"], 1)
        except DatabaseError as exc:
            log.warning("metrics: the database did not answer (%s)", exc.__class__.__name__)
            up.add_metric(["database"], 0)
        if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://", "unix://")):
            try:
                families += _queue_gauges(timeout)
                up.add_metric(["broker"], 1)
            except redis.RedisError as exc:
                log.warning("metrics: the broker did not answer (%s)", exc.__class__.__name__)
                up.add_metric(["broker"], 0)
        return [*families, up]


class _ThisProcess:
    """The default registry's metrics, when each process keeps its own (no multiprocess directory)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def scrape_registry(*, shared_state: bool) -> CollectorRegistry:
    """What one scrape exposes: every process's counters and histograms, plus the shared state."""
    registry = CollectorRegistry()
    if settings.PROMETHEUS_MULTIPROC_DIR:
        MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
    else:
        registry.register(_ThisProcess())
    if shared_state:
        registry.register(SharedStateCollector())
    return registry


# -- serving ---------------------------------------------------------------------------


def token_status(authorization: str | None) -> int:
    """200 when the scrape may read metrics; 401 without a bearer token, 403 with a wrong one."""
    expected = settings.METRICS_TOKEN
    if not expected:
        return 200
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return 401
    return 200 if hmac.compare_digest(token.strip().encode(), expected.encode()) else 403


_REFUSED = {401: "a bearer token is required\n", 403: "wrong token\n"}


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """GET /metrics: the Prometheus text format, behind METRICS_TOKEN when it is set."""
    status = token_status(request.headers.get("Authorization"))
    if status != 200:
        response = HttpResponse(_REFUSED[status], status=status, content_type="text/plain")
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(scrape_registry(shared_state=True)), content_type=CONTENT_TYPE_LATEST)


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def worker_metrics_serve(*, pool: Any = None) -> WSGIServer | None:
    """Serves this Celery worker's metrics on METRICS_PORT (from the worker_ready signal).

    The worker's main process serves; with a prefork pool the tasks run in children, whose
    metrics only reach it through PROMETHEUS_MULTIPROC_DIR. Queue and database gauges are
    the web's to report, so a worker never adds them (they would be counted once per host).
    """
    port = settings.METRICS_PORT
    if not port:
        return None
    if not settings.PROMETHEUS_MULTIPROC_DIR and type(pool).__module__ == "celery.concurrency.prefork":
        log.warning("METRICS_PORT is set without PROMETHEUS_MULTIPROC_DIR: the prefork children's metrics will be missing")
    exposition = make_wsgi_app(scrape_registry(shared_state=False))

    def guarded(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        status = token_status(environ.get("HTTP_AUTHORIZATION"))
        if status != 200:
            start_response(f"{status} {'Unauthorized' if status == 401 else 'Forbidden'}", [("Content-Type", "text/plain")])
            return [_REFUSED[status].encode()]
        return exposition(environ, start_response)

    server = make_server("", port, guarded, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    log.info("serving worker metrics on port %s", server.server_port)
    return server
