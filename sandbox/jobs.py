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
from sandbox.display import python_render, syntax_error_traceback, visible_input_text

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
    """One test: one input form (args/kwargs, stdin or generate), judged by comparing
    with ``expected`` or, for a ``check`` test, by the question's checker."""

    __test__ = False  # not a pytest class

    id: str
    name: str = ""
    visible: bool = False
    weight: float = 1.0
    args: list[Any] | None = None
    kwargs: dict[str, Any] | None = None
    stdin: str | None = None
    generate: str | None = None
    # The checker function (in the question's checks module) that judges this test's results.
    check: str | None = None
    # A check test may also judge what the call left in its arguments (in-place changes).
    report_arguments: bool = False
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
            raise JobError("invalid_job", "a check test needs the checks module")
        if any(t.generate for t in self.tests) and not self.generators:
            raise JobError("invalid_job", "a generated test needs the generators module")
        self.limits.validate()

    def harness_input(self, workdir: str | None = None, *, address_space_mb: int | None = None, isolated: bool = False) -> bytes:
        """What the harness reads on stdin: the job, then its tests in batches, each a
        length-framed JSON document.

        Expected values and the checks module are left out on purpose: they never enter
        the candidate's sandbox. Visible tests come first, in a batch of their own, so
        that no hidden input is in the sandbox while a test whose output the candidate
        sees is running.
        """
        visible = [t for t in self.tests if t.visible]
        hidden = [t for t in self.tests if not t.visible]
        batches = [batch for batch in (visible, hidden) if batch]
        head: dict[str, Any] = {
            "role": "solution",
            "mode": self.mode,
            "entrypoint": self.entrypoint,
            "source": self.source,
            "preload": ["numpy"] if "numpy" in self.source or "numpy" in (self.generators or "") else [],
            "limits": harness_limits(self.limits, self.total_wall_seconds, address_space_mb),
            # Only a sandbox with its own pid namespace may kill "everything else".
            "isolated": isolated,
            "batches": len(batches),
        }
        if workdir:
            head["workdir"] = workdir
        frames: list[dict[str, Any]] = [head]
        for batch in batches:
            items = []
            for test in batch:
                item: dict[str, Any] = {"id": test.id}
                for key in ("args", "kwargs", "stdin", "generate"):
                    value = getattr(test, key)
                    if value is not None:
                        item[key] = value
                if test.check:
                    # Only that it is one: which property is checked stays outside.
                    item["check"] = True
                    item["report_arguments"] = test.report_arguments
                items.append(item)
            uses_generators = any(t.generate for t in batch)
            frames.append({"tests": items, "generators": self.generators if uses_generators else None})
        return b"".join(frame_bytes(frame) for frame in frames)

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
    # What a visible test fed the code, as Python reads it: ``two_sum([2, 7], 9)`` or stdin.
    input: str | None = None
    # The line of the candidate's code a runtime error was raised on.
    line: int | None = None
    # False for a run on the candidate's own input: it ran, there was nothing to compare.
    compared: bool = True

    def for_candidate(self) -> dict[str, Any]:
        """What a candidate may see: everything for visible tests, the verdict for hidden ones.

        Not a hidden test's time or memory: code that sleeps or allocates by its input's
        bytes would read the hidden input back from them.
        """
        if self.visible:
            return asdict(self)
        return {"id": self.id, "name": "hidden test", "visible": False, "weight": self.weight, "verdict": self.verdict}


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


def candidate_view(result: dict[str, Any]) -> dict[str, Any]:
    """What a candidate may see of a stored result (``Result.as_dict()``): every detail
    of visible tests, the verdict, time and memory of hidden ones, and how many hidden
    tests passed."""
    view = dict(result)
    view["tests"] = [TestResult(**{**data, "verdict": Verdict(data["verdict"])}).for_candidate() for data in result["tests"]]
    hidden = [t for t in result["tests"] if not t["visible"]]
    view["hidden_summary"] = {"total": len(hidden), "passed": sum(t["verdict"] == Verdict.ACCEPTED for t in hidden)}
    return view


