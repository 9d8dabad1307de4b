"""A candidate's custom input for a function-mode question, typed as Python.

The text is the list of arguments to call the function with, written as Python
(``[None, [1, 2], 'a']``) or as JSON (``[null, [1, 2], "a"]``): the JSON words
``true``, ``false`` and ``null`` are read as ``True``, ``False`` and ``None``.
Only literals are read (nothing is evaluated), the way ``ast.literal_eval`` does, and
the result must be JSON data, since that is how the arguments travel to the sandbox.
Plain Python, no Django.
"""

from __future__ import annotations

import ast
import math
from typing import Any

from config.text import text_problem

JSON_WORDS = {"true": True, "false": False, "null": None}
PYTHON_WORDS = {"True": True, "False": False, "None": None}
MAX_DEPTH = 100
# Integers the sandbox's JSON can carry back and forth (Python refuses to print an int
# of more than 4,300 digits); far beyond what any question's argument needs.
MAX_INT_DIGITS = 1000


class CustomInputError(ValueError):
    """The text is not a list of arguments this page can send; ``message`` says why, for the candidate."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _value(node: ast.AST, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise CustomInputError("the input is nested too deeply")
    line, column = getattr(node, "lineno", None), getattr(node, "col_offset", None)
    where = f" (line {line}, column {column + 1})" if line is not None and column is not None else ""
    if isinstance(node, ast.Constant):
        value = node.value
        if value is None or isinstance(value, (bool, int, str)):
            return value
        if isinstance(value, float):
            if not math.isfinite(value):
                raise CustomInputError(f"infinite numbers cannot be sent as input{where}")
            return value
        kind = {bytes: "bytes", complex: "complex numbers"}.get(type(value), type(value).__name__)
        raise CustomInputError(f"{kind} are not supported in custom input{where}; use strings, numbers, lists and dicts")
    if isinstance(node, ast.Name):
        if node.id in PYTHON_WORDS:
            return PYTHON_WORDS[node.id]
        if node.id in JSON_WORDS:
            return JSON_WORDS[node.id]
        raise CustomInputError(f"unknown name {node.id!r}{where}: only literal values are read, like None, True, 3, 'text'")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _value(node.operand, depth + 1)
        if isinstance(operand, bool) or not isinstance(operand, (int, float)):
            raise CustomInputError(f"a sign goes before a number{where}")
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, (ast.List, ast.Tuple)):
        # A tuple travels as a list, as JSON has none.
        return [_value(item, depth + 1) for item in node.elts]
    if isinstance(node, ast.Dict):
        result = {}
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            if key_node is None:
                raise CustomInputError(f"** is not supported in custom input{where}")
            key = _value(key_node, depth + 1)
            if not isinstance(key, str):
                raise CustomInputError(f"dict keys must be strings in custom input{where}, like {{'a': 1}}")
            result[key] = _value(value_node, depth + 1)
        return result
    if isinstance(node, ast.Set):
        raise CustomInputError(f"sets are not supported in custom input{where}; use a list")
    if isinstance(node, ast.Call):
        raise CustomInputError(f"function calls are not run in custom input{where}; write the values themselves")
    raise CustomInputError(f"only literal values are read{where}, like None, True, 3, 'text', [1, 2], {{'a': 1}}")


def custom_input_parse(text: str, entrypoint: str | None = None) -> list[Any]:
    """The list of arguments written in ``text``, or CustomInputError saying what is wrong."""
    example = entrypoint or "the function"
    if not text.strip():
        raise CustomInputError("the custom input is empty")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        where = f" at line {exc.lineno}, column {exc.offset}" if exc.lineno and exc.offset else ""
        raise CustomInputError(f"this is not a Python or JSON value{where}: {exc.msg}") from None
    except (ValueError, MemoryError, RecursionError):
        raise CustomInputError("this is not a Python or JSON value") from None
    value = _value(tree.body)
    if not isinstance(tree.body, (ast.List, ast.Tuple)):
        raise CustomInputError(
            f"write the list of arguments to call {example} with, in square brackets, e.g. [[1, 2, 3], 4] for two arguments"
        )
    custom_input_check(value)
    return value


def custom_input_check(value: Any) -> None:
    """Refuses custom input the sandbox, the store or the display could not hold, however it
    came (typed as Python, or sent as JSON by the API): nested deeper than ``MAX_DEPTH``,
    text no database stores (NUL, lone surrogates), integers beyond ``MAX_INT_DIGITS``.
    Walks the value without recursion, so no depth can exhaust the caller's stack."""
    stack: list[tuple[Any, int, str]] = [(value, 0, "")]
    while stack:
        item, depth, where = stack.pop()
        if depth > MAX_DEPTH:
            raise CustomInputError(f"the input is nested too deeply (more than {MAX_DEPTH} levels)")
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                raise CustomInputError(f"the text{where} {problem}")
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if item.bit_length() > MAX_INT_DIGITS * 3.33:
                raise CustomInputError(f"the number{where} is too large (at most {MAX_INT_DIGITS} digits)")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise CustomInputError("infinite numbers cannot be sent as input")
        elif isinstance(item, list):
            stack.extend((child, depth + 1, f"{where}[{index}]") for index, child in enumerate(item))
        elif isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str) or text_problem(key):
                    raise CustomInputError(f"the key {key!r}{where} cannot be sent as input")
                stack.append((child, depth + 1, f"{where}[{key!r}]"))
        else:
            raise CustomInputError(f"{type(item).__name__} values cannot be sent as input")
