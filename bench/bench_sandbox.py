"""Sandbox benchmark: the bank's reference solutions as submissions, per backend.

    .venv/bin/python bench/bench_sandbox.py [--rounds 2] [--backends bare,subprocess,bubblewrap,docker]
                                            [--only SLUG,SLUG] [--write docs/performance.md]

For each backend it runs every coding question's reference solution as a
*submission* (all tests, hidden and generated ones included) and as a *run* (the
visible tests only, what the editor's Run button does), sequentially for latency
(p50/p95 per whole submission), then with 1 and 2 worker processes for throughput.

Two baselines, measured in the same run, and every figure is given as a ratio to each:

- ``bare``: plain ``python3 -I`` (this interpreter) running the solution and its
  tests with no harness at all: one process per submission that execs the solution,
  calls it on each test's input (or the question's generator's calls), judges check
  tests with the question's checker, and compares each result with the expected
  value. It counts its failures too, so it is known to do the same work.
- ``subprocess``: the project's harness in a plain subprocess (no isolation): the
  harness's own cost (a forked child per test, framed input, JSON report, a second
  run for the checker) without a sandbox's.

``bubblewrap`` needs the sandbox root filesystem in ``SANDBOX_CACHE_DIR`` (as root,
``/var/cache/mockloop/sandbox`` unless set, like ``scripts/lib.sh``); ``docker``
needs the engine and the sandbox image. A backend that cannot run is skipped, saying
why and how to build what it lacks.
"""

from __future__ import annotations

import argparse
import marshal
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.markdown_report import write_section  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")
# As scripts/lib.sh does: as root, the sandbox's root filesystem lives outside the checkout.
if os.geteuid() == 0 and not os.environ.get("SANDBOX_CACHE_DIR"):
    os.environ["SANDBOX_CACHE_DIR"] = "/var/cache/mockloop/sandbox"

from questions.bank_format import load_bank  # noqa: E402
from questions.check import DEFAULT_BANK  # noqa: E402
from questions.coding import coding_job, map_in_parallel, resolve_expected  # noqa: E402
from sandbox.backends import SubprocessBackend, run_job  # noqa: E402
from sandbox.compare import Comparison  # noqa: E402
from sandbox.jobs import Job, SandboxFault, Verdict  # noqa: E402

BACKENDS = ("bare", "subprocess", "bubblewrap", "docker")
LABELS = {"bare": "bare python3", "subprocess": "harness in a subprocess"}
BUILD_COMMAND = "python manage.py build_sandbox_image"


def label(name: str) -> str:
    return LABELS.get(name, name)


# -- the bare baseline ----------------------------------------------------------------

