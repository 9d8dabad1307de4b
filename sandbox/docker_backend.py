"""Runs jobs in Docker containers, one fresh container per submission.

Every container gets: no network, a read-only root filesystem, a size-capped tmpfs
as its only writable place, an unprivileged user, no new privileges, no
capabilities, a pids limit, a memory limit with no swap, one CPU, and a wall-clock
deadline enforced from outside. It is always removed after its one job.

To keep latency low, a backend keeps a few *warm* containers per memory limit:
created and started ahead of time, their harness waiting for a job on stdin. A warm
container serves exactly one submission and is then removed, like any other.

The harness is the container's pid 1 (no docker-init): non-dumpable, and immune to
the signals candidate code could send it from inside.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import docker
import docker.errors
import requests.exceptions
from docker.types import Ulimit

from sandbox.backends import HarnessJob, parse_report
from sandbox.harness import MAX_REPORT_BYTES
from sandbox.images import SANDBOX_USER
from sandbox.jobs import SandboxFault

log = logging.getLogger(__name__)

LABEL = "mockloop.sandbox"
DEADLINE_LABEL = "mockloop.deadline"
# Which process started the container ("host:pid"): to tell a dead worker's leftovers apart.
OWNER_LABEL = "mockloop.owner"
# What a warm container may wait before it is thrown away unused.
WARM_MAX_AGE_SECONDS = 120.0
# The harness and Python itself, on top of what the candidate's code may use.
MEMORY_OVERHEAD_MB = 64


@dataclass
class _Warm:
    container: Any
    memory_mb: int
    started: float


class DockerBackend:
    name = "docker"

    def __init__(
        self,
        image: str,
        *,
        client: Any = None,
        cpus: float = 1.0,
        pids_limit: int = 64,
        tmpfs_mb: int = 64,
        warm: int = 2,
        owner: str | None = None,
    ) -> None:
        self.image = image
        self.owner = owner or container_owner()
        self.client = client or docker.from_env(timeout=30)
        self.cpus = cpus
        self.pids_limit = pids_limit
        self.tmpfs_mb = tmpfs_mb
        self.warm = warm
        self._spares: dict[int, list[_Warm]] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._background: set[threading.Thread] = set()
        # A process that exits takes its warm containers with it; one that is killed
        # leaves them to containers_sweep (their deadline label says when).
        atexit.register(self.close)

    # -- containers -------------------------------------------------------------

    def _create(self, memory_mb: int, max_seconds: float) -> Any:
        limit = f"{memory_mb + MEMORY_OVERHEAD_MB}m"
        return self.client.containers.create(
            self.image,
            command=["python3", "-I", "/opt/mockloop/harness.py", "numpy"],
            stdin_open=True,
            network_disabled=True,
            network_mode="none",
            read_only=True,
            tmpfs={"/work": f"size={self.tmpfs_mb}m,mode=1777", "/tmp": "size=8m,mode=1777"},
            working_dir="/work",
            user=SANDBOX_USER,
            environment={"LANG": "C.UTF-8", "PATH": "/usr/bin:/bin", "HOME": "/work"},
            security_opt=["no-new-privileges"],
            cap_drop=["ALL"],
            pids_limit=self.pids_limit,
            mem_limit=limit,
            memswap_limit=limit,
            nano_cpus=int(self.cpus * 1e9),
            ipc_mode="private",
            ulimits=[Ulimit(name="core", soft=0, hard=0), Ulimit(name="nofile", soft=256, hard=256)],
            # The report is read back from the log: room for the harness's whole report
            # (MAX_REPORT_BYTES) even after json-file escapes every quote of it again.
            log_config={"type": "json-file", "config": {"max-size": f"{3 * MAX_REPORT_BYTES // (1024 * 1024) + 16}m"}},
            labels={LABEL: "1", DEADLINE_LABEL: str(int(time.time() + max_seconds)), OWNER_LABEL: self.owner},
            # The harness itself is pid 1: see the module's docstring.
            init=False,
            detach=True,
        )

    def _start_new(self, memory_mb: int, max_seconds: float) -> Any:
        container = self._create(memory_mb, max_seconds)
        try:
            container.start()
        except Exception:
            self._remove(container)
            raise
        return container

    def _remove(self, container: Any) -> None:
        try:
            container.remove(force=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:  # the sweeper will get it
            log.warning("could not remove sandbox container %s: %s", container.id[:12], exc)

    def _take_spare(self, memory_mb: int) -> Any | None:
        now = time.monotonic()
        while True:
            with self._lock:
                spares = self._spares.get(memory_mb) or []
                spare = spares.pop(0) if spares else None
            if spare is None:
                return None
            if now - spare.started <= WARM_MAX_AGE_SECONDS:
                return spare.container
            self._remove(spare.container)

    def _refill(self, memory_mb: int) -> None:
        with self._lock:
            missing = self.warm - len(self._spares.get(memory_mb, []))
        for _ in range(max(missing, 0)):
            if self._closed:
                return
            try:
                container = self._start_new(memory_mb, WARM_MAX_AGE_SECONDS + 60)
            except Exception as exc:  # noqa: BLE001 - a missing spare only costs latency
                log.warning("could not start a warm sandbox: %s", exc)
                return
            with self._lock:
                spares = self._spares.setdefault(memory_mb, [])
                # Closed meanwhile, or another thread refilled: this one is not wanted.
                surplus = self._closed or len(spares) >= self.warm
                if not surplus:
                    spares.append(_Warm(container, memory_mb, time.monotonic()))
            if surplus:
                self._remove(container)
                return

    def _after_run(self, container: Any, memory_mb: int) -> None:
        try:
            self._remove(container)
            if self.warm and not self._closed:
                self._refill(memory_mb)
        finally:
            with self._lock:
                self._background.discard(threading.current_thread())

    def _in_background(self, container: Any, memory_mb: int) -> None:
        thread = threading.Thread(target=self._after_run, args=(container, memory_mb), daemon=True)
        with self._lock:
            self._background.add(thread)
        thread.start()

    def close(self, timeout: float = 60.0) -> None:
        """Stops warming, waits for the background work, and removes every container this backend holds."""
        with self._lock:
            self._closed = True
            threads = list(self._background)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            spares = [spare for group in self._spares.values() for spare in group]
            self._spares = {}
        for spare in spares:
            self._remove(spare.container)

    # -- running ------------------------------------------------------------------

    def watchdog_seconds(self, job: HarnessJob) -> float:
        """The outer deadline: the harness keeps its own, this catches a harness that does not."""
        return job.total_wall_seconds + 5

    def run_raw(self, job: HarnessJob) -> dict[str, Any]:
        if self._closed:
            raise SandboxFault("this Docker backend is closed")
        memory_mb = job.limits.memory_mb
        deadline = self.watchdog_seconds(job)
        try:
            container = self._take_spare(memory_mb) or self._start_new(memory_mb, deadline + 60)
        except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
            raise SandboxFault(f"the Docker engine could not start a sandbox: {exc}") from exc
        try:
            return self._run_in(container, job, deadline)
        finally:
            # Removing and warming the next one happen off the request's path.
            self._in_background(container, memory_mb)

    def _run_in(self, container: Any, job: HarnessJob, deadline: float) -> dict[str, Any]:
        try:
            sock = self.client.api.attach_socket(container.id, params={"stdin": 1, "stream": 1})
        except (docker.errors.DockerException, requests.exceptions.RequestException, OSError) as exc:
            raise SandboxFault(f"could not hand the job to the sandbox: {exc}") from exc
        # The job goes in from a thread: the harness reads the hidden tests only after the
        # visible ones ran, and should it die meanwhile (the code filled its memory), a
        # blocked write must not hold the run past the container's end.
        sender = threading.Thread(target=_send_job, args=(sock, job.harness_input(isolated=True)), daemon=True)
        sender.start()
        stopped = None
        try:
            status = container.wait(timeout=deadline)
        except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
            try:
                container.reload()
                running = container.attrs["State"].get("Running", False)
            except (docker.errors.DockerException, requests.exceptions.RequestException):
                raise SandboxFault(f"lost the Docker engine while waiting: {exc}") from exc
            if not running:
                raise SandboxFault(f"lost the Docker engine while waiting: {exc}") from exc
            # Still running past the outer watchdog: the submission as a whole ran past its time.
            container.kill()
            status = {"StatusCode": 137}
            stopped = "watchdog"
        sender.join(timeout=1)
        _close_quietly(sock)
        try:
            container.reload()
            if stopped is None and container.attrs["State"].get("OOMKilled") and status.get("StatusCode") != 0:
                # The harness itself was killed for memory: the candidate's code filled the container.
                stopped = "memory"
            output = container.logs(stdout=True, stderr=False)
        except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
            raise SandboxFault(f"lost the Docker engine while reading the report: {exc}") from exc
        if status.get("StatusCode") != 0 and not output:
            log.warning(
                "sandbox container %s exited with %s before its harness started", container.id[:12], status.get("StatusCode")
            )
        return parse_report(output, stopped=stopped)


def _send_job(sock: Any, data: bytes) -> None:
    raw_sock = getattr(sock, "_sock", sock)
    try:
        raw_sock.sendall(data)
        raw_sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # the container ended first: its report (or its absence) says what happened


def _close_quietly(sock: Any) -> None:
    try:
        sock.close()
    except OSError:
        pass


def container_owner(pid: int | None = None) -> str:
    """The owner label of the containers this process (or ``pid`` on this host) starts."""
    return f"{socket.gethostname()}:{pid or os.getpid()}"


def containers_sweep(client: Any, *, now: float | None = None, owner: str | None = None) -> int:
    """Removes sandbox containers past their deadline: left behind by a killed worker.

    ``owner`` limits the sweep to one process's containers (see container_owner).
    """
    now = now or time.time()
    removed = 0
    labels = [LABEL, f"{OWNER_LABEL}={owner}"] if owner else [LABEL]
    for container in client.containers.list(all=True, filters={"label": labels}):
        try:
            deadline = float(container.labels.get(DEADLINE_LABEL, "0"))
        except ValueError:
            deadline = 0
        if deadline < now:
            try:
                container.remove(force=True)
                removed += 1
            except docker.errors.NotFound:
                pass
    return removed
