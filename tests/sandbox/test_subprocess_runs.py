"""The harness and verdicts, through the plain subprocess backend.

These cover how a result is judged; the isolation of untrusted code is the
isolating backends' job and is tested with them.
"""

from __future__ import annotations

import json

import pytest

from sandbox.backends import SubprocessBackend, run_job
from sandbox.jobs import Job, JobError, Limits, TestCase, Verdict

BACKEND = SubprocessBackend()
ADD_TESTS = (
    TestCase(id="t1", name="small", visible=True, args=[1, 2], expected=3),
    TestCase(id="t2", name="hidden big", visible=False, args=[10**12, 1], expected=10**12 + 1, weight=3),
)


def run(source: str, tests=ADD_TESTS, **kwargs) -> object:
    kwargs.setdefault("entrypoint", "add")
    kwargs.setdefault("limits", Limits(cpu_seconds=1))
    return run_job(Job(source=source, tests=tests, **kwargs), BACKEND)


def test_it_accepts_a_correct_solution_with_full_score():
    result = run("def add(a, b):\n    return a + b\n")
    assert result.verdict is Verdict.ACCEPTED
    assert result.score == 100.0
    assert [t.verdict for t in result.tests] == [Verdict.ACCEPTED, Verdict.ACCEPTED]
    assert all(t.cpu_seconds is not None and t.max_rss_kb for t in result.tests)


def test_it_scores_by_weight_and_shows_expected_vs_actual_for_visible_tests_only():
    result = run("def add(a, b):\n    return a + b if a < 100 else 0\n")
    assert result.verdict is Verdict.WRONG_ANSWER
    assert result.score == 25.0
    hidden = result.tests[1]
    assert hidden.verdict is Verdict.WRONG_ANSWER
    assert hidden.expected is None and hidden.actual is None
    candidate_view = hidden.for_candidate()
    assert "expected" not in candidate_view and "stdout" not in candidate_view
    assert candidate_view["name"] == "hidden test"


def test_it_reports_expected_and_actual_for_a_failing_visible_test():
    result = run("def add(a, b):\n    return a - b\n")
    first = result.tests[0]
    assert (first.expected, first.actual) == ("3", "-1")


def frames(data: bytes) -> list[dict]:
    documents = []
    while data:
        header, _, rest = data.partition(b"\n")
        documents.append(json.loads(rest[: int(header)]))
        data = rest[int(header) :]
    return documents


def test_it_never_sends_expected_values_into_the_sandbox():
    job = Job(source="def add(a, b):\n    return 0\n", tests=ADD_TESTS, entrypoint="add")
    head, *batches = frames(job.harness_input())
    assert head["batches"] == len(batches) == 2
    assert all("expected" not in test for batch in batches for test in batch["tests"])
    assert str(10**12 + 1) not in job.harness_input().decode()


def test_it_sends_visible_tests_before_hidden_ones_in_their_own_batch():
    tests = (
        TestCase(id="t1", name="hidden first", args=[7, 7], expected=14),
        TestCase(id="t2", name="visible", visible=True, args=[1, 2], expected=3),
    )
    job = Job(source="def add(a, b):\n    return 0\n", tests=tests, entrypoint="add", checks="def c(calls):\n    pass\n")
    _, visible, hidden = frames(job.harness_input())
    assert [t["id"] for t in visible["tests"]] == ["t2"] and [t["id"] for t in hidden["tests"]] == ["t1"]
    # The checks module (the checker) never enters the candidate's sandbox.
    assert "def c(calls)" not in job.harness_input().decode()


def test_it_reports_a_runtime_error_with_type_and_line():
    result = run("def add(a, b):\n    x = {}\n    return x[a]\n")
    assert result.verdict is Verdict.RUNTIME_ERROR
    assert result.tests[0].message.startswith("KeyError on line 3")
    assert 'File "solution.py", line 3' in result.tests[0].stderr


def test_it_reports_a_syntax_error_without_running_tests():
    result = run("def add(a, b)\n    return a + b\n")
    assert result.verdict is Verdict.COMPILATION_ERROR
    assert "line 1" in result.message
    assert all(t.verdict is Verdict.COMPILATION_ERROR for t in result.tests)


def test_it_stops_an_infinite_loop_on_cpu_time():
    result = run("def add(a, b):\n    while True:\n        pass\n", tests=ADD_TESTS[:1])
    assert result.verdict is Verdict.TIME_LIMIT_EXCEEDED


def test_it_stops_a_sleeper_on_wall_time():
    result = run("import time\ndef add(a, b):\n    time.sleep(10**6)\n", tests=ADD_TESTS[:1])
    assert result.verdict is Verdict.TIME_LIMIT_EXCEEDED
    assert "wall-clock limit" in result.tests[0].message


def test_it_caps_output():
    result = run("def add(a, b):\n    print('x' * 10**7)\n    return a + b\n", tests=ADD_TESTS[:1])
    assert result.verdict is Verdict.OUTPUT_LIMIT_EXCEEDED


