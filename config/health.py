"""Probes: ``/livez`` (is this process alive?) and ``/healthz`` (can this deployment serve?).

``/healthz`` checks the database, the Celery broker, the Docker engine and the sandbox
image (or bubblewrap's root filesystem) and the LLM endpoint. The database and the
broker are essential: without them nothing is saved or graded, so their failure makes
the answer ``fail`` (HTTP 503). The rest only degrades the service: without a sandbox
code waits in the queue, without the LLM written answers wait or get the local grader,
while practice, multiple choice and numeric answers keep working: ``degraded`` (200).

Checks run in parallel, each with its own timeout, and the answer never waits longer
than HEALTH_TIMEOUT_SECONDS (plus a little) for all of them. Details name hosts and
exception classes, never keys, passwords or full URLs.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

OK, DEGRADED, FAIL = "ok", "degraded", "fail"
# The checks whose failure means the service cannot work at all.
ESSENTIAL = frozenset({"database", "broker"})

Outcome = tuple[str, str]  # (status, detail)


def _host(url: str) -> str:
    """host[:port] of a URL, without user, password, path or query."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{parts.hostname or 'localhost'}:{port}" if port else parts.hostname or "localhost"


def check_database(timeout: float) -> Outcome:
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return FAIL, f"the database does not answer ({exc.__class__.__name__})"
    finally:
        # Each check runs in a thread of its own: its connection goes with it.
        connection.close()
    return OK, f"{connection.vendor} answers"


def check_broker(timeout: float) -> Outcome:
    import redis

    url = settings.CELERY_BROKER_URL
    scheme = urlsplit(url).scheme
    if scheme not in ("redis", "rediss", "unix"):
        return OK, f"not checked: the broker is {scheme}, not Redis"
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    except redis.RedisError as exc:
        return FAIL, f"the Redis broker at {_host(url)} does not answer ({exc.__class__.__name__})"
    finally:
        client.close()
    return OK, f"the Redis broker at {_host(url)} answers"


def _docker_client(timeout: float) -> Any:
    import docker

    return docker.from_env(timeout=timeout)


def check_docker(timeout: float) -> Outcome:
    import docker.errors
    import requests.exceptions

    try:
        client = _docker_client(timeout)
        try:
            client.ping()
        finally:
            client.close()
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        return DEGRADED, f"the Docker engine does not answer ({exc.__class__.__name__})"
    return OK, "the Docker engine answers"


def _bubblewrap_ready() -> Outcome:
    from sandbox.images import rootfs_ready

    if shutil.which("bwrap") is None:
        return DEGRADED, "bubblewrap is not installed"
    if not rootfs_ready(settings.SANDBOX_CACHE_DIR):
        return DEGRADED, "bubblewrap's root filesystem is not built: run `python manage.py build_sandbox_image --rootfs-only`"
    return OK, "bubblewrap and its root filesystem are ready"


def check_sandbox_image(timeout: float) -> Outcome:
    """The image the docker backend runs, or bubblewrap's root filesystem; with auto, either."""
    import docker.errors
    import requests.exceptions

    from sandbox.images import image_exists, image_tag

    backend = settings.SANDBOX_BACKEND
    if backend == "bubblewrap":
        return _bubblewrap_ready()
    tag = image_tag()
    try:
        client = _docker_client(timeout)
        try:
            present = image_exists(client, tag)
        finally:
            client.close()
        problem = f"{tag} is not built: run `python manage.py build_sandbox_image`"
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        present, problem = False, f"cannot look for {tag}: the Docker engine does not answer ({exc.__class__.__name__})"
    if present:
        return OK, f"{tag} is built"
    if backend == "docker":
        return DEGRADED, problem
    # auto: code runs under bubblewrap when the Docker image cannot be used.
    status, detail = _bubblewrap_ready()
    return status, f"{detail}; {problem}" if status != OK else f"{detail} (the Docker image {tag} cannot be used)"


