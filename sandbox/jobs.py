"""A sandbox job goes in, a graded result comes out.

Plain Python, no Django: the ``questions`` and ``grading`` apps build a
:class:`Job` from a question version and a candidate's source, a backend runs the
harness on it, and :func:`grade` turns the harness's raw report into verdicts.
"""

from __future__ import annotations

import json
import signal as signals
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from sandbox.compare import Comparison, render, text_diff, values_match

MAX_SOURCE_BYTES = 64 * 1024
EXCERPT_CHARS = 2000
LANGUAGES = ("python",)
MODES = ("function", "stdio")

CPU_SECONDS_RANGE = (0.1, 20.0)
MEMORY_MB_RANGE = (32, 2048)
OUTPUT_BYTES_RANGE = (1024, 16 * 1024 * 1024)


class JobError(ValueError):
    """The job cannot run as given: the caller's input is wrong, nothing ran."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    WRONG_ANSWER = "wrong_answer"
    TIME_LIMIT_EXCEEDED = "time_limit_exceeded"
    MEMORY_LIMIT_EXCEEDED = "memory_limit_exceeded"
    RUNTIME_ERROR = "runtime_error"
    COMPILATION_ERROR = "compilation_error"
    OUTPUT_LIMIT_EXCEEDED = "output_limit_exceeded"
    INTERNAL_ERROR = "internal_error"


@dataclass(frozen=True)
class Limits:
    cpu_seconds: float = 2.0
    memory_mb: int = 256
    output_bytes: int = 1024 * 1024
    # Wall time per test: generous over CPU time so a busy machine is not a TLE,
    # tight enough that time.sleep() is.
    wall_factor: float = 2.0
    wall_extra_seconds: float = 1.0

    @property
    def wall_seconds(self) -> float:
        return self.cpu_seconds * self.wall_factor + self.wall_extra_seconds

    def validate(self) -> None:
        if not CPU_SECONDS_RANGE[0] <= self.cpu_seconds <= CPU_SECONDS_RANGE[1]:
            raise JobError("invalid_limits", f"cpu_seconds must be between {CPU_SECONDS_RANGE[0]} and {CPU_SECONDS_RANGE[1]}")
        if not MEMORY_MB_RANGE[0] <= self.memory_mb <= MEMORY_MB_RANGE[1]:
            raise JobError("invalid_limits", f"memory_mb must be between {MEMORY_MB_RANGE[0]} and {MEMORY_MB_RANGE[1]}")
        if not OUTPUT_BYTES_RANGE[0] <= self.output_bytes <= OUTPUT_BYTES_RANGE[1]:
            raise JobError("invalid_limits", f"output_bytes must be between {OUTPUT_BYTES_RANGE[0]} and {OUTPUT_BYTES_RANGE[1]}")


@dataclass(frozen=True)
class TestCase:
    """One test. Exactly one input form: args/kwargs, stdin, generate, or check."""

    __test__ = False  # not a pytest class

    id: str
    name: str = ""
    visible: bool = False
    weight: float = 1.0
    args: list[Any] | None = None
    kwargs: dict[str, Any] | None = None
    stdin: str | None = None
    generate: str | None = None
    check: str | None = None
    expected: Any = None
    comparison: Comparison | None = None
    float_tolerance: float | None = None
    # A "run" with the candidate's own input has nothing to compare against.
    compare: bool = True

    @property
    def is_check(self) -> bool:
        return self.check is not None


@dataclass(frozen=True)
class Job:
    source: str
    tests: tuple[TestCase, ...]
    mode: str = "function"
    entrypoint: str | None = None
    language: str = "python"
    limits: Limits = field(default_factory=Limits)
    checks: str | None = None
    generators: str | None = None
    comparison: Comparison = Comparison.EXACT
    float_tolerance: float = 1e-6

    def validate(self) -> None:
        """Refuses, before anything runs, a job that cannot be run fairly."""
        if self.language not in LANGUAGES:
            raise JobError("unknown_language", f"unknown language {self.language!r}; supported: {', '.join(LANGUAGES)}")
        if self.mode not in MODES:
            raise JobError("invalid_mode", f"unknown mode {self.mode!r}")
        if self.mode == "function" and not self.entrypoint:
            raise JobError("invalid_job", "a function-mode job needs an entrypoint")
        if not self.source.strip():
            raise JobError("empty_source", "the source code is empty")
        if len(self.source.encode("utf-8", "surrogatepass")) > MAX_SOURCE_BYTES:
            raise JobError("source_too_large", f"the source code is over {MAX_SOURCE_BYTES // 1024} KiB")
        if "\x00" in self.source:
            raise JobError("invalid_source", "the source code contains NUL bytes")
        if not self.tests:
            raise JobError("no_tests", "there are no tests to run")
        if any(t.check for t in self.tests) and not self.checks:
            raise JobError("invalid_job", "a check test needs the test module")
        if any(t.generate for t in self.tests) and not self.generators:
            raise JobError("invalid_job", "a generated test needs the generators module")
        self.limits.validate()

    def harness_input(self, workdir: str | None = None, *, address_space_mb: int | None = None, isolated: bool = False) -> bytes:
        """What the harness reads on stdin: the job's JSON, framed by its length.

        Expected values are left out on purpose: they never enter the sandbox.
        """
        tests = []
        for test in self.tests:
            item: dict[str, Any] = {"id": test.id}
            for key in ("args", "kwargs", "stdin", "generate", "check"):
                value = getattr(test, key)
                if value is not None:
                    item[key] = value
            tests.append(item)
        payload = {
            "mode": self.mode,
            "entrypoint": self.entrypoint,
            "source": self.source,
            "checks": self.checks,
            "generators": self.generators,
            "preload": ["numpy"] if "numpy" in self.source or "numpy" in (self.checks or "") else [],
            "limits": {
                "cpu_seconds": self.limits.cpu_seconds,
                "wall_seconds": self.limits.wall_seconds,
                "output_bytes": self.limits.output_bytes,
                "total_wall_seconds": self.total_wall_seconds,
                "address_space_mb": address_space_mb,
            },
            "tests": tests,
            # Only a sandbox with its own pid namespace may kill "everything else".
            "isolated": isolated,
        }
        if workdir:
            payload["workdir"] = workdir
        data = json.dumps(payload).encode()
        return b"%d\n" % len(data) + data

    @property
    def total_wall_seconds(self) -> float:
        return self.limits.wall_seconds * len(self.tests) + 5.0


@dataclass
class TestResult:
    __test__ = False  # not a pytest class

    id: str
    name: str
    visible: bool
    weight: float
    verdict: Verdict
    message: str = ""
    cpu_seconds: float | None = None
    wall_seconds: float | None = None
    max_rss_kb: int | None = None
    stdout: str = ""
    stderr: str = ""
    expected: str | None = None
    actual: str | None = None
    diff: str | None = None

    def for_candidate(self) -> dict[str, Any]:
        """What a candidate may see: everything for visible tests, the verdict for hidden ones."""
        if self.visible:
            return asdict(self)
        return {
            "id": self.id,
            "name": "hidden test",
            "visible": False,
            "weight": self.weight,
            "verdict": self.verdict,
            "cpu_seconds": self.cpu_seconds,
            "wall_seconds": self.wall_seconds,
            "max_rss_kb": self.max_rss_kb,
        }


@dataclass
class Result:
    verdict: Verdict
    score: float
    tests: list[TestResult]
    message: str = ""
    compile_error: dict[str, Any] | None = None
    backend: str = ""

    @property
    def passed(self) -> int:
        return sum(t.verdict is Verdict.ACCEPTED for t in self.tests)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class SandboxFault(RuntimeError):
    """Our fault, not the candidate's: the engine, the image or the harness failed."""


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "\n… (output truncated)"


