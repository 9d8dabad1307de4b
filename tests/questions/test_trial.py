"""`python -m questions.trial`: a source against a question, as staff and as the candidate see it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOGISTIC = ROOT / "questions/bank/ml_fundamentals/logistic-regression-gradient-step"


def trial(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "questions.trial", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ},
        check=False,
    )


@pytest.mark.parametrize("backend", ["bubblewrap", "docker"])
def test_it_grades_a_wrong_solution_as_a_submission_would(backend):
    done = trial(LOGISTIC, LOGISTIC / "wrong_in_place.py", "--backend", backend, "--json")
    assert done.returncode == 0, done.stderr  # whatever the verdict
    result = json.loads(done.stdout)
    assert set(result) >= {"verdict", "score", "tests", "candidate_view"}
    assert result["verdict"] == "wrong_answer" and result["backend"] == backend
    failing = [t for t in result["tests"] if t["verdict"] != "accepted"]
    # Only the check test (judged by the checker on what the call left in its arguments) fails.
    assert [t["name"] for t in failing] == ["a small step lowers the loss and leaves the inputs unchanged"]
    assert failing[0]["message"] == "the input weights were modified in place"
    view = result["candidate_view"]
    assert view["message"] == "a hidden test failed: wrong answer"
    assert "modified in place" not in json.dumps(view)
    assert {t["name"] for t in view["tests"] if not t["visible"]} == {"hidden test"}
    assert view["hidden_summary"] == {"total": 9, "passed": 8}


def test_a_run_uses_the_visible_tests_only_and_is_not_graded():
    done = trial(LOGISTIC, LOGISTIC / "solution.py", "--mode", "run", "--backend", "bubblewrap", "--json")
    result = json.loads(done.stdout)
    assert result["verdict"] == "accepted" and result["score"] is None
    assert all(t["visible"] for t in result["tests"]) and len(result["tests"]) == 2


def test_the_text_report_shows_staff_then_candidate_views():
    done = trial(LOGISTIC, LOGISTIC / "solution.py", "--backend", "bubblewrap")
    assert done.returncode == 0
    staff, candidate = done.stdout.split("Candidate view:")
    assert "large random batch" in staff and "large random batch" not in candidate
    assert "hidden tests: 9 of 9 passed" in candidate


@pytest.mark.parametrize(
    ("question", "source", "said"),
    [
        (LOGISTIC, "missing.py", "missing.py: no such file"),
        (ROOT / "questions/bank/system_design/url-shortener", LOGISTIC / "solution.py", "not coding"),
        (ROOT / "questions/bank", LOGISTIC / "solution.py", "no question.yaml here"),
    ],
)
def test_bad_input_is_an_error_naming_the_file(question, source, said):
    done = trial(question, source)
    assert done.returncode == 2
    assert said in done.stderr and done.stdout == ""