class SandboxFault(RuntimeError):
    """Our fault, not the candidate's: the engine, the image or the harness failed.

    Its message is for operators (logs, staff pages), never for candidates: it may
    name hosts and engines. ``retryable`` says whether running the job again can help.
    """

    retryable = True


class HarnessFault(SandboxFault):
    """The harness or the question misbehaved in a way that running again cannot fix."""

    retryable = False


def limits_text(limits: Limits) -> str:
    """The time limits as the page states them: CPU time is what a test may use, wall time
    is the hard stop for code that sleeps or waits."""
    return f"limits per test: {limits.cpu_seconds:g} s of CPU time, {limits.wall_seconds:g} s wall clock"


def harness_limits(limits: Limits, total_wall_seconds: float, address_space_mb: int | None) -> dict[str, Any]:
    """The limits as the harness reads them, for a solution run and a checker run alike."""
    return {
        "cpu_seconds": limits.cpu_seconds,
        "wall_seconds": limits.wall_seconds,
        "output_bytes": limits.output_bytes,
        "total_wall_seconds": total_wall_seconds,
        "address_space_mb": address_space_mb,
    }


def frame_bytes(document: Any) -> bytes:
    """One frame of the harness's input: the JSON's length in bytes on a line, then the JSON."""
    data = json.dumps(document).encode("utf-8", "surrogatepass")
    return b"%d\n" % len(data) + data


@dataclass(frozen=True)
class CheckerJob:
    """Judges a solution run's check tests: the question's checks module on the results,
    as plain data, in a sandbox of its own that holds no candidate code."""

    mode: str
    checks: str
    generators: str | None
    tests: tuple[dict[str, Any], ...]
    limits: Limits

    def harness_input(self, workdir: str | None = None, *, address_space_mb: int | None = None, isolated: bool = False) -> bytes:
        head: dict[str, Any] = {
            "role": "checker",
            "mode": self.mode,
            "checks": self.checks,
            "preload": ["numpy"] if "numpy" in self.checks or "numpy" in (self.generators or "") else [],
            "limits": harness_limits(self.limits, self.total_wall_seconds, address_space_mb),
            "isolated": isolated,
            "batches": 1,
        }
        if workdir:
            head["workdir"] = workdir
        # One test a frame: the checker holds one candidate's results at a time.
        head["batches"] = len(self.tests)
        frames = [frame_bytes({"tests": [test], "generators": self.generators}) for test in self.tests]
        return frame_bytes(head) + b"".join(frames)

    @property
    def total_wall_seconds(self) -> float:
        return self.limits.wall_seconds * len(self.tests) + 5.0


def checker_job(job: Job, report: dict[str, Any]) -> CheckerJob | None:
    """The checker job for a solution run's check tests that ran to the end, or None."""
    by_id = {raw.get("id"): raw for raw in report.get("tests", [])}
    tests = []
    for test in job.tests:
        raw = by_id.get(test.id)
        if not test.check or raw is None or raw.get("status") != "ok":
            continue
        if job.mode == "stdio":
            outputs: list[dict[str, Any]] = [{"stdout": raw.get("stdout", "")}]
        else:
            values = raw.get("values")
            arguments = raw.get("arguments")
            if not isinstance(values, list):
                continue  # judged as interference by grade()
            outputs = [{"result": value} for value in values]
            if test.report_arguments and isinstance(arguments, list):
                for output, after in zip(outputs, arguments, strict=False):
                    output["arguments"] = after
        item: dict[str, Any] = {"id": test.id, "check": test.check, "outputs": outputs}
        for key in ("args", "kwargs", "stdin", "generate"):
            value = getattr(test, key)
            if value is not None:
                item[key] = value
        tests.append(item)
    if not tests or not job.checks:
        return None
    return CheckerJob(mode=job.mode, checks=job.checks, generators=job.generators, tests=tuple(tests), limits=job.limits)