def check_llm(timeout: float) -> Outcome:
    """Is the LLM endpoint reachable? Lists the models; never asks for a completion."""
    import openai

    from grading.rubric_services import llm_configured, llm_last_rejection

    if not llm_configured():
        return OK, "not configured: written answers get the local grader (provisional grades)"
    host = _host(settings.OPENAI_BASE_URL or "https://api.openai.com/v1")
    rejection = llm_last_rejection()
    if rejection is not None:
        # The endpoint answers but refuses grading requests: listing models would say "OK".
        return DEGRADED, f"the LLM endpoint at {host} refused a grading request at {rejection['at']}: {rejection['message']}"
    try:
        with openai.OpenAI(
            api_key=settings.OPENAI_API_KEY or "not-needed",
            base_url=settings.OPENAI_BASE_URL or None,
            timeout=timeout,
            max_retries=0,
        ) as client:
            client.models.list()
    except openai.NotFoundError:
        return OK, f"the LLM endpoint at {host} answers (it lists no models)"
    except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
        return DEGRADED, f"the LLM endpoint at {host} refuses the API key ({exc.status_code})"
    except openai.APIStatusError as exc:
        return DEGRADED, f"the LLM endpoint at {host} answered {exc.status_code}"
    except openai.APIConnectionError as exc:  # timeouts included
        return DEGRADED, f"the LLM endpoint at {host} does not answer ({exc.__class__.__name__})"
    return OK, f"the LLM endpoint at {host} answers"


def checks() -> dict[str, Callable[[float], Outcome]]:
    """The checks that apply to this deployment, by name."""
    found: dict[str, Callable[[float], Outcome]] = {"database": check_database, "broker": check_broker}
    # Web containers run no sandbox (no Docker socket): they leave these to the workers.
    if settings.HEALTH_SANDBOX_CHECKS:
        if settings.SANDBOX_BACKEND in ("docker", "auto"):
            found["docker"] = check_docker
        found["sandbox_image"] = check_sandbox_image
    found["llm"] = check_llm
    return found


def _timed(check: Callable[[float], Outcome], timeout: float) -> tuple[str, str, int]:
    started = time.perf_counter()
    status, detail = check(timeout)
    return status, detail, round((time.perf_counter() - started) * 1000)


def health_report() -> dict[str, object]:
    """Runs every check in parallel and sums them up: fail, degraded or ok."""
    timeout = settings.HEALTH_TIMEOUT_SECONDS
    to_run = checks()
    pool = ThreadPoolExecutor(max_workers=len(to_run), thread_name_prefix="healthz")
    futures = {name: pool.submit(_timed, check, timeout) for name, check in to_run.items()}
    # A check stuck past its own timeout (a connect with none) is left behind, not waited for.
    wait_for(futures.values(), timeout=timeout + 0.5)
    pool.shutdown(wait=False, cancel_futures=True)
    results: dict[str, dict[str, object]] = {}
    for name, future in futures.items():
        bad = FAIL if name in ESSENTIAL else DEGRADED
        if not future.done():
            status, detail, ms = bad, f"no answer within {timeout:g} s", round(timeout * 1000)
        elif future.exception() is not None:
            status, detail, ms = bad, f"the check failed ({future.exception().__class__.__name__})", 0
        else:
            status, detail, ms = future.result()
        results[name] = {"status": status, "detail": detail, "ms": ms}
    statuses = {r["status"] for r in results.values()}
    overall = FAIL if FAIL in statuses else DEGRADED if DEGRADED in statuses else OK
    return {"status": overall, "checks": results}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    report = health_report()
    return JsonResponse(report, status=503 if report["status"] == FAIL else 200)


@never_cache
@require_safe
def livez(request: HttpRequest) -> HttpResponse:
    """Answers as long as this process serves requests: it touches no dependency."""
    return JsonResponse({"status": OK})


class ProbeMiddleware:
    """Answers the probes and the metrics scrape before anything else runs.

    Orchestrators and Prometheus call them by the pod's or container's address over
    plain HTTP: going through the stack, ALLOWED_HOSTS would refuse that host and
    SECURE_SSL_REDIRECT would redirect. They read no cookie, session or user, so
    nothing those middlewares protect is at stake.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        from config.metrics import metrics_view

        self.get_response = get_response
        self.probes: dict[str, Callable[[HttpRequest], HttpResponseBase]] = {
            "/livez": livez,
            "/healthz": healthz,
            "/metrics": metrics_view,
        }

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        probe = self.probes.get(request.path_info.rstrip("/") or "/")
        return probe(request) if probe else self.get_response(request)
