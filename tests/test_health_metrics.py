"""/healthz, /livez and /metrics: real PostgreSQL, Redis, Docker (or bubblewrap) and Celery;
the LLM is the local fake OpenAI server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import docker
import docker.errors
import pytest
import redis
import requests
from django.db import connection
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from grading import services as grading_services
from grading.llm import LlmUnavailable
from interview import services
from interview.models import Answer, InterviewSession, InterviewTemplate, TemplateSection
from interview.services import answer_rubric_grade
from interview.tasks import sessions_finalize_expired
from questions.models import Question
from sandbox.jobs import SandboxFault

ROOT = Path(__file__).resolve().parent.parent
HALF_RIGHT = "def count_pairs(nums, target):\n    return 2 if nums else 0\n"
QUEUE = "mockloop"
METRIC_NAMES = [
    "mockloop_submissions_total",
    "mockloop_sandbox_run_seconds",
    "mockloop_sandbox_faults_total",
    "mockloop_rubric_grade_seconds",
    "mockloop_llm_cost_usd_total",
    "mockloop_llm_errors_total",
    "mockloop_sessions_finished_total",
    "mockloop_celery_queue_depth",
    "mockloop_submissions_pending",
    "mockloop_answers_awaiting_rubric_grade",
    "mockloop_sessions_in_progress",
    "mockloop_state_up",
]
LABEL_NAMES = {
    "mode",
    "verdict",
    "backend",
    "kind",
    "grader",
    "model",
    "reason",
    "queue",
    "status",
    "waiting_for",
    "source",
    "scope",
}
LABEL_NAMES |= {"le"}  # a histogram's buckets


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _docker_answers() -> bool:
    try:
        client = docker.from_env(timeout=5)
        client.ping()
        client.close()
    except (docker.errors.DockerException, requests.exceptions.RequestException):
        return False
    return True


def _scrape(client, **headers) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def no_llm(settings):
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = ""


@pytest.fixture
def fake_llm(fake_llm, settings):
    return fake_llm


@pytest.fixture
def template(bank) -> InterviewTemplate:
    """A multiple-choice question and a design question: graded inline and by the rubric grader."""
    template = InterviewTemplate.objects.create(slug="health", title="Health", total_minutes=30)
    section = TemplateSection.objects.create(template=template, position=1, title="All")
    section.questions.add(Question.objects.get(slug="pick-metric"), Question.objects.get(slug="design-cache"))
    return template


def _written_position(session: InterviewSession) -> int:
    return session.questions.get(question_version__question__slug="design-cache").position


def _expire(session: InterviewSession) -> None:
    InterviewSession.objects.filter(id=session.id).update(deadline=timezone.now() - timedelta(minutes=1))


# -- /healthz and /livez ---------------------------------------------------------------


def test_it_is_ok_when_everything_is_up(client, db, no_llm):
    docker_status = "ok" if _docker_answers() else "degraded"
    response = client.get("/healthz")
    body = response.json()
    checks = body["checks"]
    assert set(checks) == {"database", "broker", "docker", "sandbox_image", "llm"}
    assert {name: check["status"] for name, check in checks.items()} == {
        "database": "ok",
        "broker": "ok",
        "docker": docker_status,  # no engine on this machine: degraded, and said so
        "sandbox_image": "ok",  # the image, or bubblewrap's root filesystem (scripts/test builds one)
        "llm": "ok",
    }
    assert body["status"] == docker_status
    assert response.status_code == 200
    assert "local grader" in checks["llm"]["detail"]
    assert all(isinstance(check["ms"], int) and check["ms"] >= 0 for check in checks.values())
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]


def test_a_broker_that_is_down_fails_it_with_503(client, db, settings, no_llm):
    port = _closed_port()
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["broker"]["status"] == "fail"
    assert f"127.0.0.1:{port}" in body["checks"]["broker"]["detail"]
    assert body["checks"]["database"]["status"] == "ok"


def test_a_broker_that_never_answers_is_given_up_on(client, db, settings, no_llm):
    with socket.socket() as silent:  # accepts connections, never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        settings.HEALTH_TIMEOUT_SECONDS = 0.5
        response = client.get("/healthz")
    assert response.status_code == 503
    assert "TimeoutError" in response.json()["checks"]["broker"]["detail"]


def test_an_unreachable_llm_degrades_it(client, db, settings):
    port = _closed_port()
    settings.OPENAI_BASE_URL = f"http://127.0.0.1:{port}/v1"
    settings.OPENAI_API_KEY = "test-key-not-real"
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["llm"]["status"] == "degraded"
    assert f"127.0.0.1:{port} does not answer" in body["checks"]["llm"]["detail"]


def test_a_reachable_llm_is_ok_and_is_only_asked_for_its_models(client, db, fake_llm):
    body = client.get("/healthz").json()
    assert body["checks"]["llm"]["status"] == "ok", body["checks"]["llm"]
    assert [(r["path"], r["body"]) for r in fake_llm.requests] == [("/v1/models", None)]
    assert fake_llm.requests[0]["headers"]["authorization"] == "Bearer test-key-not-real"


def test_no_secret_reaches_the_answer(client, db, settings):
    port = _closed_port()
    settings.OPENAI_API_KEY = "sk-KEY-MARKER-1234"
    settings.OPENAI_BASE_URL = f"http://llm-user:URL-PASSWORD-MARKER@127.0.0.1:{port}/v1?token=QUERY-MARKER"
    settings.CELERY_BROKER_URL = f"redis://:BROKER-PASSWORD-MARKER@127.0.0.1:{_closed_port()}/0"
    text = client.get("/healthz").content.decode()
    for marker in ("KEY-MARKER", "URL-PASSWORD-MARKER", "QUERY-MARKER", "BROKER-PASSWORD-MARKER", "llm-user"):
        assert marker not in text
    assert f"127.0.0.1:{port}" in text  # the host is named, nothing else of the URL


def test_a_bubblewrap_deployment_checks_its_root_filesystem_not_docker(client, db, settings, no_llm):
    from sandbox.images import rootfs_ready

    settings.SANDBOX_BACKEND = "bubblewrap"
    checks = client.get("/healthz").json()["checks"]
    assert "docker" not in checks
    ready = rootfs_ready(settings.SANDBOX_CACHE_DIR)
    assert checks["sandbox_image"]["status"] == ("ok" if ready else "degraded")


def test_a_web_process_without_sandboxes_skips_their_checks(client, db, settings, no_llm):
    settings.HEALTH_SANDBOX_CHECKS = False
    response = client.get("/healthz")
    assert response.status_code == 200 and set(response.json()["checks"]) == {"database", "broker", "llm"}
    assert response.json()["status"] == "ok"


def test_a_missing_sandbox_image_degrades_it(client, db, settings, no_llm, monkeypatch):
    settings.SANDBOX_BACKEND = "docker"
    monkeypatch.setattr("sandbox.images.IMAGE_REPOSITORY", f"mockloop-sandbox-absent-{uuid.uuid4().hex[:8]}")
    response = client.get("/healthz")
    assert response.status_code == 200
    check = response.json()["checks"]["sandbox_image"]
    assert check["status"] == "degraded"
    expected = (
        "is not built: run `python manage.py build_sandbox_image`" if _docker_answers() else "the Docker engine does not answer"
    )
    assert expected in check["detail"]


def test_livez_touches_no_dependency(client, db, settings, django_assert_num_queries):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    with django_assert_num_queries(0):
        response = client.get("/livez")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_probes_answer_any_host_over_plain_http(client, db, settings, no_llm):
    # Orchestrators call the pod's address over HTTP: no host check, no redirect to HTTPS.
    settings.ALLOWED_HOSTS = ["mockloop.example"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/livez", HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert client.get("/healthz", HTTP_HOST="10.1.2.3:8000").status_code in (200, 503)
    assert client.get("/metrics", HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert client.get("/login/", HTTP_HOST="10.1.2.3:8000").status_code == 400  # everything else is checked


# -- /metrics --------------------------------------------------------------------------


def test_metrics_count_what_the_code_did(client, settings, alice, template, fake_llm):
    before = _scrape(client)

    # A real submission, run in the real sandbox.
    question = Question.objects.get(slug="sum-pairs")
    submission = grading_services.submission_create(user=alice, question=question, source=HALF_RIGHT, mode="submit")
    finished = grading_services.submission_run(submission_id=submission.id, worker="metrics-test")
    assert finished.verdict == "wrong_answer"
    # And one that finds no sandbox to run in.
    stuck = grading_services.submission_create(user=alice, question=question, source=HALF_RIGHT, mode="submit")
    settings.SANDBOX_BACKEND = "none-such"
    with pytest.raises(SandboxFault):
        grading_services.submission_run(submission_id=stuck.id, worker="metrics-test")

    # An interview whose time ran out, finished by the periodic task.
    session = services.practice_start(candidate=alice, template=template)
    written = _written_position(session)
    services.answer_save(session=session, position=written, payload={"text": "Consistent hashing and LRU eviction."}, revision=1)
    _expire(session)
    assert services.sessions_finalize_expired() == [session.id]
    answer = Answer.objects.get(session_question__session=session, session_question__position=written)

    # Its written answer: the LLM fails, then grades; then the local grader.
    fake_llm.reply({"error": {"message": "down"}}, status=500)
    with pytest.raises(LlmUnavailable):
        answer_rubric_grade(answer_id=answer.id)
    fake_llm.reply_grade({"partitioning": 3, "eviction": 3}, prompt_tokens=2000, completion_tokens=500)
    assert answer_rubric_grade(answer_id=answer.id).grader == "llm"
    settings.OPENAI_API_KEY = settings.OPENAI_BASE_URL = ""
    assert answer_rubric_grade(answer_id=answer.id).grader == "local"

    after = _scrape(client)
    names = {name for name, _ in after}
    for name in METRIC_NAMES:
        assert any(n == name or n.startswith(f"{name}_") for n in names), name

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("mockloop_submissions_total", mode="submit", verdict="wrong_answer") == 1
    assert grew("mockloop_sandbox_run_seconds_count", backend=finished.backend) == 1
    assert grew("mockloop_sandbox_faults_total", kind="unavailable") == 1
    assert grew("mockloop_sessions_finished_total", reason="expired") == 1
    assert grew("mockloop_llm_errors_total", kind="server_error") == 1  # one call: the task retries, not the worker
    assert grew("mockloop_rubric_grade_seconds_count", grader="llm") == 1
    assert grew("mockloop_rubric_grade_seconds_count", grader="local") == 1
    # 2000 * 0.15 + 500 * 0.60 per million tokens.
    assert grew("mockloop_llm_cost_usd_total", model="fake-grader") == pytest.approx(0.0006)

    # Nothing in a label says who: no email, no id of a user, a session or a submission.
    assert alice.email not in client.get("/metrics").content.decode()
    for name, labels in after:
        if name.startswith("mockloop_"):
            assert {label for label, _ in labels} <= LABEL_NAMES, (name, labels)
            assert all("@" not in value and (label == "le" or not value.isdigit()) for label, value in labels), (name, labels)


def test_shared_state_gauges_read_the_database(client, alice, template, no_llm):
    question = Question.objects.get(slug="sum-pairs")
    grading_services.submission_create(user=alice, question=question, source=HALF_RIGHT, mode="submit")
    in_progress = services.practice_start(candidate=alice, template=template)
    samples = _scrape(client)
    assert _value(samples, "mockloop_submissions_pending", status="queued") == 1
    assert _value(samples, "mockloop_submissions_pending", status="running") == 0
    assert _value(samples, "mockloop_sessions_in_progress", mode="practice") == 1
    assert _value(samples, "mockloop_sessions_in_progress", mode="assessment") == 0

    services.answer_save(
        session=in_progress, position=_written_position(in_progress), payload={"text": "Consistent hashing."}, revision=1
    )
    services.session_finish(session_id=in_progress.id, reason="candidate")
    samples = _scrape(client)
    # The written answer waits for the grader (its task runs once this commits).
    assert _value(samples, "mockloop_answers_awaiting_rubric_grade", waiting_for="grader") == 1
    assert _value(samples, "mockloop_sessions_in_progress", mode="practice") == 0
    assert _value(samples, "mockloop_state_up", source="database") == 1


def test_queue_depth_is_what_waits_in_redis(client, db, settings):
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    keys = [QUEUE, *(f"{QUEUE}\x06\x16{priority}" for priority in (3, 6, 9))]
    broker.delete(*keys)
    try:
        for _ in range(3):
            sessions_finalize_expired.delay()
        sessions_finalize_expired.apply_async(priority=9)
        assert broker.llen(QUEUE) == 3 and broker.llen(f"{QUEUE}\x06\x169") == 1
        samples = _scrape(client)
        assert _value(samples, "mockloop_celery_queue_depth", queue=QUEUE) == 4
        assert _value(samples, "mockloop_state_up", source="broker") == 1
    finally:
        broker.delete(*keys)


def test_a_broker_that_is_down_leaves_the_other_metrics(client, db, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    samples = _scrape(client)
    assert _value(samples, "mockloop_state_up", source="broker") == 0
    assert ("mockloop_sessions_in_progress", (("mode", "practice"),)) in samples


def test_metrics_want_the_token_when_one_is_set(client, db, settings):
    settings.METRICS_TOKEN = "metrics-token-5678"
    refused = client.get("/metrics")
    assert refused.status_code == 401 and refused["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong-token").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Token metrics-token-5678").status_code == 401
    allowed = client.get("/metrics", HTTP_AUTHORIZATION="Bearer metrics-token-5678")
    assert allowed.status_code == 200 and allowed["Content-Type"].startswith("text/plain; version=")
    assert b"mockloop_celery_queue_depth" in allowed.content


def test_the_web_adds_up_every_processes_metrics(client, db, settings, tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    count = "from config import metrics; metrics.submission_finished(mode='submit', verdict='accepted')"
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, cwd=ROOT, check=True, timeout=60)
    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path)
    samples = _scrape(client)
    # Both processes' counts, and none of this test process's own (it keeps them in memory).
    assert _value(samples, "mockloop_submissions_total", mode="submit", verdict="accepted") == 2
    assert _value(samples, "mockloop_state_up", source="database") == 1


def test_a_process_that_observes_nothing_leaves_no_metric_files(tmp_path):
    # Every `manage.py` command and `celery inspect` health check imports the app: were
    # a file left for each, every scrape would read thousands of them.
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"}
    imports = "import django; django.setup(); import grading.tasks, interview.tasks, grading.rubric_services, config.health"
    subprocess.run([sys.executable, "-c", imports], env=env, cwd=ROOT, check=True, timeout=60)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_multiprocess_directory_stops_start_up(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "absent"), "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0 and "PROMETHEUS_MULTIPROC_DIR" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_a_prefork_worker_serves_its_childrens_metrics(alice, template, settings, tmp_path):
    session = services.practice_start(candidate=alice, template=template)
    _expire(session)
    db = connection.settings_dict
    port = _closed_port()
    token = "worker-token-9012"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "METRICS_PORT": str(port),
        "METRICS_TOKEN": token,
    }
    env.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1"]
    command += ["--loglevel=WARNING", f"--hostname=metrics-{uuid.uuid4().hex[:8]}@%h", "--without-gossip", "--without-mingle"]
    url = f"http://127.0.0.1:{port}/metrics"
    authorized = {"Authorization": f"Bearer {token}"}
    with (tmp_path / "worker.log").open("w") as log:
        worker = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            try:
                if requests.get(url, headers=authorized, timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
            time.sleep(0.2)
        assert requests.get(url, timeout=2).status_code == 401

        sessions_finalize_expired.delay()  # runs in the worker's child process
        expired = 'mockloop_sessions_finished_total{reason="expired"} 1.0'
        while expired not in requests.get(url, headers=authorized, timeout=2).text:
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
            time.sleep(0.2)
        assert InterviewSession.objects.get(id=session.id).finish_reason == "expired"
        # A worker reports what its processes did, not the shared state (the web does).
        assert "mockloop_celery_queue_depth" not in requests.get(url, headers=authorized, timeout=2).text
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
