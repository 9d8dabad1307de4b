"""What a candidate reads of tests and errors: Python calls and values, Python's tracebacks."""

from __future__ import annotations

from sandbox.display import call_text, python_literal, python_render, syntax_error_traceback, visible_input_text
from sandbox.jobs import Job, Limits, TestCase, Verdict, candidate_view, grade


def test_a_call_reads_as_python_not_as_the_harness_calls_it():
    assert call_text("two_sum", [[2, 7, 11, 15], 9]) == "two_sum([2, 7, 11, 15], 9)"
    assert call_text("f", [None, True, "a"], {"k": False}) == "f(None, True, 'a', k=False)"
    assert visible_input_text("stdio", None, stdin="3\n1 2 3\n") == "3\n1 2 3\n"
    assert visible_input_text("function", "f", args=None) is None  # generated input


def test_values_read_as_python():
    assert python_literal({"a": [None, 1.5]}) == "{'a': [None, 1.5]}"
    assert python_literal({"__float__": "nan"}) == "float('nan')"
    assert python_literal({"__repr__": "<Node 3>"}) == "<Node 3>"


def test_a_syntax_error_reads_as_python_prints_it():
    error = {"type": "SyntaxError", "message": "invalid syntax", "line": 2, "offset": 18, "text": "    return nums +* target\n"}
    assert syntax_error_traceback(error) == (
        '  File "solution.py", line 2\n    return nums +* target\n' + " " * 17 + "^\nSyntaxError: invalid syntax"
    )


JOB = Job(
    source="def f(a, b):\n    return a\n",
    entrypoint="f",
    limits=Limits(cpu_seconds=1.0),
    tests=(
        TestCase(id="t1", name="example", visible=True, args=[[1, None], 2], expected=[1, None]),
        TestCase(id="custom", name="custom input", visible=True, args=[None, 1], compare=False),
        TestCase(id="h1", name="SECRET", visible=False, args=[[9], 9], expected=[9]),
    ),
)


def test_visible_tests_carry_their_input_and_hidden_ones_do_not():
    report = {
        "started": True,
        "tests": [
            {"id": "t1", "status": "ok", "value": [1, None], "cpu_seconds": 0.01},
            {"id": "custom", "status": "ok", "value": None, "cpu_seconds": 0.01},
            {"id": "h1", "status": "ok", "value": [9], "cpu_seconds": 0.01},
        ],
    }
    result = grade(JOB, report)
    example, custom, _hidden = result.tests
    assert example.input == "f([1, None], 2)" and example.expected == "[1, None]" and example.actual == "[1, None]"
    assert custom.input == "f(None, 1)" and custom.compared is False and custom.expected is None
    assert custom.message == "ran — no expected output to compare"
    assert result.message == "all 2 tests passed; your custom input ran (no expected output to compare)"
    view = candidate_view(result.as_dict())
    assert "input" not in view["tests"][2] and "[9]" not in str(view["tests"][2])


def test_a_runtime_error_names_its_line_and_a_timeout_states_both_limits():
    report = {
        "started": True,
        "tests": [
            {
                "id": "t1",
                "status": "exception",
                "type": "ZeroDivisionError",
                "message": "division by zero",
                "line": 2,
                "traceback": '  File "solution.py", line 2, in f\n    return a / 0\nZeroDivisionError: division by zero\n',
            },
            {"id": "custom", "status": "timeout", "cpu_seconds": 1.0},
            {"id": "h1", "status": "signal", "signal": 24, "cpu_seconds": 1.0},
        ],
    }
    example, custom, hidden = grade(JOB, report).tests
    assert example.verdict is Verdict.RUNTIME_ERROR and example.line == 2
    assert example.stderr.startswith('  File "solution.py", line 2')
    assert custom.verdict is Verdict.TIME_LIMIT_EXCEEDED
    assert custom.message == (
        "took too long: stopped at the 3 s wall-clock limit (limits per test: 1 s of CPU time, 3 s wall clock)"
    )
    assert hidden.message == "used more than 1 s of CPU time (limits per test: 1 s of CPU time, 3 s wall clock)"


def test_a_compile_error_carries_a_traceback_built_from_its_fields():
    report = {
        "started": True,
        "tests": [],
        "compile_error": {"type": "SyntaxError", "message": "invalid syntax", "line": 1, "offset": 5, "text": "def (:\n"},
    }
    result = grade(JOB, report)
    assert result.verdict is Verdict.COMPILATION_ERROR
    assert result.compile_error["traceback"] == '  File "solution.py", line 1\n    def (:\n        ^\nSyntaxError: invalid syntax'


def test_a_value_nested_past_the_display_depth_reads_as_an_ellipsis_without_recursing_further():
    from sandbox.display import MAX_DEPTH

    value: list = []
    for _ in range(MAX_DEPTH + 50):
        value = [value]
    text = python_render(value)
    assert "…" in text and text.startswith("[" * (MAX_DEPTH + 1))
