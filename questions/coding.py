"""Coding questions as sandbox jobs, and the checks a coding question must pass.

Plain Python: works on the stored ``spec`` (the JSON the importer keeps per
question version) and a sandbox backend, so the importer, the bank self-check and
the graders all build jobs the same way.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sandbox.backends import Backend, run_job
from sandbox.compare import Comparison
from sandbox.jobs import Job, Limits, Result, TestCase, Verdict


def coding_job(spec: dict[str, Any], source: str, *, visible_only: bool = False) -> Job:
    """The sandbox job that runs ``source`` against a coding question's tests."""
    tests = []
    for index, test in enumerate(spec["tests"]):
        if visible_only and not test.get("visible"):
            continue
        tests.append(
            TestCase(
                id=f"t{index + 1}",
                name=test["name"],
                visible=bool(test.get("visible")),
                weight=float(test.get("weight", 1.0)),
                args=test.get("args"),
                kwargs=test.get("kwargs"),
                stdin=test.get("stdin"),
                generate=test.get("generate"),
                check=test.get("check"),
                report_arguments=bool(test.get("report_arguments", False)),
                expected=test.get("expected"),
                comparison=Comparison(test["comparison"]) if test.get("comparison") else None,
                float_tolerance=test.get("float_tolerance"),
            )
        )
    return Job(
        source=source,
        tests=tuple(tests),
        mode=spec.get("mode", "function"),
        entrypoint=spec.get("entrypoint"),
        language=spec.get("language", "python"),
        limits=Limits(cpu_seconds=float(spec["time_limit_seconds"]), memory_mb=int(spec["memory_limit_mb"])),
        checks=spec.get("checks"),
        generators=spec.get("generators"),
        comparison=Comparison(spec.get("comparison", "exact")),
        float_tolerance=float(spec.get("float_tolerance", 1e-6)),
    )


class CodingSpecInvalid(Exception):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{where}: {what}" for where, what in problems))
        self.problems = problems


def resolve_expected(spec: dict[str, Any], backend: Backend) -> dict[str, Any]:
    """Fills in the expected value of each generated test by running the reference solution.

    The generated inputs are large, so they are produced inside the sandbox at run
    time; their expected outputs are computed once here and stored with the
    question, so they never have to enter the sandbox.
    """
    resolved = copy.deepcopy(spec)
    # A check test's generated input is judged by its checker: it has no expected value.
    generated = [i for i, t in enumerate(resolved["tests"]) if t.get("generate") and not t.get("check")]
    if not generated:
        return resolved
    probe = copy.deepcopy(resolved)
    probe["tests"] = [resolved["tests"][i] for i in generated]
    job = coding_job(probe, resolved["solution"])
    job.validate()
    raw = backend.run_raw(job)
    if raw.get("compile_error"):
        raise CodingSpecInvalid([("coding.solution", "the reference solution does not compile")])
    reported = {test["id"]: test for test in raw["tests"]}
    for index, case in zip(generated, job.tests, strict=True):
        test_name = resolved["tests"][index]["name"]
        report = reported.get(case.id, {"status": "not reported"})
        if report.get("status") != "ok":
            raise CodingSpecInvalid(
                [
                    (
                        f"coding.tests[{index}]",
                        f"the reference solution failed on generated test {test_name!r}: {report.get('status')} {report.get('message') or report.get('type') or ''}".strip(),
                    )
                ]
            )
        if report.get("cpu_seconds", 0) > float(resolved["time_limit_seconds"]):
            raise CodingSpecInvalid(
                [(f"coding.tests[{index}]", f"the reference solution is over the time limit on {test_name!r}")]
            )
        resolved["tests"][index]["expected"] = report["stdout"] if resolved.get("mode") == "stdio" else report.get("value")
    return resolved


def _failures(result: Result) -> list[str]:
    return [f"{t.name}: {t.verdict} {t.message}".strip() for t in result.tests if t.verdict is not Verdict.ACCEPTED]


def verify_coding_spec(spec: dict[str, Any], backend: Backend) -> list[tuple[str, str]]:
    """Problems with a resolved coding spec: the reference solution must pass every test,
    the starter code and each deliberately wrong solution must fail at least one, and a
    naive solution, when given, must run out of time on at least one test."""
    problems: list[tuple[str, str]] = []
    reference = run_job(coding_job(spec, spec["solution"]), backend)
    if reference.verdict is not Verdict.ACCEPTED:
        problems.append(("coding.solution", "the reference solution fails its own tests: " + "; ".join(_failures(reference))))
    starter = run_job(coding_job(spec, spec["starter"]), backend)
    if starter.verdict is Verdict.ACCEPTED:
        problems.append(
            ("coding.starter", "the starter code passes every test; the tests cannot tell a blank answer from a right one")
        )
    for index, wrong in enumerate(spec.get("wrong_solutions", [])):
        result = run_job(coding_job(spec, wrong), backend)
        if result.verdict is Verdict.ACCEPTED:
            problems.append((f"coding.wrong_solutions[{index}]", "a deliberately wrong solution passes every test"))
    if spec.get("naive_solution"):
        naive = run_job(coding_job(spec, spec["naive_solution"]), backend)
        if not any(t.verdict is Verdict.TIME_LIMIT_EXCEEDED for t in naive.tests):
            problems.append(("coding.naive_solution", "the naive solution never runs past the time limit; add a larger test"))
        # Slow is all a naive solution may be: any other failure means a wrong test or a wrong naive solution.
        failing = [t for t in naive.tests if t.verdict not in (Verdict.ACCEPTED, Verdict.TIME_LIMIT_EXCEEDED)]
        if failing:
            problems.append(
                (
                    "coding.naive_solution",
                    "the naive solution should only be slow, but: " + "; ".join(f"{t.name}: {t.verdict}" for t in failing),
                )
            )
    return problems


def coding_spec_prepare(spec: dict[str, Any], backend: Backend) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Resolves generated expectations and verifies the solutions: (resolved spec, problems)."""
    try:
        resolved = resolve_expected(spec, backend)
    except CodingSpecInvalid as exc:
        return spec, exc.problems
    return resolved, verify_coding_spec(resolved, backend)


T = TypeVar("T")
R = TypeVar("R")


def map_in_parallel(function: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """Runs ``function`` over ``items`` on one thread per core, keeping the order.

    The work is running solutions in child processes, so threads are enough to keep
    every core busy.
    """
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return list(pool.map(function, items))
