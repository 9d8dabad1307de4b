"""The load benchmark's pure parts: percentiles, the report and the section it writes.

The benchmark itself (bench/bench_load.py) starts gunicorn, Celery workers and a
database of its own and takes minutes, even with --quick; it is run by `make bench-load`,
not by the test suite.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_load.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_load", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("bench_load", None)


def _level(bench, k: int, *, scale: float, errors: int = 0):
    result = bench.LevelResult(k)
    result.seconds = 20.0
    result.latencies["save"] = [0.010 * scale * i for i in range(1, 101)]
    result.latencies["run"] = [0.050 * scale] * 10
    result.latencies["submit"] = [0.060 * scale] * 10
    result.latencies["results"] = [0.030 * scale] * 20
    result.latencies["poll"] = [20.0] * 5  # long polls: never part of "all"
    result.submit_e2e = [1.0 * scale, 2.0 * scale]
    result.run_e2e = [0.5 * scale]
    result.graded_e2e = [3.0 * scale]
    result.sandbox_jobs = 3 * k
    result.errors = [f"candidate {i}: HTTP 500" for i in range(errors)]
    result.peak_mb = {"total": 600.0 * scale, "web": 300.0, "workers": 200.0, "sandboxes": 100.0}
    result.peak_containers = 6
    return result


def _setup():
    return {
        "date": "2026-11-26",
        "machine": "2 cores",
        "command": ".venv/bin/python bench/bench_load.py --quick",
        "configuration": "The stack: gunicorn.",
        "notes": "**The ceiling is the sandbox.**",
    }


def test_it_takes_nearest_rank_percentiles(bench):
    values = [float(v) for v in range(1, 101)]
    assert bench.percentile(values, 0.5) == 51.0
    assert bench.percentile(values, 0.95) == 95.0
    assert bench.percentile(values, 0.99) == 99.0
    assert bench.percentile(list(reversed(values)), 0.99) == 99.0
    assert bench.percentile([7.0], 0.99) == 7.0
    assert math.isnan(bench.percentile([], 0.5))


def test_it_leaves_long_polls_out_of_the_api_latency(bench):
    level = _level(bench, 10, scale=1.0)
    assert 20.0 not in level.api()
    assert len(level.api()) == 100 + 10 + 10 + 20
    assert level.requests == 145
    assert level.requests_per_second == pytest.approx(145 / 20)
    assert level.jobs_per_second == pytest.approx(30 / 20)


def test_it_renders_every_level_and_the_growth_to_the_first(bench):
    report = bench.render([_level(bench, 10, scale=1.0), _level(bench, 50, scale=2.0)], setup=_setup())
    assert report.startswith("## Load: concurrent candidates\n")
    assert "`.venv/bin/python bench/bench_load.py --quick`" in report
    assert "| 10 | save | 100 | 510 ms | 950 ms | 990 ms |" in report
    assert "| 50 | save | 100 | 1020 ms | 1900 ms | 1980 ms |" in report
    assert "| 50 | submit | 10 | 120 ms | 120 ms | 120 ms |" in report
    assert "Growth from 10 to 50 candidates (5.0 times the candidates)" in report
    assert "| peak memory | 600 MB | 1200 MB | 2.00x |" in report
    assert "| sandbox jobs graded per second | 1.50/s | 7.50/s | 5.00x |" in report
    assert "| save p95 | 950 ms | 1900 ms | 2.00x |" in report
    assert "1200 MB (300 + 200 + 100)" in report
    assert report.rstrip().endswith("**The ceiling is the sandbox.**")


def test_it_renders_errors_and_one_level_without_growth(bench):
    report = bench.render([_level(bench, 2, scale=1.0, errors=3)], setup=_setup())
    assert "Growth" not in report
    row = next(line for line in report.splitlines() if line.startswith("| 2 | 20.0 s |"))
    assert "| 3 |" in row


def test_it_appends_its_section_to_a_file_without_one(bench, tmp_path):
    path = tmp_path / "performance.md"
    path.write_text("# Performance\n\nIntro.\n\n## Sandbox: whole submissions per backend\n\nsandbox figures\n")
    bench.write_section(path, "## Load: concurrent candidates\n\nfirst\n")
    assert path.read_text() == (
        "# Performance\n\nIntro.\n\n## Sandbox: whole submissions per backend\n\nsandbox figures\n\n"
        "## Load: concurrent candidates\n\nfirst\n"
    )


def test_it_replaces_only_its_own_section(bench, tmp_path):
    path = tmp_path / "performance.md"
    path.write_text(
        "# Performance\n\n## Sandbox: whole submissions per backend\n\nsandbox figures\n\n"
        "## Load: concurrent candidates\n\nold figures\nmore old figures\n\n## Later section\n\nlater text\n"
    )
    bench.write_section(path, "## Load: concurrent candidates\n\nnew figures\n")
    assert path.read_text() == (
        "# Performance\n\n## Sandbox: whole submissions per backend\n\nsandbox figures\n\n"
        "## Load: concurrent candidates\n\nnew figures\n\n## Later section\n\nlater text\n"
    )
    bench.write_section(path, "## Load: concurrent candidates\n\nnewer figures\n")
    assert "new figures" not in path.read_text()
    assert path.read_text().count("## Load: concurrent candidates") == 1
    assert path.read_text().endswith("## Later section\n\nlater text\n")


def test_it_creates_the_file_when_missing(bench, tmp_path):
    path = tmp_path / "performance.md"
    bench.write_section(path, "## Load: concurrent candidates\n\nfigures\n")
    assert path.read_text().startswith("# Performance\n")
    assert path.read_text().endswith("\n\n## Load: concurrent candidates\n\nfigures\n")


def test_quick_mode_is_small(bench):
    options = bench.parse_args(["--quick"])
    assert options.candidates == [2, 4]
    assert options.saves == 1
    assert bench.parse_args(["--candidates", "5,15"]).candidates == [5, 15]
    with pytest.raises(SystemExit):
        bench.parse_args(["--candidates", "0"])