def judgements_of(report: dict[str, Any], checker: CheckerJob) -> dict[str, dict[str, Any]]:
    """The checker's word on each test it judged.

    The checker's sandbox holds no candidate code, but it reads the candidate's
    results: one that started and then stopped (ran out of memory or time on them) has
    not judged the rest, which are wrong answers ("could not be checked"), not a fault
    to retry. One that never started is parse_report's SandboxFault.
    """
    judged = {raw["id"]: raw for raw in report.get("tests", []) if isinstance(raw.get("id"), str)}
    for test in checker.tests:
        judged.setdefault(test["id"], {"id": test["id"], "status": "unjudged"})
    return judged


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "\n… (output truncated)"


def _signal_name(number: int) -> str:
    try:
        return signals.Signals(number).name
    except ValueError:
        return f"signal {number}"


INTERFERED = "the program interfered with the test harness"


def _verdict_of_judgement(judgement: dict[str, Any] | None) -> tuple[Verdict, str]:
    if judgement is None:
        raise HarnessFault("the checker reported nothing for a check test")
    status = judgement.get("status")
    if status == "ok":
        return Verdict.ACCEPTED, ""
    if status == "assertion":
        return Verdict.WRONG_ANSWER, str(judgement.get("message") or "the result does not have the required property")
    if status == "exception":
        # The checker could not even read the result: malformed output is a wrong answer (as in testlib).
        return Verdict.WRONG_ANSWER, f"the result could not be checked ({judgement.get('type')}: {judgement.get('message', '')})"
    if status == "generator_error":
        raise HarnessFault(f"the question's generator failed in the checker: {judgement.get('message')}")
    return Verdict.WRONG_ANSWER, "the result could not be checked (the checker ran out of time or memory on it)"


def _verdict_for_raw(test: TestCase, raw: dict[str, Any], job: Job, judgement: dict[str, Any] | None) -> tuple[Verdict, str]:
    status = raw.get("status")
    cpu = raw.get("cpu_seconds") or 0.0
    limit = job.limits.cpu_seconds
    if status == "timeout":
        return (
            Verdict.TIME_LIMIT_EXCEEDED,
            f"took too long: stopped at the {job.limits.wall_seconds:g} s wall-clock limit ({limits_text(job.limits)})",
        )
    if status == "not_run":
        return Verdict.TIME_LIMIT_EXCEEDED, "not run: the submission used up its total time"
    if status == "memory":
        return Verdict.MEMORY_LIMIT_EXCEEDED, f"ran out of memory (limit {job.limits.memory_mb} MB)"
    if status in ("output_limit", "report_full") or raw.get("stdout_truncated") or raw.get("stderr_truncated"):
        return Verdict.OUTPUT_LIMIT_EXCEEDED, f"wrote more than {job.limits.output_bytes} bytes of output"
    if status == "signal":
        number = raw.get("signal", 0)
        if number == signals.SIGXCPU or (number == signals.SIGKILL and cpu >= limit):
            return Verdict.TIME_LIMIT_EXCEEDED, f"used more than {limit:g} s of CPU time ({limits_text(job.limits)})"
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
    if status in ("bad_channel", "harness_error", "assertion"):
        # No result came back on the test's channel (os._exit, a closed or duplicated
        # descriptor, garbage written to it) or the child claimed to be the harness.
        return Verdict.RUNTIME_ERROR, f"{INTERFERED}: it exited or broke its result channel before returning"
    if status == "value_too_large":
        return Verdict.OUTPUT_LIMIT_EXCEEDED, "the returned value is too large"
    if status == "fork_failed":
        return Verdict.RUNTIME_ERROR, "could not start the test: earlier tests left too many processes running"
    if status == "generator_error":
        raise HarnessFault(f"the question's generator failed: {raw.get('message')}")
    if status != "ok":
        raise HarnessFault(f"unknown harness status {status!r}")
    if test.is_check:
        if job.mode == "function" and not isinstance(raw.get("values"), list):
            return Verdict.RUNTIME_ERROR, f"{INTERFERED}: it sent no results"
        return _verdict_of_judgement(judgement)
    if not test.compare:
        return Verdict.ACCEPTED, "ran — no expected output to compare"
    actual = raw.get("stdout", "") if job.mode == "stdio" else raw.get("value")
    comparison = test.comparison or (
        Comparison.WHITESPACE if job.mode == "stdio" and job.comparison is Comparison.EXACT else job.comparison
    )
    tolerance = test.float_tolerance if test.float_tolerance is not None else job.float_tolerance
    if values_match(test.expected, actual, comparison, tolerance):
        return Verdict.ACCEPTED, ""
    return Verdict.WRONG_ANSWER, "the output does not match the expected output"


