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

from sandbox.harness import HARNESS_VERSION, MAX_REPORT_BYTES
from sandbox.jobs import Job, Limits, Result, SandboxFault, checker_job, grade, judgements_of

HARNESS_PATH = Path(__file__).with_name("harness.py")


class HarnessJob(Protocol):
    """What a backend needs of a job: a solution run (Job) or a checker run (CheckerJob)."""

    @property
    def limits(self) -> Limits: ...

    @property
    def total_wall_seconds(self) -> float: ...

    def harness_input(
        self, workdir: str | None = None, *, address_space_mb: int | None = None, isolated: bool = False
    ) -> bytes: ...


class Backend(Protocol):
    name: str

    def run_raw(self, job: HarnessJob) -> dict[str, Any]: ...


def parse_report(stdout: bytes, *, stopped: str | None = None) -> dict[str, Any]:
    """Reads the harness's JSON-lines report into ``{"started", "compile_error", "tests", "done", "stopped"}``.

    A harness that never said it started is our fault (SandboxFault). After that only
    the candidate's code ran, so a report that breaks off or turns to garbage is read
    up to that point and marked not done: grade() gives the rest their verdicts.
    ``stopped`` says why the backend stopped the sandbox, if it did ("watchdog", "memory").
    """
    report: dict[str, Any] = {"started": False, "compile_error": None, "tests": [], "done": False, "stopped": stopped}
    lines = stdout[:MAX_REPORT_BYTES].split(b"\n")
    for number, line in enumerate(lines):
        try:
            event = json.loads(line)
        except ValueError:
            break
        if not isinstance(event, dict):
            break
        kind = event.pop("event", None)
        if number == 0:
            if kind != "started" or event.get("harness") != HARNESS_VERSION:
                break
            report["started"] = True
            report["harness_pid"] = event.get("pid")
            continue
        if kind == "test" and isinstance(event.get("id"), str) and isinstance(event.get("status"), str):
            report["tests"].append(event)
        elif kind == "compile_error":
            report["compile_error"] = event
        elif kind == "done":
            report["done"] = True
            break
        else:
            break
    if not report["started"]:
        raise SandboxFault(f"the harness did not start ({len(stdout)} bytes of output)")
    return report


class SubprocessBackend:
    name = "subprocess"

    def __init__(self, python: str = sys.executable) -> None:
        self.python = python

    def run_raw(self, job: HarnessJob) -> dict[str, Any]:
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
        if completed.returncode != 0 and not completed.stdout:
            raise SandboxFault(f"the harness exited with {completed.returncode}")
        return parse_report(completed.stdout)


def run_job(job: Job, backend: Backend) -> Result:
    """Validates the job, runs it on ``backend``, has its check tests judged in a
    second sandbox that holds no candidate code, and grades what came back."""
    job.validate()
    report = backend.run_raw(job)
    checker = checker_job(job, report)
    judgements = judgements_of(backend.run_raw(checker), checker) if checker is not None else {}
    return grade(job, report, judgements, backend=backend.name)