# What the bare baseline's process runs: the solution and its tests, nothing else. Its
# input and output (passed, failures) are marshal data: a built-in module, where
# importing json would cost more than running many a solution. The comparison is
# sandbox/compare.py's values_match, inlined (importing it would import difflib too).
BARE_RUNNER = r"""
import io, marshal, math, sys

def canonical(x):
    import json
    return json.dumps(x, sort_keys=True)

def plain(v):
    t = type(v)
    if v is None or t is bool or t is int or t is float or t is str:
        return v
    if t.__module__ == "numpy" and hasattr(v, "tolist"):
        return plain(v.tolist())
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (set, frozenset)):
        return sorted((plain(x) for x in v), key=canonical)
    return v

def number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)

def close(e, a, tol):
    if number(e) and number(a):
        return math.isclose(float(e), float(a), rel_tol=tol, abs_tol=tol)
    if isinstance(e, list) and isinstance(a, list):
        return len(e) == len(a) and all(close(x, y, tol) for x, y in zip(e, a))
    if isinstance(e, dict) and isinstance(a, dict):
        return e.keys() == a.keys() and all(close(e[k], a[k], tol) for k in e)
    if isinstance(e, str) and isinstance(a, str):
        left, right = e.split(), a.split()
        if len(left) != len(right):
            return False
        for x, y in zip(left, right):
            try:
                if not math.isclose(float(x), float(y), rel_tol=tol, abs_tol=tol):
                    return False
            except ValueError:
                if x != y:
                    return False
        return True
    return e == a and type(e) is type(a)

def exact(e, a):
    if isinstance(e, bool) or isinstance(a, bool):
        return e is a
    if isinstance(e, list) and isinstance(a, list):
        return len(e) == len(a) and all(exact(x, y) for x, y in zip(e, a))
    if isinstance(e, dict) and isinstance(a, dict):
        return e.keys() == a.keys() and all(exact(e[k], a[k]) for k in e)
    return e == a

def match(e, a, comparison, tol):
    if comparison == "whitespace" and isinstance(e, str) and isinstance(a, str):
        return " ".join(e.split()) == " ".join(a.split())
    if comparison == "float":
        return close(e, a, tol)
    if comparison == "unordered":
        if isinstance(e, list) and isinstance(a, list):
            return sorted(map(canonical, e)) == sorted(map(canonical, a))
        if isinstance(e, str) and isinstance(a, str):
            return sorted(e.split()) == sorted(a.split())
    return exact(e, a)

def calls_of(generated, mode):
    calls = list(generated["calls"]) if isinstance(generated, dict) and "calls" in generated else [generated]
    if mode == "stdio":
        return [{"stdin": c if isinstance(c, str) else str(c)} for c in calls]
    return [
        {"args": list(c.get("args", [])), "kwargs": dict(c.get("kwargs", {}))}
        if isinstance(c, dict) and set(c) <= {"args", "kwargs"}
        else {"args": list(c), "kwargs": {}}
        for c in calls
    ]

def main():
    job = marshal.loads(sys.stdin.buffer.read())
    out = sys.stdout.buffer
    sys.stdout = io.StringIO()  # what the solution prints is not the report
    sys.setrecursionlimit(100000)  # as the harness allows
    mode = job["mode"]
    code = compile(job["source"], "solution.py", "exec")
    generators, checks = {}, {}
    if job["generators"]:
        exec(compile(job["generators"], "generators.py", "exec"), generators)
    if job["checks"]:
        exec(compile(job["checks"], "checks.py", "exec"), checks)

    def stdio(text):
        sys.stdin, sys.stdout = io.StringIO(text), io.StringIO()
        try:
            exec(code, {"__name__": "__main__"})
        except SystemExit as stop:
            if stop.code not in (None, 0):
                raise
        return sys.stdout.getvalue()

    function = None
    if mode == "function":
        module = {"__name__": "solution"}
        exec(code, module)
        function = module[job["entrypoint"]]

    def calls_for(test):
        if test.get("generate"):
            return calls_of(generators[test["generate"]](), mode)
        if mode == "stdio":
            return [{"stdin": test.get("stdin") or ""}]
        return [{"args": test.get("args") or [], "kwargs": test.get("kwargs") or {}}]

    passed, failures = 0, []
    for test in job["tests"]:
        try:
            calls = calls_for(test)
            if mode == "stdio":
                outputs = [stdio(call["stdin"]) for call in calls]
            else:
                outputs = []
                for call in calls:
                    entry = {"result": plain(function(*call["args"], **call["kwargs"]))}
                    if test.get("report_arguments"):
                        entry["args_after"], entry["kwargs_after"] = plain(call["args"]), plain(call["kwargs"])
                    outputs.append(entry)
            if test.get("check"):
                # The checker gets the inputs afresh (the generator again), as in its own sandbox.
                fresh = calls_for(test.get("fresh") or test)
                if mode == "stdio":
                    judged = [{"stdin": c["stdin"], "stdout": o} for c, o in zip(fresh, outputs)]
                else:
                    judged = [{"args": c["args"], "kwargs": c["kwargs"], **o} for c, o in zip(fresh, outputs)]
                verdict = checks[test["check"]](judged)
                ok = not (isinstance(verdict, str) and verdict)
            elif not test["compare"]:
                ok = True
            else:
                actual = outputs[0] if mode == "stdio" else outputs[0]["result"]
                ok = match(test["expected"], actual, test["comparison"], test["tolerance"])
        except Exception as exc:
            ok = False
            test["why"] = f"{type(exc).__name__}: {exc}"[:200]
        if ok:
            passed += 1
        else:
            failures.append(f"{test['id']}: {test.get('why', 'wrong answer')}")
    out.write(marshal.dumps({"passed": passed, "failures": failures}))
    out.flush()

main()
"""