def _signal_name(number: int) -> str:
    try:
        return signals.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _verdict_for_raw(test: TestCase, raw: dict[str, Any], job: Job) -> tuple[Verdict, str]:
    status = raw.get("status")
    cpu = raw.get("cpu_seconds") or 0.0
    limit = job.limits.cpu_seconds
    if status == "timeout":
        return Verdict.TIME_LIMIT_EXCEEDED, f"stopped after {job.limits.wall_seconds:g} s of wall time"
    if status == "not_run":
        return Verdict.TIME_LIMIT_EXCEEDED, "not run: the submission used up its total time"
    if status == "memory":
        return Verdict.MEMORY_LIMIT_EXCEEDED, f"ran out of memory (limit {job.limits.memory_mb} MB)"
    if status == "output_limit" or raw.get("stdout_truncated") or raw.get("stderr_truncated"):
        return Verdict.OUTPUT_LIMIT_EXCEEDED, f"wrote more than {job.limits.output_bytes} bytes of output"
    if status == "signal":
        number = raw.get("signal", 0)
        if number == signals.SIGXCPU or (number == signals.SIGKILL and cpu >= limit):
            return Verdict.TIME_LIMIT_EXCEEDED, f"used more than {limit:g} s of CPU time"
        if number == signals.SIGXFSZ:
            return Verdict.OUTPUT_LIMIT_EXCEEDED, f"wrote more than {job.limits.output_bytes} bytes of output"
        return Verdict.RUNTIME_ERROR, f"killed by {_signal_name(number)}"
    if cpu > limit:
        return Verdict.TIME_LIMIT_EXCEEDED, f"used {cpu:.2f} s of CPU time, over the {limit:g} s limit"
    if status == "exception":
        where = f" on line {raw['line']}" if raw.get("line") else ""
        return Verdict.RUNTIME_ERROR, f"{raw.get('type')}{where}: {raw.get('message', '')}".strip()
    if status == "exit":
        return Verdict.RUNTIME_ERROR, f"exited with status {raw.get('code')}"
    if status == "bad_channel":
        return Verdict.RUNTIME_ERROR, "the program exited before the test finished"
    if status == "value_too_large":
        return Verdict.OUTPUT_LIMIT_EXCEEDED, "the returned value is too large"
    if status == "assertion":
        return Verdict.WRONG_ANSWER, raw.get("message") or "an assertion failed"
    if status == "fork_failed":
        return Verdict.RUNTIME_ERROR, "could not start the test: earlier tests left too many processes running"
    if status == "harness_killed":
        return Verdict.RUNTIME_ERROR, "the program killed the test harness"
    if status == "harness_error":
        raise SandboxFault(f"harness failed to set up a test: {raw.get('message')}")
    if status != "ok":
        raise SandboxFault(f"unknown harness status {status!r}")
    if test.is_check:
        return Verdict.ACCEPTED, ""
    if not test.compare:
        return Verdict.ACCEPTED, "ran without errors (custom input: nothing to compare)"
    actual = raw.get("stdout", "") if job.mode == "stdio" else raw.get("value")
    comparison = test.comparison or (
        Comparison.WHITESPACE if job.mode == "stdio" and job.comparison is Comparison.EXACT else job.comparison
    )
    tolerance = test.float_tolerance if test.float_tolerance is not None else job.float_tolerance
    if values_match(test.expected, actual, comparison, tolerance):
        return Verdict.ACCEPTED, ""
    return Verdict.WRONG_ANSWER, "the output does not match the expected output"


