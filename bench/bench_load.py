"""Load benchmark: K concurrent simulated candidates through a practice interview.

    .venv/bin/python bench/bench_load.py [--candidates 10,25,50] [--write docs/performance.md]
    .venv/bin/python bench/bench_load.py --quick

It starts its own stack on this machine: a fresh PostgreSQL database (`bench_load`,
copied from `bench_load_template`, which keeps the migrated schema and the imported
questions between runs), its own Redis database (7 by default; only that one is
flushed), gunicorn (config/gunicorn.conf.py: 4 gthread workers of 8 threads, DEBUG off) and 2 Celery workers of concurrency 1
grading in the Docker sandbox. It stops all of it on the way out, Ctrl-C included.

Each simulated candidate (a thread) signs up in an untimed setup phase, then starts
the public "ML fundamentals" practice template (a coding question, 3 multiple
choice, 2 numeric, 1 written answer: the bank is imported with just those, so every
session is the same), loads it, autosaves its code a few times with increasing
revisions, runs it, submits it and long-polls the submission until graded, answers
the other questions (written: a few autosaves), finishes and reloads the results
until the session is graded. Think time between steps is random (seeded).

Every request's latency is recorded by kind; errors are any unexpected status, a
timeout, a verdict other than accepted for the reference solution or a wrong score.
Figures are per K; growth ratios are to the first K, measured in the same run. The
script exits non-zero if any error occurred (and then writes nothing).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.markdown_report import write_section  # noqa: E402

VENV_BIN = ROOT / ".venv" / "bin"

SECTION_TITLE = "## Load: concurrent candidates"
TEMPLATE_SLUG = "ml-fundamentals"
# Exactly what the "ML fundamentals" template draws (1 coding, 3 multiple choice, 2
# numeric, 1 written), so every session gets the same questions and K=10 and K=50
# do the same work per candidate.
BANK_TRACK = "ml_fundamentals"
BANK_QUESTIONS = (
    "softmax-stable",
    "bias-variance-high-variance",
    "class-imbalance-accuracy-paradox",
    "cross-validation-data-leakage",
    "f1-from-confusion-matrix",
    "log-loss-of-predictions",
    "explain-bias-variance-tradeoff",
)
PASSWORD = "load-bench-passphrase-7"  # noqa: S105 - throwaway accounts in a throwaway database
# Request kinds; long polls wait on purpose and are left out of "all".
KINDS = ("start", "session", "save", "run", "submit", "poll", "finish", "results")
REPORTED_KINDS = ("save", "run", "submit", "results")
BENCH_LABEL = "mockloop.bench"

# Celery worker entry point with one change: sandbox containers get a label naming this
# run, so that their memory can be told apart from other users' containers on a shared
# Docker engine. Nothing else differs from `celery -A config worker`.
WORKER_LAUNCHER = """
import os, sys
import docker.models.containers as containers
from celery.__main__ import main

_create = containers.ContainerCollection.create

def create(self, image, command=None, **kwargs):
    labels = kwargs.get("labels") or {}
    if "mockloop.sandbox" in labels:
        kwargs["labels"] = {**labels, "BENCH_LABEL": os.environ["BENCH_LOAD_RUN"]}
    return _create(self, image, command, **kwargs)

