"""Custom input typed on the interview page: Python literals (or JSON), read, never run."""

from __future__ import annotations

import pytest

from grading.custom_input import CustomInputError, custom_input_parse


@pytest.mark.parametrize(
    ("text", "arguments"),
    [
        ("[None, 1]", [None, 1]),
        ("[null, true, false]", [None, True, False]),  # JSON keeps working
        ("[None, true, False]", [None, True, False]),  # and the two mix
        ('[[1, 2], {"a": [1.5, -2]}]', [[1, 2], {"a": [1.5, -2]}]),
        ("([2, 7, 11, 15], 9)", [[2, 7, 11, 15], 9]),  # a tuple, as the arguments of a call are
        ("[(1, 2), 'x']", [[1, 2], "x"]),
        ("  [\n  1,\n  2,\n]\n", [1, 2]),
    ],
)
def test_it_reads_python_and_json_literals(text, arguments):
    assert custom_input_parse(text, "two_sum") == arguments


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the custom input is empty"),
        ("[1, 2", "this is not a Python or JSON value at line 1"),
        ("5", "write the list of arguments to call two_sum with"),
        ("[1, nums]", "unknown name 'nums' (line 1, column 5)"),
        ("[__import__('os').system('id')]", "function calls are not run"),
        ("[{1, 2}]", "sets are not supported"),
        ("[{1: 2}]", "dict keys must be strings"),
        ("[b'x']", "bytes are not supported"),
        ("[1e999]", "infinite numbers"),
        ("[1 + 2]", "only literal values are read"),
        ("[-'a']", "a sign goes before a number"),
        # Escapes that read as text no database stores, and numbers JSON cannot carry back.
        ("['\\x00']", "NUL character"),
        ("['\\ud800']", "lone UTF-16 surrogate"),
        ("[0x" + "f" * 4000 + "]", "too large"),
    ],
)
def test_it_says_what_is_wrong(text, message):
    with pytest.raises(CustomInputError) as error:
        custom_input_parse(text, "two_sum")
    assert message in error.value.message
