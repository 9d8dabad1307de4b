"""Real processes for fault injection: Celery workers, a private redis-server, a Docker
socket proxy, a gunicorn web server. Each is killed by its fixture, even when a test fails.

Nothing here touches the machine's shared services: the private Redis is our own
process, the Docker proxy only fronts the engine for the processes we point at it, and
only our own Redis database's queue keys are cleared.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
# Kombu's keys for our queue and its in-flight messages, in the broker database of this suite.
QUEUE_KEYS = ("mockloop", "unacked", "unacked_index", "unacked_mutex")


def wait_for(
    what: str, check: Callable[[], Any], *, seconds: float = 30.0, interval: float = 0.1, log: Path | None = None
) -> Any:
    """Polls ``check`` until it returns something truthy; fails naming ``what`` (and the log's tail)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"gave up after {seconds:.0f} s waiting for {what}\n{tail}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def subprocess_database_url() -> str:
    """The URL of the database pytest-django created (test_<name>), for subprocesses."""
    conf = connection.settings_dict
    password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
    return f"postgres://{conf['USER']}{password}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{conf['NAME']}"


def children_of(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (a prefork worker's pool processes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces: the parent pid is the 2nd field after its ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def docker_client() -> Any:
    import docker

    return docker.from_env(timeout=30)


def remove_containers_of(pids: list[int]) -> None:
    """Force-removes sandbox containers our worker processes started, and only those."""
    import docker.errors

    from sandbox.docker_backend import LABEL, OWNER_LABEL, container_owner

    try:
        client = docker_client()
        for pid in pids:
            for container in client.containers.list(
                all=True, filters={"label": [LABEL, f"{OWNER_LABEL}={container_owner(pid)}"]}
            ):
                try:
                    container.remove(force=True)
                except docker.errors.NotFound:
                    pass
    except docker.errors.DockerException:
        pass  # no engine, so no containers


class Process:
    """A subprocess in its own process group, with its output in a log file."""

    def __init__(self, args: list[str], *, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._log_file = log.open("ab")
        self.popen = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.pid = self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL, *, wait: float = 15.0) -> None:
        """Signals the whole process group (a prefork master and its pool), then waits."""
        if self.alive():
            try:
                os.killpg(self.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.popen.wait(timeout=wait)
        # The master may exit before its pool: nothing of the group may outlive this call
        # (a pool process still refilling warm sandboxes would start containers after the sweep).
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        wait_for("the process group to be gone", lambda: not _group_alive(self.pid), seconds=wait)
        self._log_file.close()


def _group_alive(pgid: int) -> bool:
    """Whether any process of the group still runs (zombies waiting to be reaped do not)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                state, _ppid, group = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:3]
            except (OSError, ValueError):
                continue
            if int(group) == pgid and state != "Z":
                return True
    return False


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    """Every process a test starts goes in here; all are killed at the end, whatever happened."""
    started: list[Process] = []
    yield started
    for process in reversed(started):
        process.kill(signal.SIGTERM)


@pytest.fixture
def broker_url() -> Iterator[str]:
    """This suite's broker database, with any queue left by an earlier run cleared (ours only)."""
    import redis

    url = settings.CELERY_BROKER_URL
    with redis.Redis.from_url(url) as client:
        client.delete(*QUEUE_KEYS)
    yield url


@pytest.fixture
def start_worker(transactional_db, processes, broker_url, tmp_path) -> Iterator[Callable[..., Process]]:
    """start_worker(name, **env): a real `celery worker` process (prefork, one child) on
    the test database. Its sandbox containers are removed at the end."""
    workers: list[Process] = []
    pids: list[int] = []

    def start(name: str, *, broker: str | None = None, **extra_env: str) -> Process:
        env = {
            **os.environ,
            "DATABASE_URL": subprocess_database_url(),
            "CELERY_BROKER_URL": broker or broker_url,
            "CELERY_RESULT_BACKEND": broker_url,
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "plain",
            **extra_env,
        }
        args = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "-c", "1"]
        args += ["-n", f"{name}@%h", "--without-mingle", "--without-gossip", "--loglevel=INFO"]
        worker = Process(args, env=env, log=tmp_path / f"worker-{name}.log")
        processes.append(worker)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        if worker.alive():
            pids.extend([worker.pid, *children_of(worker.pid)])
        worker.kill(signal.SIGTERM)
    remove_containers_of(pids)


@pytest.fixture
def private_redis(processes, tmp_path) -> Callable[[], PrivateRedis]:
    """private_redis(): a redis-server of this test's own, persisting to an append-only file."""

    def start() -> PrivateRedis:
        return PrivateRedis(tmp_path / "redis", processes)

    return start


class PrivateRedis:
    """Our own redis-server on a random port, configured like the compose file's
    (``--appendonly yes``), so it can be stopped and started again with its data."""

    def __init__(self, directory: Path, processes: list[Process]) -> None:
        self.directory = directory
        self.directory.mkdir(exist_ok=True)
        self.port = free_port()
        self.processes = processes
        self.process: Process | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> Any:
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def ping(self) -> bool:
        import redis

        try:
            with self.client() as client:
                return bool(client.ping())
        except redis.ConnectionError:
            return False

    def start(self) -> None:
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--appendonly", "yes"]
        args += ["--dir", str(self.directory), "--save", "", "--protected-mode", "no"]
        self.process = Process(args, env=dict(os.environ), log=self.directory / "redis.log")
        self.processes.append(self.process)
        wait_for("the private redis-server to answer", self.ping, seconds=15, log=self.process.log)

    def stop(self) -> None:
        """SIGTERM: Redis writes its append-only file out and exits, as on a restart."""
        assert self.process is not None
        self.process.kill(signal.SIGTERM)
        assert not self.ping()


class DockerSocketProxy:
    """A unix socket forwarding byte for byte to the real Docker engine's socket.

    Pointing a process's DOCKER_HOST at it lets a test stop "the engine" for that
    process alone: stop() closes the socket and every open connection (what a client
    sees when dockerd stops), start() opens it again at the same path.
    """

    def __init__(self, upstream: str = "/var/run/docker.sock") -> None:
        # Short path: unix socket paths are limited to about 100 bytes.
        self.path = Path(tempfile.mkdtemp(prefix="mlf-docker-")) / "docker.sock"
        self.upstream = upstream
        self._listener: socket.socket | None = None
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def docker_host(self) -> str:
        return f"unix://{self.path}"

    def start(self) -> DockerSocketProxy:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(self.path))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        self.path.unlink(missing_ok=True)
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(self.upstream)
            with self._lock:
                self._connections += [client, upstream]
            done = threading.Semaphore(0)
            threading.Thread(target=self._pump, args=(client, upstream, done), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, done), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, done: threading.Semaphore) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
            target.shutdown(socket.SHUT_WR)  # pass a half-close on: the sandbox's stdin ends so
        except OSError:
            pass
        if done.acquire(blocking=False):  # the other direction finished first: close both
            with self._lock:
                self._connections = [c for c in self._connections if c not in (source, target)]
            source.close()
            target.close()
        else:
            done.release()


@pytest.fixture
def docker_engine() -> Any:
    """A client of the machine's Docker engine, or a skip saying there is none."""
    from sandbox.images import image_exists, image_tag

    try:
        client = docker_client()
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means no engine to test against
        pytest.skip(f"no usable Docker engine on this machine ({exc.__class__.__name__}); these faults need one")
    if not image_exists(client, image_tag()):
        pytest.skip("the sandbox image is not built (python manage.py build_sandbox_image)")
    return client


@pytest.fixture
def docker_proxy(docker_engine) -> Iterator[DockerSocketProxy]:
    proxy = DockerSocketProxy()
    yield proxy
    proxy.stop()
    proxy.path.parent.rmdir()


@pytest.fixture
def start_web(transactional_db, processes, tmp_path) -> Callable[..., str]:
    """start_web(**env): a real gunicorn (one sync worker) on the test database; returns its base URL."""

    def start(**extra_env: str) -> str:
        import requests

        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": subprocess_database_url(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "test-only-secret-key-not-for-production",
            "LOG_FORMAT": "plain",
            **extra_env,
        }
        args = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1"]
        web = Process([*args, "--timeout", "30"], env=env, log=tmp_path / "web.log")
        processes.append(web)
        base = f"http://127.0.0.1:{port}"

        def answers() -> bool:
            try:
                return requests.get(f"{base}/api/templates/", timeout=10).status_code in (200, 401, 403)
            except requests.RequestException:
                return False

        wait_for("gunicorn to answer", answers, seconds=30, interval=0.2, log=web.log)
        return base

    return start


RIGHT = "from collections import Counter\n\ndef count_pairs(nums, target):\n    seen = Counter()\n    total = 0\n    for v in nums:\n        total += seen[target - v]\n        seen[v] += 1\n    return total\n"


def interview_template(slug: str) -> Any:
    """A one-question practice interview on the test bank's question ``slug``."""
    from interview.models import InterviewTemplate, TemplateSection
    from questions.models import Question

    template = InterviewTemplate.objects.create(slug=f"faults-{slug}", title=f"Faults: {slug}", total_minutes=30)
    TemplateSection.objects.create(template=template, position=1, title="Only").questions.add(Question.objects.get(slug=slug))
    return template