containers.ContainerCollection.create = create
sys.argv = ["celery", *sys.argv[1:]]
main()
""".replace("BENCH_LABEL", BENCH_LABEL)


# -- figures (pure) -------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile, as bench_sandbox.py computes it; nan when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class LevelResult:
    """What one K measured."""

    candidates: int
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    run_e2e: list[float] = field(default_factory=list)
    submit_e2e: list[float] = field(default_factory=list)
    graded_e2e: list[float] = field(default_factory=list)
    sandbox_jobs: int = 0
    errors: list[str] = field(default_factory=list)
    peak_mb: dict[str, float] = field(default_factory=dict)
    peak_containers: int = 0

    def api(self, kind: str = "all") -> list[float]:
        if kind == "all":
            return [v for k, values in self.latencies.items() if k != "poll" for v in values]
        return self.latencies[kind]

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else float("nan")

    @property
    def jobs_per_second(self) -> float:
        return self.sandbox_jobs / self.seconds if self.seconds else float("nan")


def _ms(seconds: float) -> str:
    return "n/a" if math.isnan(seconds) else f"{seconds * 1000:.0f} ms"


def _s(seconds: float) -> str:
    return "n/a" if math.isnan(seconds) else f"{seconds:.1f} s"


def _ratio(new: float, old: float) -> str:
    if math.isnan(new) or math.isnan(old) or old == 0:
        return "n/a"
    return f"{new / old:.2f}x"


def _mb(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.0f} MB"


def _per_second(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f}/s"


def growth(levels: list[LevelResult]) -> list[tuple[str, Any, float, float]]:
    """(figure, its format, at the first K, at the last K) for the growth table."""
    first, last = levels[0], levels[-1]
    figures: list[tuple[str, Any, Any]] = [
        ("API latency p50", _ms, lambda r: percentile(r.api(), 0.50)),
        ("API latency p95", _ms, lambda r: percentile(r.api(), 0.95)),
        ("API latency p99", _ms, lambda r: percentile(r.api(), 0.99)),
        ("save p95", _ms, lambda r: percentile(r.api("save"), 0.95)),
        ("submit (create) p95", _ms, lambda r: percentile(r.api("submit"), 0.95)),
        ("requests per second", _per_second, lambda r: r.requests_per_second),
        ("sandbox jobs graded per second", _per_second, lambda r: r.jobs_per_second),
        ("submit, create to graded, p50", _s, lambda r: percentile(r.submit_e2e, 0.50)),
        ("submit, create to graded, p95", _s, lambda r: percentile(r.submit_e2e, 0.95)),
        ("finish to session graded, p95", _s, lambda r: percentile(r.graded_e2e, 0.95)),
        ("peak memory", _mb, lambda r: r.peak_mb.get("total", float("nan"))),
    ]
    return [(name, show, fn(first), fn(last)) for name, show, fn in figures]


def render(levels: list[LevelResult], *, setup: dict[str, str]) -> str:
    """The Markdown section for docs/performance.md."""
    lines = [
        SECTION_TITLE,
        "",
        f"Measured {setup['date']} on {setup['machine']} by `{setup['command']}`. {setup['configuration']}",
        "",
        "API latency per request kind (client side, including gunicorn's queue; the long polls of "
        "`GET /api/submissions/{id}/?wait=20` wait on purpose and are left out of *all*):",
        "",
        "| K | kind | requests | p50 | p95 | p99 |",
        "|---|---|---|---|---|---|",
    ]
    for r in levels:
        for kind in ("all", *REPORTED_KINDS):
            values = r.api(kind)
            lines.append(
                f"| {r.candidates} | {kind} | {len(values)} | {_ms(percentile(values, 0.5))} | "
                f"{_ms(percentile(values, 0.95))} | {_ms(percentile(values, 0.99))} |"
            )
    lines += [
        "",
        "Throughput, grading and memory per K (*sandbox jobs* are the runs, submissions and "
        "end-of-interview gradings of code, 3 per candidate; *peak memory* is the largest sum of "
        "RSS sampled every 0.5 s over gunicorn's, the Celery workers' and the sandbox containers' "
        "processes):",
        "",
        "| K | wall time | requests | requests/s | sandbox jobs/s | submit: create to graded p50 / p95 | "
        "run: create to done p50 / p95 | finish to session graded p50 / p95 | errors | peak memory: total (web + workers + sandboxes) | peak containers |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in levels:
        mb = r.peak_mb
        lines.append(
            f"| {r.candidates} | {_s(r.seconds)} | {r.requests} | {r.requests_per_second:.1f} | {r.jobs_per_second:.2f} | "
            f"{_s(percentile(r.submit_e2e, 0.5))} / {_s(percentile(r.submit_e2e, 0.95))} | "
            f"{_s(percentile(r.run_e2e, 0.5))} / {_s(percentile(r.run_e2e, 0.95))} | "
            f"{_s(percentile(r.graded_e2e, 0.5))} / {_s(percentile(r.graded_e2e, 0.95))} | {len(r.errors)} | "
            f"{mb.get('total', 0):.0f} MB ({mb.get('web', 0):.0f} + {mb.get('workers', 0):.0f} + {mb.get('sandboxes', 0):.0f}) | "
            f"{r.peak_containers} |"
        )
    if len(levels) > 1:
        first, last = levels[0].candidates, levels[-1].candidates
        lines += [
            "",
            f"Growth from {first} to {last} candidates ({last / first:.1f} times the candidates), same run:",
            "",
            f"| figure | K={first} | K={last} | ratio |",
            "|---|---|---|---|",
        ]
        for name, show, old, new in growth(levels):
            lines.append(f"| {name} | {show(old)} | {show(new)} | {_ratio(new, old)} |")
    lines += ["", setup["notes"]]
    return "\n".join(lines) + "\n"


# -- the stack ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql)


class Stack:
    """gunicorn and 2 Celery workers on a database and Redis db of their own."""

    def __init__(self, options: argparse.Namespace, workdir: Path) -> None:
        self.options = options
        self.workdir = workdir
        self.run_id = secrets.token_hex(4)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = options.postgres.rstrip("/")
        self.database = options.database
        self.template_database = f"{options.database}_template"
        self.redis_url = f"{options.redis.rstrip('/')}/{options.redis_db}"
        # The throttle counters' cache, in the next db (as settings would put it).
        self.cache_url = f"{options.redis.rstrip('/')}/{options.redis_db + 1}"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.database_created = False

    def env(self, database: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("OPENAI_", "DATABASE_", "CELERY_", "LLM_", "CACHE_", "PROMETHEUS_"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="false",
            SESSION_COOKIE_SECURE="false",
            CSRF_COOKIE_SECURE="false",
            SECURE_HSTS_SECONDS="0",
            SITE_URL=self.url,
            DATABASE_URL=f"{self.server}/{database}",
            CELERY_BROKER_URL=self.redis_url,
            CACHE_URL=self.cache_url,
            # Every sign-up comes from this one address, in the untimed setup; the
            # per-user budgets (run, submit, all requests) stay as configured.
            THROTTLE_ANON_RATE=os.environ.get("THROTTLE_ANON_RATE", "100000/min"),
            MOCKLOOP_VAR_DIR=str(self.workdir / "var"),
            BENCH_LOAD_RUN=self.run_id,
        )
        # Other throttle rates set by the caller (THROTTLE_*) pass through unchanged.
        return env

    # -- database and Redis ----------------------------------------------------------

    def _bank_subset(self) -> Path:
        bank = self.workdir / "bank" / BANK_TRACK
        bank.mkdir(parents=True)
        for slug in BANK_QUESTIONS:
            shutil.copytree(ROOT / "questions" / "bank" / BANK_TRACK / slug, bank / slug)
        return bank

    def database_prepare(self) -> None:
        """Migrates and imports into the template database (quick when it is current:
        import skips unchanged questions), then copies it into a fresh database."""
        import psycopg

        admin = f"{self.server}/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.template_database]).fetchone()
        if not exists:
            _pg(admin, f'CREATE DATABASE "{self.template_database}"')
        env = self.env(self.template_database)
        env["LOG_LEVEL"] = "ERROR"
        python = str(VENV_BIN / "python")
        subprocess.run([python, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([python, "manage.py", "import_questions", str(self._bank_subset())], cwd=ROOT, env=env, check=True)
        _pg(admin, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        _pg(admin, f'CREATE DATABASE "{self.database}" TEMPLATE "{self.template_database}"')
        self.database_created = True

    def redis_flush(self) -> None:
        import redis

        for url in (self.redis_url, self.cache_url):
            redis.Redis.from_url(url).flushdb()

    # -- processes -----------------------------------------------------------------

    def _start(self, name: str, command: list[str]) -> None:
        log = (self.workdir / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=self.env(self.database), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start(self) -> None:
        options = self.options
        # The production settings (config/gunicorn.conf.py), sized by the options.
        gunicorn = [str(VENV_BIN / "gunicorn"), "config.wsgi", "--config", "config/gunicorn.conf.py"]
        gunicorn += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(options.web_workers)]
        gunicorn += ["--threads", str(options.web_threads)]
        if options.web_threads == 1:
            gunicorn += ["--worker-class", "sync"]
        self._start("web", gunicorn)
        for n in range(1, options.celery_workers + 1):
            worker_options = ["--concurrency=1", f"--hostname=benchload{n}-{self.run_id}@%h"]
            self._start(
                f"worker{n}",
                [str(VENV_BIN / "python"), "-c", WORKER_LAUNCHER, "-A", "config", "worker", "--loglevel=INFO", *worker_options],
            )
        self._wait_ready()

    def _wait_ready(self) -> None:
        import requests

        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode}; see {self.workdir / name}.log")
            try:
                web_up = requests.get(f"{self.url}/api/me/", timeout=2).status_code in (401, 403)
            except requests.RequestException:
                web_up = False
            if web_up and self._workers_answer():
                return
            time.sleep(0.5)
        raise RuntimeError(f"the stack did not start within 90 s; see the logs in {self.workdir}")

    def _workers_answer(self) -> bool:
        from celery import Celery

        names = [f"benchload{n}-{self.run_id}@{socket.gethostname()}" for n in range(1, self.options.celery_workers + 1)]
        with Celery(broker=self.redis_url) as app:
            replies = app.control.ping(destination=names, timeout=1.0)
        return {name for reply in replies for name in reply} == set(names)

    def root_pids(self) -> dict[str, list[int]]:
        return {
            "web": [p.pid for n, p in self.processes.items() if n == "web"],
            "workers": [p.pid for n, p in self.processes.items() if n != "web"],
        }

    def stop(self) -> None:
        """Stops what this stack started: a warm shutdown, then a kill; its containers,
        its database and its Redis db go too. Safe to call twice."""
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)  # the group this script created for it
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(5)
        self.processes = {}
        with contextlib.suppress(Exception):
            import docker

            client = docker.from_env()
            for container in client.containers.list(all=True, filters={"label": f"{BENCH_LABEL}={self.run_id}"}):
                container.remove(force=True)
        if self.database_created:
            with contextlib.suppress(Exception):
                _pg(f"{self.server}/postgres", f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            self.database_created = False
        with contextlib.suppress(Exception):
            self.redis_flush()


# -- memory ---------------------------------------------------------------------------


def _container_pids(container_id: str) -> list[int]:
    for path in (
        f"/sys/fs/cgroup/memory/docker/{container_id}/cgroup.procs",  # v1, cgroupfs
        f"/sys/fs/cgroup/memory/system.slice/docker-{container_id}.scope/cgroup.procs",  # v1, systemd
        f"/sys/fs/cgroup/system.slice/docker-{container_id}.scope/cgroup.procs",  # v2, systemd
        f"/sys/fs/cgroup/docker/{container_id}/cgroup.procs",  # v2, cgroupfs
    ):
        with contextlib.suppress(OSError):
            return [int(line) for line in Path(path).read_text().split()]
    return []


class MemorySampler:
    """Samples the RSS of the stack's process trees and of its sandbox containers."""

    def __init__(self, stack: Stack, interval: float = 0.5) -> None:
        self.stack = stack
        self.interval = interval
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.peak: dict[str, float] = {"total": 0.0, "web": 0.0, "workers": 0.0, "sandboxes": 0.0}
            self.peak_containers = 0

    def __enter__(self) -> MemorySampler:
        import docker

        self.docker = docker.from_env()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def sample(self) -> tuple[dict[str, float], int]:
        import psutil

        mb = {}
        for group, pids in self.stack.root_pids().items():
            total = 0
            for pid in pids:
                with contextlib.suppress(psutil.Error):
                    root = psutil.Process(pid)
                    for process in [root, *root.children(recursive=True)]:
                        with contextlib.suppress(psutil.Error):
                            total += process.memory_info().rss
            mb[group] = total / 2**20
        containers = self.docker.containers.list(sparse=True, filters={"label": f"{BENCH_LABEL}={self.stack.run_id}"})
        total = 0
        for container in containers:
            for pid in _container_pids(container.id):
                with contextlib.suppress(psutil.Error):
                    total += psutil.Process(pid).memory_info().rss
        mb["sandboxes"] = total / 2**20
        mb["total"] = mb["web"] + mb["workers"] + mb["sandboxes"]
        return mb, len(containers)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                mb, containers = self.sample()
            except Exception:  # noqa: BLE001, S112 - a missed sample is not a failure of the service
                continue
            with self._lock:
                if mb["total"] > self.peak["total"]:
                    self.peak = mb
                self.peak_containers = max(self.peak_containers, containers)


