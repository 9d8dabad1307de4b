"""Sandbox benchmark: the bank's reference solutions as submissions, per backend.

    .venv/bin/python bench/bench_sandbox.py [--rounds 3] [--write docs/performance.md]

For each backend — a bare subprocess (the baseline, no isolation), bubblewrap and
Docker — it runs every coding question's reference solution as a *submission* (all
tests, hidden and generated ones included) and as a *run* (the visible tests only,
what the editor's Run button does), sequentially for latency (p50/p95 per whole
submission), then with 1 and 2 worker processes for throughput. Ratios are to the
bare subprocess measured in the same run.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

from questions.bank_format import load_bank  # noqa: E402
from questions.check import DEFAULT_BANK  # noqa: E402
from questions.coding import coding_job, map_in_parallel, resolve_expected  # noqa: E402
from sandbox.backends import SubprocessBackend, run_job  # noqa: E402
from sandbox.jobs import Job, Verdict  # noqa: E402


def make_backend(name: str):
    if name == "subprocess":
        return SubprocessBackend()
    import django

    django.setup()
    from grading.sandboxes import sandbox_backend

    return sandbox_backend(name)


def load_jobs() -> dict[str, list[tuple[str, Job]]]:
    bundles = [b for b in load_bank(DEFAULT_BANK) if b.manifest.coding is not None]
    specs = map_in_parallel(lambda b: resolve_expected(b.spec(), SubprocessBackend()), bundles)
    submit = [(b.slug, coding_job(spec, spec["solution"])) for b, spec in zip(bundles, specs, strict=True)]
    run = [(slug, replace(job, tests=tuple(t for t in job.tests if t.visible))) for slug, job in submit]
    return {"submit": submit, "run": run}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _latencies(backend_name: str, jobs: list[tuple[str, Job]], rounds: int) -> tuple[list[float], list[str]]:
    backend = make_backend(backend_name)
    run_job(jobs[0][1], backend)  # warm-up: imports, the first container
    latencies, failures = [], []
    for _ in range(rounds):
        for slug, job in jobs:
            started = time.perf_counter()
            result = run_job(job, backend)
            latencies.append(time.perf_counter() - started)
            if result.verdict is not Verdict.ACCEPTED:
                failures.append(f"{slug}: {result.message}")
            if backend_name == "docker":
                # Let the warm container for the next submission start, as it
                # would between a candidate's clicks.
                time.sleep(0.3)
    close = getattr(backend, "close", None)
    if close:
        close()
    return latencies, failures


def _worker(args: tuple[str, list[tuple[str, Job]]]) -> int:
    backend_name, jobs = args
    backend = make_backend(backend_name)
    for _, job in jobs:
        run_job(job, backend)
    close = getattr(backend, "close", None)
    if close:
        close()
    return len(jobs)


def throughput(backend_name: str, jobs: list[tuple[str, Job]], workers: int, rounds: int) -> float:
    work = jobs * rounds
    shares = [work[i::workers] for i in range(workers)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers) as pool:
        pool.map(_worker, [(backend_name, jobs[:1])] * workers)  # warm-up
        started = time.perf_counter()
        done = sum(pool.map(_worker, [(backend_name, share) for share in shares]))
        return done / (time.perf_counter() - started)


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
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(done) / (time.perf_counter() - started)


@dataclass
class Row:
    backend: str
    mode: str
    p50: float
    p95: float
    one_worker: float
    two_workers: float
    failures: int


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--backends", default="subprocess,bubblewrap,docker")
    parser.add_argument("--write", type=Path, help="write the results into this Markdown file")
    options = parser.parse_args()

    jobs = load_jobs()
    rows: list[Row] = []
    for backend_name in options.backends.split(","):
        for mode in ("run", "submit"):
            latencies, failures = _latencies(backend_name, jobs[mode], options.rounds)
            one = throughput(backend_name, jobs[mode], 1, 1)
            two = throughput(backend_name, jobs[mode], 2, 1)
            rows.append(
                Row(backend_name, mode, statistics.median(latencies), percentile(latencies, 0.95), one, two, len(failures))
            )
            print(
                f"{backend_name:<11} {mode:<6} p50 {rows[-1].p50:.3f}s p95 {rows[-1].p95:.3f}s  "
                f"{one:.2f}/s (1 worker) {two:.2f}/s (2 workers)  failures {len(failures)}",
                flush=True,
            )
            for failure in failures[:5]:
                print("   ", failure)
    ceiling = docker_ceiling() if "docker" in options.backends else None
    if ceiling:
        print(f"docker engine ceiling: {ceiling:.2f} containers/s (create+start+wait+remove, 2 threads)")
    report = render(rows, jobs, options.rounds, ceiling)
    print(report)
    if options.write:
        write_section(options.write, report)
    return 0


def render(rows: list[Row], jobs: dict[str, list[tuple[str, Job]]], rounds: int, ceiling: float | None) -> str:
    base = {r.mode: r for r in rows if r.backend == "subprocess"}
    lines = [
        "## Sandbox: whole submissions per backend",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores ({platform.machine()}, Python {platform.python_version()}) "
        f"by `bench/bench_sandbox.py --rounds {rounds}`: the reference solutions of the bank's {len(jobs['submit'])} coding questions, "
        f"as runs (visible tests only, {sum(len(j.tests) for _, j in jobs['run'])} tests in all) and as submissions "
        f"(all tests including the large generated ones, {sum(len(j.tests) for _, j in jobs['submit'])} tests in all). "
        "Latency is per whole submission, sequential; throughput is submissions per second with 1 and 2 worker processes.",
        "",
        "| backend | mode | p50 | p95 | p50 vs bare | 1 worker | 2 workers | failures |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = r.p50 / base[r.mode].p50 if r.mode in base else float("nan")
        lines.append(
            f"| {r.backend} | {r.mode} | {r.p50:.3f} s | {r.p95:.3f} s | {ratio:.2f}x | {r.one_worker:.2f}/s | {r.two_workers:.2f}/s | {r.failures} |"
        )
    if ceiling:
        lines += [
            "",
            f"Docker engine ceiling on this machine, measured in the same run: **{ceiling:.2f} containers/s** "
            "(create, start, wait and remove a container running `true`, from 2 threads). A fresh container per "
            "submission cannot go faster than this, whatever the backend does.",
        ]
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    title = section.splitlines()[0]
    text = (
        path.read_text()
        if path.exists()
        else "# Performance\n\nFigures from the benchmarks in `bench/`; each section says how it was measured.\n\n"
    )
    if title in text:
        start = text.index(title)
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[end + 1 :] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