def test_it_reports_a_missing_entrypoint_as_a_runtime_error():
    result = run("def plus(a, b):\n    return a + b\n", tests=ADD_TESTS[:1])
    assert result.verdict is Verdict.RUNTIME_ERROR
    assert "'add'" in result.tests[0].message


def test_it_keeps_tests_independent_of_each_others_state():
    source = "calls = []\ndef add(a, b):\n    calls.append(1)\n    return a + b + len(calls) - 1\n"
    assert run(source).verdict is Verdict.ACCEPTED


def test_it_runs_stdio_programs_with_whitespace_insensitive_comparison():
    tests = (TestCase(id="t1", name="sum", visible=True, stdin="3 4\n", expected="7"),)
    source = "a, b = map(int, input().split())\nprint(a + b, '')\n"
    result = run(source, tests=tests, mode="stdio", entrypoint=None)
    assert result.verdict is Verdict.ACCEPTED
    wrong = run("print(0)\n", tests=tests, mode="stdio", entrypoint=None)
    assert wrong.verdict is Verdict.WRONG_ANSWER
    assert "-7" in wrong.tests[0].diff and "+0" in wrong.tests[0].diff


def test_it_treats_a_nonzero_exit_of_a_stdio_program_as_a_runtime_error():
    tests = (TestCase(id="t1", name="x", visible=True, stdin="", expected=""),)
    result = run("import sys\nsys.exit(3)\n", tests=tests, mode="stdio", entrypoint=None)
    assert result.verdict is Verdict.RUNTIME_ERROR
    assert "status 3" in result.tests[0].message


def test_it_judges_check_tests_with_the_checker_on_the_returned_data():
    checks = (
        "def big(calls):\n    for call in calls:\n        assert call['result'] == sum(call['args']), 'two and two make four'\n"
    )
    generators = "def pairs():\n    return {'calls': [[2, 2], [40, 2]]}\n"
    tests = (TestCase(id="t1", name="check", visible=True, generate="pairs", check="big"),)
    right = run("def add(a, b):\n    return a + b\n", tests=tests, checks=checks, generators=generators)
    assert right.verdict is Verdict.ACCEPTED
    wrong = run("def add(a, b):\n    return 4\n", tests=tests, checks=checks, generators=generators)
    assert wrong.verdict is Verdict.WRONG_ANSWER
    assert wrong.tests[0].message == "two and two make four"


def test_a_checker_that_cannot_read_the_result_gives_a_wrong_answer():
    checks = "def big(calls):\n    assert calls[0]['result'] + 1 == 5\n"
    tests = (TestCase(id="t1", name="check", visible=True, args=[2, 2], check="big"),)
    result = run("def add(a, b):\n    return object()\n", tests=tests, checks=checks)
    assert result.verdict is Verdict.WRONG_ANSWER
    assert "could not be checked" in result.tests[0].message


def test_a_check_test_can_judge_what_the_call_left_in_its_arguments():
    checks = "def unchanged(calls):\n    assert calls[0]['args_after'] == [[3, 1, 2]], 'the input was changed'\n    assert calls[0]['result'] == [1, 2, 3]\n"
    tests = (TestCase(id="t1", name="keeps input", visible=True, args=[[3, 1, 2]], check="unchanged", report_arguments=True),)
    assert run("def add(xs):\n    return sorted(xs)\n", tests=tests, checks=checks).verdict is Verdict.ACCEPTED
    in_place = run("def add(xs):\n    xs.sort()\n    return xs\n", tests=tests, checks=checks)
    assert in_place.verdict is Verdict.WRONG_ANSWER and in_place.tests[0].message == "the input was changed"


def test_it_builds_generated_inputs_inside_the_sandbox():
    generators = "def many():\n    return [list(range(100000)), 0]\n"
    tests = (TestCase(id="t1", name="gen", generate="many", expected=4999950000),)
    source = "def add(nums, start):\n    return sum(nums) + start\n"
    assert run(source, tests=tests, generators=generators).verdict is Verdict.ACCEPTED


def test_it_converts_numpy_results_to_plain_values():
    tests = (TestCase(id="t1", name="np", visible=True, args=[[1.0, 2.0]], expected=[2.0, 4.0]),)
    source = "import numpy as np\ndef add(xs):\n    return np.asarray(xs) * 2\n"
    assert run(source, tests=tests).verdict is Verdict.ACCEPTED


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"language": "cobol"}, "unknown_language"),
        ({"source": "   \n"}, "empty_source"),
        ({"source": "x = 1\n" * 20000}, "source_too_large"),
        ({"tests": ()}, "no_tests"),
        ({"limits": Limits(cpu_seconds=100)}, "invalid_limits"),
        ({"limits": Limits(memory_mb=1)}, "invalid_limits"),
        ({"mode": "repl"}, "invalid_mode"),
    ],
)
def test_it_refuses_bad_jobs_before_running_anything(changes, code):
    job = {"source": "def add(a, b):\n    return a + b\n", "tests": ADD_TESTS, "entrypoint": "add", **changes}
    with pytest.raises(JobError) as raised:
        run_job(Job(**job), BACKEND)
    assert raised.value.code == code