# -- simulated candidates -------------------------------------------------------------


class FlowError(Exception):
    pass


@dataclass
class Answers:
    """What a well-prepared candidate answers, by question title."""

    by_title: dict[str, dict[str, Any]]

    @classmethod
    def from_bank(cls) -> Answers:
        from questions.bank_format import load_bank

        by_title = {}
        for bundle in load_bank(ROOT / "questions" / "bank" / BANK_TRACK):
            if bundle.slug in BANK_QUESTIONS:
                by_title[bundle.manifest.title] = {"kind": bundle.manifest.kind, **bundle.spec()}
        return cls(by_title)


class Recorder:
    def __init__(self, candidates: int) -> None:
        self.result = LevelResult(candidates)
        self._lock = threading.Lock()

    def latency(self, kind: str, seconds: float) -> None:
        with self._lock:
            self.result.latencies[kind].append(seconds)

    def error(self, message: str) -> None:
        with self._lock:
            self.result.errors.append(message)

    def add(self, what: str, seconds: float) -> None:
        with self._lock:
            getattr(self.result, what).append(seconds)

    def job(self) -> None:
        with self._lock:
            self.result.sandbox_jobs += 1


class Candidate:
    def __init__(self, base_url: str, index: int, token: str, options: argparse.Namespace) -> None:
        import requests

        self.base = base_url
        self.index = index
        self.options = options
        self.http = requests.Session()
        self.http.headers.update({"Authorization": f"Token {token}", "Accept": "application/json"})
        self.rng = random.Random(options.seed * 1000 + index)
        self.recorder: Recorder | None = None

    def think(self) -> None:
        time.sleep(self.rng.uniform(self.options.think_min, self.options.think_max))

    def call(self, kind: str, method: str, path: str, expect: tuple[int, ...] = (200,), **kwargs: Any) -> Any:
        import requests

        assert self.recorder is not None
        started = time.perf_counter()
        try:
            response = self.http.request(method, self.base + path, timeout=self.options.http_timeout, **kwargs)
        except requests.RequestException as exc:
            self.recorder.latency(kind, time.perf_counter() - started)
            raise FlowError(f"{kind} {method} {path}: {exc.__class__.__name__}: {exc}") from None
        self.recorder.latency(kind, time.perf_counter() - started)
        if response.status_code not in expect:
            raise FlowError(f"{kind} {method} {path}: HTTP {response.status_code} {response.text[:200]}")
        return response.json() if response.content else None

    def _until_done(self, submission: dict[str, Any]) -> dict[str, Any]:
        while submission["status"] in ("queued", "running"):
            submission = self.call("poll", "GET", f"/api/submissions/{submission['id']}/?wait=20")
        return submission

    def _save(self, session_id: int, question: dict[str, Any], payload: dict[str, Any]) -> None:
        question["revision"] += 1
        saved = self.call(
            "save",
            "PUT",
            f"/api/sessions/{session_id}/answers/{question['position']}/",
            json={"payload": payload, "revision": question["revision"]},
        )
        if saved["revision"] != question["revision"]:
            raise FlowError(f"save: revision {question['revision']} was answered with {saved['revision']}")

    def _coding(self, session_id: int, question: dict[str, Any], spec: dict[str, Any]) -> None:
        assert self.recorder is not None
        solution = spec["solution"]
        for step in range(1, self.options.saves + 1):  # typing: a longer prefix each time
            self._save(session_id, question, {"source": solution[: len(solution) * step // self.options.saves]})
            self.think()
        for mode in ("run", "submit"):
            self._save(session_id, question, {"source": solution})
            started = time.perf_counter()
            body = {"source": solution}
            submission = self.call(
                mode, "POST", f"/api/sessions/{session_id}/answers/{question['position']}/{mode}/", (202,), json=body
            )
            submission = self._until_done(submission)
            self.recorder.add(f"{mode}_e2e", time.perf_counter() - started)
            self.recorder.job()
            if submission["status"] != "finished" or submission["verdict"] != "accepted":
                raise FlowError(f"{mode}: the reference solution got {submission['status']}/{submission['verdict']}")
            if mode == "submit" and submission["score"] != 100:
                raise FlowError(f"submit: the reference solution scored {submission['score']}")
            self.think()

    def _written(self, session_id: int, question: dict[str, Any], spec: dict[str, Any]) -> None:
        text = spec["strong_answer"]
        for step in range(1, self.options.saves + 1):
            self._save(session_id, question, {"text": text[: len(text) * step // self.options.saves]})
            self.think()

    def interview(self, template_id: int, recorder: Recorder, answers: Answers) -> None:
        self.recorder = recorder
        try:
            self._interview(template_id, answers)
        except FlowError as exc:
            recorder.error(f"candidate {self.index}: {exc}")
        except Exception as exc:  # noqa: BLE001 - any failure is an error of the run, reported
            recorder.error(f"candidate {self.index}: {exc.__class__.__name__}: {exc}")

    def _interview(self, template_id: int, answers: Answers) -> None:
        assert self.recorder is not None
        time.sleep(self.rng.uniform(0, self.options.ramp))  # candidates do not all arrive at once
        session = self.call("start", "POST", f"/api/templates/{template_id}/start/", (201,))
        self.think()
        session = self.call("session", "GET", f"/api/sessions/{session['id']}/")
        questions = [{"position": q["position"], "revision": q["answer"]["revision"], **q} for q in session["questions"]]
        for question in questions:
            spec = answers.by_title[question["title"]]
            kind = spec["kind"]
            if kind == "coding":
                self._coding(session["id"], question, spec)
            elif kind == "multiple_choice":
                self._save(session["id"], question, {"selected": spec["correct"]})
            elif kind == "numeric":
                self._save(session["id"], question, {"value": spec["answer"]})
            else:
                self._written(session["id"], question, spec)
            self.think()
        started = time.perf_counter()
        self.call("finish", "POST", f"/api/sessions/{session['id']}/finish/")
        deadline = time.monotonic() + self.options.grading_timeout
        while True:
            results = self.call("results", "GET", f"/api/sessions/{session['id']}/results/")
            if results["score"] is not None:
                break
            if time.monotonic() > deadline:
                raise FlowError(f"results: not graded after {self.options.grading_timeout:.0f} s")
            time.sleep(self.options.results_interval)
        self.recorder.add("graded_e2e", time.perf_counter() - started)
        self.recorder.job()  # the end-of-interview grading of the code
        for item in results["questions"]:
            if item["kind"] != "free_text" and item["score"] != 100:
                raise FlowError(f"results: {item['kind']} question {item['position']} scored {item['score']}")


def accounts_create(base_url: str, count: int, options: argparse.Namespace) -> list[Candidate]:
    """Sign-ups, untimed: a password hash each, which is slow on purpose."""
    import requests

    def sign_up(index: int) -> Candidate:
        response = requests.post(
            f"{base_url}/api/auth/signup/",
            json={"email": f"candidate{index}@bench.test", "password": PASSWORD, "name": f"Candidate {index}"},
            timeout=options.http_timeout,
        )
        response.raise_for_status()
        return Candidate(base_url, index, response.json()["token"], options)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(sign_up, range(count)))


def level_run(candidates: list[Candidate], template_id: int, answers: Answers, sampler: MemorySampler | None) -> LevelResult:
    recorder = Recorder(len(candidates))
    if sampler:
        sampler.reset()
    threads = [threading.Thread(target=c.interview, args=(template_id, recorder, answers)) for c in candidates]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = recorder.result
    result.seconds = time.perf_counter() - started
    if sampler:
        with sampler._lock:
            result.peak_mb = dict(sampler.peak)
            result.peak_containers = sampler.peak_containers
    return result


def _template_id(candidate: Candidate) -> int:
    candidate.recorder = Recorder(0)
    templates = candidate.call("start", "GET", "/api/templates/")
    return next(t["id"] for t in templates if t["slug"] == TEMPLATE_SLUG)


def machine() -> str:
    import psutil

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    return f"{os.cpu_count()} cores ({model}), {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, Python {platform.python_version()}"


# -- main -----------------------------------------------------------------------------


def _levels(text: str) -> list[int]:
    levels = [int(part) for part in text.split(",") if part.strip()]
    if not levels or min(levels) < 1:
        raise argparse.ArgumentTypeError("a comma-separated list of positive numbers, e.g. 10,25,50")
    return levels


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--candidates", type=_levels, default=[10, 25, 50], help="the values of K, in order (default 10,25,50)")
    parser.add_argument("--quick", action="store_true", help="K=2,4, one save per answer: checks the flow in about a minute")
    parser.add_argument("--saves", type=int, default=3, help="autosaves of the code and of the written answer")
    parser.add_argument("--think-min", type=float, default=0.2, help="think time between steps, seconds (random, seeded)")
    parser.add_argument("--think-max", type=float, default=1.0)
    parser.add_argument("--ramp", type=float, default=2.0, help="candidates start at random within this many seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--results-interval", type=float, default=2.0, help="seconds between reloads of the results")
    parser.add_argument("--grading-timeout", type=float, default=300.0)
    parser.add_argument("--http-timeout", type=float, default=60.0)
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--web-threads", type=int, default=8, help="gunicorn threads per worker (1: sync workers)")
    parser.add_argument("--celery-workers", type=int, default=2, help="Celery workers, concurrency 1 each")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="bench_load")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument(
        "--redis-db",
        type=int,
        default=7,
        help="the Redis db this run owns, and the next one for the cache (flushed before and after)",
    )
    parser.add_argument("--write", type=Path, help="write the results into this Markdown file")
    options = parser.parse_args(argv)
    if options.quick:
        options.candidates, options.saves = [2, 4], 1
    return options


def _command(argv: list[str]) -> str:
    return " ".join([".venv/bin/python bench/bench_load.py", *argv])


def _print_level(r: LevelResult) -> None:
    api = r.api()
    print(
        f"K={r.candidates:<3} {r.seconds:6.1f}s  {r.requests} requests ({r.requests_per_second:.1f}/s)  "
        f"API p50 {_ms(percentile(api, 0.5))} p95 {_ms(percentile(api, 0.95))} p99 {_ms(percentile(api, 0.99))}  "
        f"sandbox jobs {r.jobs_per_second:.2f}/s  submit e2e p50 {_s(percentile(r.submit_e2e, 0.5))} "
        f"p95 {_s(percentile(r.submit_e2e, 0.95))}  peak {r.peak_mb.get('total', 0):.0f} MB  errors {len(r.errors)}",
        flush=True,
    )
    for error in r.errors[:10]:
        print("   ", error)


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    options = parse_args(argv)
    # Ctrl-C and a plain `kill` both unwind through the finally below.
    signal.signal(signal.SIGTERM, _interrupted)
    signal.signal(signal.SIGINT, _interrupted)  # even when started in the background, where it is ignored
    answers = Answers.from_bank()
    workdir = Path(tempfile.mkdtemp(prefix="bench_load."))
    stack = Stack(options, workdir)
    levels: list[LevelResult] = []
    try:
        print(f"preparing database {options.database} (logs in {workdir})", flush=True)
        stack.redis_flush()
        stack.database_prepare()
        stack.start()
        print(f"gunicorn ({options.web_workers} workers) at {stack.url}, {options.celery_workers} Celery workers", flush=True)
        candidates = accounts_create(stack.url, max(options.candidates), options)
        template_id = _template_id(candidates[0])
        warm_up = level_run(candidates[:2], template_id, answers, None)  # first containers, imports, connections
        if warm_up.errors:
            _print_level(warm_up)
            print("the warm-up failed; see the logs in", workdir, file=sys.stderr)
            return 1
        with MemorySampler(stack) as sampler:
            for k in options.candidates:
                time.sleep(3)  # the previous level's warm containers settle
                levels.append(level_run(candidates[:k], template_id, answers, sampler))
                _print_level(levels[-1])
    except KeyboardInterrupt:
        print("interrupted: stopping the stack", file=sys.stderr)
        return 130
    finally:
        stack.stop()
    errors = sum(len(r.errors) for r in levels)
    report = render(levels, setup=_setup(options, argv))
    print()
    print(report)
    if errors:
        print(f"{errors} error(s): nothing written", file=sys.stderr)
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    if options.write:
        write_section(options.write, report)
        print(f"written to {options.write}")
    return 0


def _setup(options: argparse.Namespace, argv: list[str]) -> dict[str, str]:
    web = f"gunicorn with {options.web_workers} " + (
        f"gthread workers of {options.web_threads} threads" if options.web_threads > 1 else "sync workers"
    )
    return {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "command": _command(argv),
        "configuration": (
            f"The stack: {web} (DEBUG off), {options.celery_workers} Celery workers of concurrency 1 running "
            "the Docker sandbox (warm containers on), PostgreSQL and Redis on the same machine; no LLM (written "
            "answers get the local rubric grader). Each candidate, a thread of this script with its own account "
            "(created before the clock starts), takes the *ML fundamentals* practice template (1 coding question, "
            "3 multiple choice, 2 numeric, 1 written) and does what the interview page does: start, load the "
            f"session, {options.saves} autosave(s) of the code with increasing revisions, save + run, save + submit "
            "(each long-polled until done), an answer to each other question "
            f"({options.saves} autosave(s) of the written one), finish, then reload the results every "
            f"{options.results_interval:g} s until the session is graded. Think time between steps: "
            f"{options.think_min:g}-{options.think_max:g} s at random (seed {options.seed}); candidates start "
            f"within {options.ramp:g} s of each other. A warm-up of 2 candidates runs first and is not counted. "
            "Throttling: the per-user budgets (all requests, run, submit) are the configured ones, which these "
            "candidates stay under; the anonymous budget is raised (`THROTTLE_ANON_RATE=100000/min`) because every "
            "sign-up of the setup comes from this one address."
        ),
        "notes": (
            "**The ceiling is the sandbox.** 2 Celery workers run one sandbox each, on 2 cores shared with "
            "gunicorn, PostgreSQL, Redis, the Docker engine and this script's own threads, so sandbox jobs per "
            "second stop growing once the workers are always busy (compare the Docker rows of the sandbox section "
            "above, measured without the web stack). Past that point more candidates only wait longer in the queue: "
            "*submit: create to graded* and *finish to session graded* grow with K, and at the largest K the 2 cores "
            "are saturated, which is what stretches the tail of the other requests (p99). More grading throughput "
            "needs more sandbox workers on more cores (`docker-compose up --scale worker=N`). "
            "**Threaded web workers.** The first run of this benchmark used sync gunicorn workers and measured save "
            "p95 of 556 ms at 10 candidates and 10.3 s at 50: each waiting candidate's long poll (`?wait=20`, as "
            "the interview page sends it) held a whole worker while the sandbox queue drained, and saves queued "
            "behind the polls. `config/gunicorn.conf.py` now runs gthread workers (8 threads each) everywhere "
            "(`make up`, the Docker image, this benchmark; `--web-threads 1` measures sync workers again). "
            "The figures are from one run on a machine where other work ran too; the ratios, measured in one run, "
            "are the figures to compare."
        ),
    }


if __name__ == "__main__":
    sys.exit(main())