def bare_input(job: Job) -> bytes:
    """The bare runner's input: the job, with each test's comparison resolved as grade() does."""
    tests = []
    for test in job.tests:
        comparison = test.comparison or (
            Comparison.WHITESPACE if job.mode == "stdio" and job.comparison is Comparison.EXACT else job.comparison
        )
        item: dict[str, Any] = {
            "id": test.id,
            "args": test.args,
            "kwargs": test.kwargs,
            "stdin": test.stdin,
            "generate": test.generate,
            "check": test.check,
            "report_arguments": test.report_arguments,
            "expected": test.expected,
            "compare": test.compare,
            "comparison": str(comparison),
            "tolerance": test.float_tolerance if test.float_tolerance is not None else job.float_tolerance,
        }
        if test.check and not test.generate:
            # A second copy of the inputs for the checker (the first may be changed in place).
            item["fresh"] = {"args": test.args, "kwargs": test.kwargs, "stdin": test.stdin}
        tests.append(item)
    document = {
        "mode": job.mode,
        "entrypoint": job.entrypoint,
        "source": job.source,
        "generators": job.generators,
        "checks": job.checks,
        "tests": tests,
    }
    return marshal.dumps(document)


class BareRunner:
    """The true baseline: ``python3 -I`` running the solution on its tests, no harness."""

    name = "bare"

    def __init__(self) -> None:
        self.workdir = tempfile.mkdtemp(prefix="mockloop-bare-")

    def submit(self, job: Job) -> str | None:
        completed = subprocess.run(
            [sys.executable, "-I", "-c", BARE_RUNNER],
            input=bare_input(job),
            capture_output=True,
            timeout=job.total_wall_seconds + 10,
            cwd=self.workdir,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
            check=False,
        )
        try:
            report = marshal.loads(completed.stdout)  # noqa: S302 - our runner, the bank's own solutions
        except (EOFError, ValueError, TypeError):
            return f"the bare runner exited with {completed.returncode}: {completed.stderr.decode()[-300:]}"
        if report["failures"]:
            return f"{len(report['failures'])} of {len(job.tests)} tests failed: " + "; ".join(report["failures"][:3])
        if report["passed"] != len(job.tests):
            return f"{report['passed']} of {len(job.tests)} tests passed"
        return None

    def close(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


# -- the harness's backends --------------------------------------------------------------


class SandboxRunner:
    """A backend of the project: the harness through run_job, as the graders run it."""

    def __init__(self, name: str) -> None:
        self.name = name
        if name == "subprocess":
            self.backend: Any = SubprocessBackend()
        else:
            from config.sandbox_backend import sandbox_backend, sandbox_reset

            # A fresh backend each time: sandbox_backend keeps one per process, and a
            # closed Docker backend runs nothing.
            sandbox_reset()
            self.backend = sandbox_backend(name)

    def submit(self, job: Job) -> str | None:
        result = run_job(job, self.backend)
        if result.verdict is Verdict.ACCEPTED:
            return None
        failing = [f"{t.id}: {t.verdict} {t.message}".strip() for t in result.tests if t.verdict is not Verdict.ACCEPTED]
        return f"{result.message} ({'; '.join(failing[:3])})"

    def close(self) -> None:
        close = getattr(self.backend, "close", None)
        if close:
            close()
        if self.name != "subprocess":
            from config.sandbox_backend import sandbox_reset

            sandbox_reset()


def make_runner(name: str) -> BareRunner | SandboxRunner:
    if name == "bare":
        return BareRunner()
    if name != "subprocess":
        import django

        django.setup()
    return SandboxRunner(name)


def unavailable(name: str) -> str | None:
    """Why this backend cannot run here (and how to fix it), or None."""
    if name in ("bare", "subprocess"):
        return None
    import django

    django.setup()
    from django.conf import settings

    from sandbox.images import image_tag, rootfs_path, rootfs_ready

    if name == "bubblewrap":
        if shutil.which("bwrap") is None:
            return "bubblewrap is not installed (apt-get install bubblewrap)"
        cache = Path(settings.SANDBOX_CACHE_DIR)
        if not rootfs_ready(cache):
            return (
                f"the sandbox root filesystem is not built in SANDBOX_CACHE_DIR={cache} "
                f"(expected {rootfs_path(cache)}); without it bubblewrap falls back to the host's /usr, "
                f"which has no NumPy. Build it with `SANDBOX_CACHE_DIR={cache} .venv/bin/{BUILD_COMMAND}` "
                "(add --rootfs-only to skip the Docker image)"
            )
        return None
    if name == "docker":
        try:
            import docker
            import docker.errors
            import requests.exceptions
        except ImportError:
            return "the docker Python package is not installed"
        try:
            client = docker.from_env(timeout=10)
        except docker.errors.DockerException as exc:
            return f"no Docker engine answers here ({exc.__class__.__name__}); start it, or set DOCKER_HOST"
        try:
            client.ping()
            from sandbox.images import image_exists

            tag = image_tag()
            if not image_exists(client, tag):
                return f"the sandbox image {tag} is not built: run `.venv/bin/{BUILD_COMMAND}`"
        except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
            return f"the Docker engine does not answer ({exc.__class__.__name__})"
        finally:
            client.close()
        return None
    raise ValueError(f"unknown backend {name!r}")


# -- measuring -------------------------------------------------------------------------------


def load_jobs(only: set[str] | None = None) -> dict[str, list[tuple[str, Job]]]:
    bundles = [b for b in load_bank(DEFAULT_BANK) if b.manifest.coding is not None and (not only or b.slug in only)]
    if only and len(bundles) != len(only):
        missing = only - {b.slug for b in bundles}
        raise SystemExit(f"no coding question named {', '.join(sorted(missing))}")
    specs = map_in_parallel(lambda b: resolve_expected(b.spec(), SubprocessBackend()), bundles)
    submit = [(b.slug, coding_job(spec, spec["solution"])) for b, spec in zip(bundles, specs, strict=True)]
    run = [(slug, replace(job, tests=tuple(t for t in job.tests if t.visible))) for slug, job in submit]
    return {"submit": submit, "run": run}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _latencies(backend_name: str, jobs: list[tuple[str, Job]], rounds: int) -> tuple[list[float], list[str]]:
    runner = make_runner(backend_name)
    try:
        runner.submit(jobs[0][1])  # warm-up: imports, the first container
        latencies, failures = [], []
        for _ in range(rounds):
            for slug, job in jobs:
                started = time.perf_counter()
                failure = runner.submit(job)
                latencies.append(time.perf_counter() - started)
                if failure:
                    failures.append(f"{slug}: {failure}")
                if backend_name == "docker":
                    # Let the warm container for the next submission start, as it
                    # would between a candidate's clicks.
                    time.sleep(0.3)
        return latencies, failures
    finally:
        runner.close()


def _worker(args: tuple[str, list[tuple[str, Job]]]) -> tuple[int, list[str]]:
    backend_name, jobs = args
    runner = make_runner(backend_name)
    try:
        failures = []
        for slug, job in jobs:
            failure = runner.submit(job)
            if failure:
                failures.append(f"{slug}: {failure}")
        return len(jobs), failures
    finally:
        runner.close()


def throughput(backend_name: str, jobs: list[tuple[str, Job]], workers: int, rounds: int) -> tuple[float, list[str]]:
    work = jobs * rounds
    shares = [work[i::workers] for i in range(workers)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers) as pool:
        pool.map(_worker, [(backend_name, jobs[:1])] * workers)  # warm-up
        started = time.perf_counter()
        results = pool.map(_worker, [(backend_name, share) for share in shares])
        elapsed = time.perf_counter() - started
    return sum(done for done, _ in results) / elapsed, [f for _, failures in results for f in failures]


def docker_ceiling(seconds_per_thread: int = 10) -> float:
    """The engine's own rate for create + start + wait + remove of a container that
    runs `true`, from 2 threads: no backend can beat it with a fresh container each."""
    import threading

    import docker

    from sandbox.images import image_tag

    client = docker.from_env()
    done = []

    def churn() -> None:
        deadline = time.perf_counter() + seconds_per_thread
        while time.perf_counter() < deadline:
            container = client.containers.create(image_tag(), command=["true"], network_mode="none")
            container.start()
            container.wait()
            container.remove(force=True)
            done.append(1)

    threads = [threading.Thread(target=churn) for _ in range(2)]
    started = time.perf_counter()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return len(done) / (time.perf_counter() - started)
    finally:
        client.close()


@dataclass
class Row:
    backend: str
    mode: str
    p50: float
    p95: float
    one_worker: float
    two_workers: float
    runs: int
    failures: int


def _ratio(value: float, base: Row | None, attribute: str) -> str:
    return f"{value / getattr(base, attribute):.2f}x" if base else "n/a"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="sequential passes over the questions for latency")
    parser.add_argument("--backends", default=",".join(BACKENDS), help=f"comma-separated, from {', '.join(BACKENDS)}")
    parser.add_argument("--only", help="comma-separated question slugs (a quick subset while developing)")
    parser.add_argument("--write", type=Path, help="write the results into this Markdown file")
    options = parser.parse_args()

    names = [name.strip() for name in options.backends.split(",") if name.strip()]
    if unknown := [name for name in names if name not in BACKENDS]:
        parser.error(f"unknown backend(s) {', '.join(unknown)}; choose from {', '.join(BACKENDS)}")
    skipped: dict[str, str] = {}
    for name in names:
        reason = unavailable(name)
        if reason:
            skipped[name] = reason
            print(f"skipping {name}: {reason}", file=sys.stderr, flush=True)
    options.load_before = os.getloadavg()[0]
    jobs = load_jobs(set(options.only.split(",")) if options.only else None)
    rows: list[Row] = []
    for backend_name in names:
        if backend_name in skipped:
            continue
        try:
            measured = [_measure(backend_name, mode, jobs[mode], options.rounds) for mode in ("run", "submit")]
        except SandboxFault as exc:
            skipped[backend_name] = f"it could not run a job: {exc}"
            print(f"skipping {backend_name}: {skipped[backend_name]}", file=sys.stderr, flush=True)
            continue
        rows += measured
    ceiling = docker_ceiling() if "docker" in names and "docker" not in skipped else None
    options.load_after = os.getloadavg()[0]
    if ceiling:
        print(f"docker engine ceiling: {ceiling:.2f} containers/s (create+start+wait+remove, 2 threads)")
    report = render(rows, jobs, options, ceiling, skipped)
    print()
    print(report)
    if options.write:
        if options.only:
            print("not writing: --only measures a subset of the bank", file=sys.stderr)
            return 1
        write_section(options.write, report)
    return 1 if any(r.failures for r in rows) else 0


