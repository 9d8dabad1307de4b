"""Runs jobs under bubblewrap, for hosts without a Docker engine.

The same harness and the same limits as the Docker backend, through Linux
namespaces directly: no network (own, empty network namespace), own pid, ipc, uts,
mount, user and cgroup namespaces, an unprivileged uid, no capabilities, a
read-only root (the sandbox root filesystem when it was built, else the host's
/usr), size-capped tmpfs for /work, /tmp and /dev/shm, and a fresh sandbox per
submission. Memory, process count and CPU are capped by a cgroup of its own where
the host lets us make one (cgroup v1 or v2, as root); otherwise by rlimits.

bubblewrap is never run as root: a user namespace made by root maps the sandbox's
uid to host root, and /proc/sys is then writable from inside. A root worker joins
the cgroup, then drops to an unprivileged host uid (``host_uid``, 65534 "nobody" by
default) with ``setpriv`` before bubblewrap starts; a non-root worker runs it as
itself. The harness is pid 1 of the sandbox (``--as-pid-1``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sandbox.backends import HARNESS_PATH, HarnessJob, parse_report
from sandbox.jobs import SandboxFault

log = logging.getLogger(__name__)

CGROUP_ROOT = Path("/sys/fs/cgroup")
CGROUP_PARENT = "mockloop-sandbox"
MEMORY_OVERHEAD_MB = 64
# Without a memory cgroup the harness caps each test's address space instead;
# NumPy's thread pools reserve far more address space than they touch.
ADDRESS_SPACE_OVERHEAD_MB = 1024
HARNESS_BYTES = HARNESS_PATH.read_bytes()


class Cgroup:
    """A cgroup for one run: memory (no swap), pids and CPU limits."""

    def __init__(self, name: str, *, memory_mb: int, pids: int, cpus: float) -> None:
        self.name = name
        self.paths: list[Path] = []
        self.memory_dir: Path | None = None
        if (CGROUP_ROOT / "cgroup.controllers").exists():
            self._make_v2(memory_mb, pids, cpus)
        else:
            self._make_v1(memory_mb, pids, cpus)

    def _make_v1(self, memory_mb: int, pids: int, cpus: float) -> None:
        limit = str((memory_mb + MEMORY_OVERHEAD_MB) * 1024 * 1024)
        settings = {
            "memory": [("memory.limit_in_bytes", limit), ("memory.memsw.limit_in_bytes", limit)],
            "pids": [("pids.max", str(pids))],
            "cpu": [("cpu.cfs_period_us", "100000"), ("cpu.cfs_quota_us", str(int(cpus * 100000)))],
        }
        for controller, values in settings.items():
            path = CGROUP_ROOT / controller / CGROUP_PARENT / self.name
            path.mkdir(parents=True)
            self.paths.append(path)
            for filename, value in values:
                if (path / filename).exists():
                    (path / filename).write_text(value)
        self.memory_dir = CGROUP_ROOT / "memory" / CGROUP_PARENT / self.name

    def _make_v2(self, memory_mb: int, pids: int, cpus: float) -> None:
        parent = CGROUP_ROOT / CGROUP_PARENT
        parent.mkdir(exist_ok=True)
        (parent / "cgroup.subtree_control").write_text("+memory +pids +cpu")
        path = parent / self.name
        path.mkdir()
        self.paths.append(path)
        (path / "memory.max").write_text(str((memory_mb + MEMORY_OVERHEAD_MB) * 1024 * 1024))
        (path / "memory.swap.max").write_text("0")
        (path / "pids.max").write_text(str(pids))
        (path / "cpu.max").write_text(f"{int(cpus * 100000)} 100000")
        self.memory_dir = path

    def wrap(self, command: list[str]) -> list[str]:
        """``command``, started inside this cgroup.

        A tiny shell moves itself in and execs the command. (A ``preexec_fn`` would
        do it too, but forces a full fork of the worker instead of vfork: slower.)
        """
        joins = "; ".join(f'echo $$ > "{path / "cgroup.procs"}"' for path in self.paths)
        return ["/bin/sh", "-c", f'{joins}; exec "$@"', "sh", *command]

    def oom_kills(self) -> int:
        if self.memory_dir is None:
            return 0
        for filename in ("memory.events", "memory.oom_control"):
            with contextlib.suppress(OSError):
                for line in (self.memory_dir / filename).read_text().splitlines():
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
        return 0

    def destroy(self) -> None:
        for path in self.paths:
            for _ in range(50):
                with contextlib.suppress(OSError, ValueError):
                    for pid in (path / "cgroup.procs").read_text().split():
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(int(pid), signal.SIGKILL)
                try:
                    path.rmdir()
                    break
                except OSError:
                    time.sleep(0.01)
            else:
                log.warning("could not remove cgroup %s", path)


def cgroups_sweep() -> int:
    """Removes empty sandbox cgroups a killed worker left (rmdir fails on busy ones)."""
    removed = 0
    for parent in [CGROUP_ROOT / CGROUP_PARENT, *(CGROUP_ROOT / c / CGROUP_PARENT for c in ("memory", "pids", "cpu"))]:
        if not parent.is_dir():
            continue
        for child in parent.iterdir():
            if child.is_dir():
                with contextlib.suppress(OSError):
                    child.rmdir()
                    removed += 1
    return removed


def cgroups_available() -> bool:
    """Whether this process may create cgroups (root on a writable cgroupfs)."""
    if os.geteuid() != 0:
        return False
    probe = f"probe-{uuid.uuid4().hex[:8]}"
    try:
        Cgroup(probe, memory_mb=64, pids=8, cpus=1).destroy()
    except OSError:
        return False
    return True


class BubblewrapBackend:
    name = "bubblewrap"

    def __init__(
        self,
        *,
        rootfs: Path | None = None,
        use_cgroups: bool | None = None,
        cpus: float = 1.0,
        pids_limit: int = 64,
        tmpfs_mb: int = 64,
        host_uid: int = 65534,
    ) -> None:
        if shutil.which("bwrap") is None:
            raise SandboxFault("bubblewrap is not installed (apt-get install bubblewrap)")
        if os.geteuid() == 0 and shutil.which("setpriv") is None:
            raise SandboxFault("setpriv (util-linux) is needed to run bubblewrap unprivileged as root")
        if os.geteuid() == 0 and host_uid == 0:
            raise SandboxFault("the sandbox's host uid must not be 0")
        self.host_uid = host_uid
        self.rootfs = rootfs if rootfs and rootfs.is_dir() else None
        self.use_cgroups = cgroups_available() if use_cgroups is None else use_cgroups
        if self.use_cgroups:
            cgroups_sweep()
        self.cpus = cpus
        self.pids_limit = pids_limit
        self.tmpfs_mb = tmpfs_mb

    def _root_arguments(self) -> list[str]:
        if self.rootfs is not None:
            return ["--ro-bind", str(self.rootfs), "/"]
        # No sandbox root filesystem: the host's system Python, read-only, and
        # nothing else of the host (no /home, /root, /etc beyond what Python needs).
        args = ["--ro-bind", "/usr", "/usr"]
        for name in ("bin", "lib", "lib64", "sbin"):
            target = Path("/") / name
            if target.is_symlink():
                args += ["--symlink", os.readlink(target), f"/{name}"]
            elif target.is_dir():
                args += ["--ro-bind", str(target), f"/{name}"]
        for name in ("/etc/alternatives", "/etc/ld.so.cache", "/etc/localtime"):
            if Path(name).exists():
                args += ["--ro-bind", name, name]
        return args

    def command(self, cgroup: Cgroup | None, harness_fd: int) -> list[str]:
        tmpfs = str(self.tmpfs_mb * 1024 * 1024)
        drop: list[str] = []
        if os.geteuid() == 0:
            # Root's user namespace would map the sandbox's uid to host root.
            uid = str(self.host_uid)
            drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all", "--"]
        args = [
            *drop,
            "bwrap",
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            "--die-with-parent",
            "--new-session",
            "--as-pid-1",
            "--uid", "65534",
            "--gid", "65534",
            "--cap-drop", "ALL",
            "--clearenv",
            "--setenv", "PATH", "/usr/bin:/bin",
            "--setenv", "LANG", "C.UTF-8",
            "--setenv", "HOME", "/work",
            *self._root_arguments(),
            "--proc", "/proc",
            # The sandbox's own (namespaced) kernel settings are not the candidate's to change
            # either: /proc/sys is no mount of its own, so a read-only bind covers it (the
            # namespaced files still show the reader's namespaces).
            "--ro-bind", "/proc/sys", "/proc/sys",
            "--dev", "/dev",
            "--size", tmpfs, "--tmpfs", "/work",
            "--size", str(8 * 1024 * 1024), "--tmpfs", "/tmp",
            "--size", str(8 * 1024 * 1024), "--tmpfs", "/dev/shm",
            # /dev itself is an uncapped tmpfs: read-only, its device nodes still work.
            "--remount-ro", "/dev",
            # The harness, read-only, in a small tmpfs of its own (the root is read-only).
            # It comes as data on a descriptor: the unprivileged uid need not reach the checkout.
            "--perms", "0555", "--size", str(1024 * 1024), "--tmpfs", "/opt",
            "--perms", "0444", "--ro-bind-data", str(harness_fd), "/opt/mockloop/harness.py",
            # The namespace's root (the candidate's uid, seen from inside) owns that tmpfs: freeze it.
            "--remount-ro", "/opt",
        ]  # fmt: skip
        if cgroup is not None and cgroup.memory_dir is not None:
            # The harness reads its OOM-kill counter to tell memory kills from others.
            target = "/sys/fs/cgroup" if (CGROUP_ROOT / "cgroup.controllers").exists() else "/sys/fs/cgroup/memory"
            args += ["--perms", "0555", "--size", "65536", "--tmpfs", "/sys", "--ro-bind", str(cgroup.memory_dir), target]
            args += ["--remount-ro", "/sys"]
        return [*args, "--chdir", "/work", "python3", "-I", "/opt/mockloop/harness.py"]

    @contextlib.contextmanager
    def _cgroup(self, memory_mb: int) -> Iterator[Cgroup | None]:
        if not self.use_cgroups:
            yield None
            return
        try:
            cgroup = Cgroup(uuid.uuid4().hex[:12], memory_mb=memory_mb, pids=self.pids_limit, cpus=self.cpus)
        except OSError as exc:
            raise SandboxFault(f"could not create the sandbox's cgroup: {exc}") from exc
        try:
            yield cgroup
        finally:
            # Emptying and removing it waits for the last process to be reaped:
            # off the request's path.
            threading.Thread(target=cgroup.destroy, daemon=True).start()

    def watchdog_seconds(self, job: HarnessJob) -> float:
        """The outer deadline: the harness keeps its own, this catches a harness that does not."""
        return job.total_wall_seconds + 5

    def run_raw(self, job: HarnessJob) -> dict[str, Any]:
        deadline = self.watchdog_seconds(job)
        with self._cgroup(job.limits.memory_mb) as cgroup:
            address_space = None if cgroup else job.limits.memory_mb + ADDRESS_SPACE_OVERHEAD_MB
            harness_fd = _harness_fd()
            try:
                command = self.command(cgroup, harness_fd)
                process = subprocess.Popen(
                    cgroup.wrap(command) if cgroup else command,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    start_new_session=True,
                    pass_fds=(harness_fd,),
                    env={"PATH": "/usr/bin:/bin:/usr/sbin:/sbin"},
                )
            except OSError as exc:
                raise SandboxFault(f"could not start bubblewrap: {exc}") from exc
            finally:
                os.close(harness_fd)
            stopped = None
            try:
                stdout, stderr = process.communicate(
                    job.harness_input(address_space_mb=address_space, isolated=True), timeout=deadline
                )
            except subprocess.TimeoutExpired:
                # The outer watchdog: the harness has its own deadline, so the
                # submission as a whole ran past its time.
                os.killpg(process.pid, signal.SIGKILL)
                stdout, stderr = process.communicate()
                stopped = "watchdog"
            if stopped is None and cgroup is not None and cgroup.oom_kills() > 0 and process.returncode != 0:
                stopped = "memory"
        if process.returncode != 0 and not stdout:
            # bubblewrap itself failed (its own message is on stderr, for operators only).
            log.warning("bubblewrap exited with %s: %r", process.returncode, stderr[-500:])
            raise SandboxFault(f"bubblewrap exited with {process.returncode} before the harness started")
        return parse_report(stdout, stopped=stopped)


def _harness_fd() -> int:
    """A descriptor to read the harness from (bubblewrap copies it into the sandbox)."""
    fd = os.memfd_create("mockloop-harness", os.MFD_CLOEXEC)
    os.write(fd, HARNESS_BYTES)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
