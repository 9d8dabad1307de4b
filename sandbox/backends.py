"""Backends run the harness on a job somewhere and hand back its raw report.

``SubprocessBackend`` runs it in a plain child process on the host. It isolates
nothing beyond per-test rlimits: it is the baseline for benchmarks and the runner
for trusted code (the bank's own reference solutions). Candidate code goes through
an isolating backend.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Protocol

from sandbox.jobs import Job, Result, SandboxFault, grade

HARNESS_PATH = Path(__file__).with_name("harness.py")
MAX_REPORT_BYTES = 32 * 1024 * 1024


class Backend(Protocol):
    name: str

    def run_raw(self, job: Job) -> dict[str, Any]: ...


def parse_report(stdout: bytes) -> dict[str, Any]:
    """Reads the harness's report, refusing anything oversized or malformed."""
    if len(stdout) > MAX_REPORT_BYTES:
        raise SandboxFault("the harness report is too large")
    try:
        report = json.loads(stdout)
    except ValueError as exc:
        raise SandboxFault(f"the harness report is not JSON: {stdout[:200]!r}") from exc
    if not isinstance(report, dict):
        raise SandboxFault("the harness report is not an object")
    return report


class SubprocessBackend:
    name = "subprocess"

    def __init__(self, python: str = sys.executable) -> None:
        self.python = python

    def run_raw(self, job: Job) -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="mockloop-run-") as workdir:
            try:
                completed = subprocess.run(
                    [self.python, "-I", str(HARNESS_PATH)],
                    input=job.harness_input(workdir),
                    capture_output=True,
                    timeout=job.total_wall_seconds + 10,
                    cwd=workdir,
                    env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise SandboxFault("the harness did not finish in time") from exc
        if completed.returncode != 0:
            raise SandboxFault(f"the harness exited with {completed.returncode}: {completed.stderr[-500:]!r}")
        return parse_report(completed.stdout)


def run_job(job: Job, backend: Backend) -> Result:
    """Validates the job, runs it on ``backend`` and grades what came back."""
    job.validate()
    return grade(job, backend.run_raw(job), backend=backend.name)