def grade(job: Job, report: dict[str, Any], backend: str = "") -> Result:
    """Turns the harness's raw report into per-test verdicts and a weighted score."""
    if not isinstance(report, dict) or not isinstance(report.get("tests"), list):
        raise SandboxFault("the harness report is malformed")
    compile_error = report.get("compile_error")
    by_id = {raw.get("id"): raw for raw in report["tests"] if isinstance(raw, dict)}
    results: list[TestResult] = []
    for test in job.tests:
        if compile_error:
            results.append(
                TestResult(
                    id=test.id,
                    name=test.name or test.id,
                    visible=test.visible,
                    weight=test.weight,
                    verdict=Verdict.COMPILATION_ERROR,
                    message="not run: the code does not compile",
                )
            )
            continue
        raw = by_id.get(test.id)
        if raw is None:
            raise SandboxFault(f"the harness reported nothing for test {test.id}")
        verdict, message = _verdict_for_raw(test, raw, job)
        result = TestResult(
            id=test.id,
            name=test.name or test.id,
            visible=test.visible,
            weight=test.weight,
            verdict=verdict,
            message=message,
            cpu_seconds=raw.get("cpu_seconds"),
            wall_seconds=raw.get("wall_seconds"),
            max_rss_kb=raw.get("max_rss_kb"),
            stdout=_excerpt(raw.get("stdout") or ""),
            stderr=_excerpt(raw.get("traceback") or raw.get("stderr") or ""),
        )
        if test.visible and not test.is_check:
            actual = raw.get("stdout", "") if job.mode == "stdio" else raw.get("value")
            result.expected = render(test.expected) if test.compare else None
            if raw.get("status") == "ok":
                result.actual = render(actual)
                if verdict is Verdict.WRONG_ANSWER and isinstance(test.expected, str) and isinstance(actual, str):
                    result.diff = text_diff(test.expected, actual)
        results.append(result)

    total = sum(t.weight for t in results) or 1.0
    score = round(100.0 * sum(t.weight for t in results if t.verdict is Verdict.ACCEPTED) / total, 2)
    if compile_error:
        where = f" on line {compile_error.get('line')}" if compile_error.get("line") else ""
        return Result(
            verdict=Verdict.COMPILATION_ERROR,
            score=0.0,
            tests=results,
            message=f"{compile_error.get('type')}{where}: {compile_error.get('message')}",
            compile_error=compile_error,
            backend=backend,
        )
    failing = next((t for t in results if t.verdict is not Verdict.ACCEPTED), None)
    verdict = failing.verdict if failing else Verdict.ACCEPTED
    # The overall message is shown to candidates: a hidden test's name and details
    # (which may quote its input) stay with the test, for recruiters only.
    if failing is None:
        message = f"all {len(results)} tests passed"
    elif failing.visible:
        message = f"{failing.name}: {failing.message}"
    else:
        message = f"a hidden test failed: {failing.verdict.replace('_', ' ')}"
    return Result(verdict=verdict, score=score, tests=results, message=message, backend=backend)