def _measure(backend_name: str, mode: str, jobs: list[tuple[str, Job]], rounds: int) -> Row:
    latencies, failures = _latencies(backend_name, jobs, rounds)
    one, one_failures = throughput(backend_name, jobs, 1, 1)
    two, two_failures = throughput(backend_name, jobs, 2, 1)
    failures += one_failures + two_failures
    row = Row(
        backend_name,
        mode,
        statistics.median(latencies),
        percentile(latencies, 0.95),
        one,
        two,
        len(latencies) + 2 * len(jobs),
        len(failures),
    )
    print(
        f"{label(backend_name):<24} {mode:<6} p50 {row.p50:.3f}s p95 {row.p95:.3f}s  "
        f"{one:.2f}/s (1 worker) {two:.2f}/s (2 workers)  failures {row.failures}/{row.runs}",
        flush=True,
    )
    for failure in failures[:5]:
        print("   ", failure, flush=True)
    return row


def _numpy_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("numpy")
    except PackageNotFoundError:
        return "not installed"


def render(
    rows: list[Row],
    jobs: dict[str, list[tuple[str, Job]]],
    options: argparse.Namespace,
    ceiling: float | None,
    skipped: dict[str, str],
) -> str:
    bare = {r.mode: r for r in rows if r.backend == "bare"}
    harness = {r.mode: r for r in rows if r.backend == "subprocess"}
    command = f"bench/bench_sandbox.py --rounds {options.rounds} --backends {options.backends}"
    lines = [
        "## Sandbox: whole submissions per backend",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores ({platform.machine()}, Python {platform.python_version()}) "
        f"by `{command}`: the reference solutions of the bank's {len(jobs['submit'])} coding questions, "
        f"as runs (visible tests only, {sum(len(j.tests) for _, j in jobs['run'])} tests in all) and as submissions "
        f"(all tests including the large generated ones, {sum(len(j.tests) for _, j in jobs['submit'])} tests in all). "
        "Latency is per whole submission, sequential; throughput is submissions per second with 1 and 2 worker processes. "
        f"Load average (1 min) {options.load_before:.1f} at the start, {options.load_after:.1f} at the end: "
        "other work on the machine shows up in the figures, less so in the ratios.",
        "",
        "Two baselines, measured in the same run: **bare python3** is plain `python3 -I` running the solution "
        "and its tests with no harness at all (one process per submission: exec the solution, call it on each test's "
        "input or the generator's calls, judge check tests with the question's checker, compare each result with the "
        "expected value, counting failures so that it does the same work), the floor for running the code at all; "
        "**harness in a subprocess** is the project's harness in a plain child process (a forked child per test, "
        "framed input, JSON report, check tests judged in a second run), which adds the harness's own cost but no "
        "isolation. Every backend's figures are given as ratios to both: for latency, how many times the baseline's "
        "p50 (higher is slower); for throughput, the fraction of the baseline's rate (lower is slower). "
        f"Both baselines run this checkout's interpreter (Python {platform.python_version()}, NumPy {_numpy_version()}); "
        "the sandboxes run the sandbox image's Debian python3 and NumPy, which import in a different time, "
        "so on the NumPy questions a sandbox can come out faster than a baseline.",
        "",
        "| backend | mode | p50 | p95 | p50 vs bare python3 | p50 vs harness in a subprocess | failures |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {label(r.backend)} | {r.mode} | {r.p50:.3f} s | {r.p95:.3f} s | {_ratio(r.p50, bare.get(r.mode), 'p50')} "
            f"| {_ratio(r.p50, harness.get(r.mode), 'p50')} | {r.failures} of {r.runs} |"
        )
    lines += [
        "",
        "| backend | mode | 1 worker | vs bare python3 | vs harness in a subprocess "
        "| 2 workers | vs bare python3 | vs harness in a subprocess |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        b, h = bare.get(r.mode), harness.get(r.mode)
        lines.append(
            f"| {label(r.backend)} | {r.mode} | {r.one_worker:.2f}/s | {_ratio(r.one_worker, b, 'one_worker')} "
            f"| {_ratio(r.one_worker, h, 'one_worker')} | {r.two_workers:.2f}/s | {_ratio(r.two_workers, b, 'two_workers')} "
            f"| {_ratio(r.two_workers, h, 'two_workers')} |"
        )
    lines += [
        "",
        "*failures* counts submissions that were not accepted, over every run of that row "
        f"({options.rounds} sequential round(s), then one pass each with 1 and 2 workers); it should be 0.",
    ]
    if ceiling:
        lines += [
            "",
            f"Docker engine ceiling on this machine, measured in the same run: **{ceiling:.2f} containers/s** "
            "(create, start, wait and remove a container running `true`, from 2 threads). A fresh container per "
            "submission cannot go faster than this, whatever the backend does.",
        ]
    for name, reason in skipped.items():
        lines += ["", f"Not measured: **{label(name)}**: {reason}."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