def _missing_verdict(report: dict[str, Any], job: Job) -> tuple[Verdict, str]:
    """A test the harness never reported: the sandbox was stopped, or the code broke the harness."""
    stopped = report.get("stopped")
    if stopped == "watchdog":
        return Verdict.TIME_LIMIT_EXCEEDED, "the submission ran past its total time limit"
    if stopped == "memory":
        return Verdict.MEMORY_LIMIT_EXCEEDED, f"ran out of memory (limit {job.limits.memory_mb} MB)"
    return Verdict.RUNTIME_ERROR, f"{INTERFERED}: the harness stopped before this test"


def _unreported(test: TestCase, verdict: Verdict, message: str) -> TestResult:
    return TestResult(
        id=test.id, name=test.name or test.id, visible=test.visible, weight=test.weight, verdict=verdict, message=message
    )


def grade(job: Job, report: dict[str, Any], judgements: dict[str, dict[str, Any]] | None = None, backend: str = "") -> Result:
    """Turns the harness's report (and the checker's judgements) into per-test verdicts and a weighted score.

    A test the harness never reported is the candidate's doing once the harness had
    started (only their code ran after that), so it gets a verdict, never a retry.
    """
    if not isinstance(report, dict) or not report.get("started") or not isinstance(report.get("tests"), list):
        raise SandboxFault("the harness never started")
    judgements = judgements or {}
    compile_error = report.get("compile_error")
    by_id = {raw.get("id"): raw for raw in report["tests"] if isinstance(raw, dict)}
    results: list[TestResult] = []
    for test in job.tests:
        if compile_error:
            results.append(_unreported(test, Verdict.COMPILATION_ERROR, "not run: the code does not compile"))
            continue
        raw = by_id.get(test.id)
        if raw is None:
            results.append(_unreported(test, *_missing_verdict(report, job)))
            continue
        verdict, message = _verdict_for_raw(test, raw, job, judgements.get(test.id))
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
            # What the code wrote to stderr, then (after an exception) its traceback: both are the candidate's.
            stderr=_excerpt("\n".join(part for part in (raw.get("stderr"), raw.get("traceback")) if part)),
        )
        if test.visible:
            result.input = visible_input_text(job.mode, job.entrypoint, args=test.args, kwargs=test.kwargs, stdin=test.stdin)
            result.compared = test.compare
            if raw.get("status") == "exception" and type(raw.get("line")) is int:
                result.line = raw["line"]
        if test.visible and not test.is_check:
            actual = raw.get("stdout", "") if job.mode == "stdio" else raw.get("value")
            # Printed output reads as text; returned values as Python writes them (None, not null).
            shown = render if job.mode == "stdio" else python_render
            result.expected = shown(test.expected) if test.compare else None
            if raw.get("status") == "ok":
                result.actual = shown(actual)
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
            # What the candidate reads is built here from the harness's fields, never its text.
            compile_error={**compile_error, "traceback": syntax_error_traceback(compile_error)},
            backend=backend,
        )
    failing = next((t for t in results if t.verdict is not Verdict.ACCEPTED), None)
    verdict = failing.verdict if failing else Verdict.ACCEPTED
    # The overall message is shown to candidates: a hidden test's name and details
    # (which may quote its input) stay with the test, for recruiters only.
    compared = [t for t in results if t.compared]
    if failing is None:
        message = "the test passed" if len(compared) == 1 else f"all {len(compared)} tests passed"
        if len(compared) < len(results):
            message += "; your custom input ran (no expected output to compare)"
    elif failing.visible:
        message = f"{failing.name}: {failing.message}"
    else:
        message = f"a hidden test failed: {failing.verdict.replace('_', ' ')}"
    return Result(verdict=verdict, score=score, tests=results, message=message, backend=backend)
