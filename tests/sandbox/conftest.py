"""What the isolating-backend suites share: both backends, and ways to look at the host."""

from __future__ import annotations

import os
import subprocess

import pytest

from sandbox.backends import run_job
from sandbox.jobs import Job, Limits, Result, TestCase, Verdict

PROBE = (TestCase(id="t1", name="probe", visible=True, args=[], expected="never"),)


@pytest.fixture(params=["docker", "bubblewrap"])
def backend(request):
    from config.sandbox_backend import SandboxUnavailable, sandbox_backend

    try:
        return sandbox_backend(request.param)
    except SandboxUnavailable as exc:
        if os.environ.get("CI"):
            raise  # CI installs both: a missing one is a failure there
        pytest.skip(f"{request.param} sandbox not available here: {exc}")


def run(backend, source: str, *, tests=PROBE, cpu: float = 1.0, memory_mb: int = 128, **job) -> Result:
    job.setdefault("entrypoint", "probe")
    return run_job(Job(source=source, tests=tests, limits=Limits(cpu_seconds=cpu, memory_mb=memory_mb), **job), backend)


def actual_of(result: Result) -> str:
    return result.tests[0].actual or ""


def assert_still_works(backend) -> None:
    result = run(backend, "def probe():\n    return 'never'\n")
    assert result.verdict is Verdict.ACCEPTED, result.message


def host_processes(pattern: str) -> list[str]:
    found = subprocess.run(["pgrep", "-af", pattern], capture_output=True, text=True, check=False).stdout
    return [line for line in found.splitlines() if "pgrep" not in line]


def containers_owned_by(owner: str) -> set[str]:
    """The ids of the sandbox containers that carry this owner label."""
    listed = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label=mockloop.owner={owner}"], capture_output=True, text=True, check=True
    )
    return set(listed.stdout.split())
