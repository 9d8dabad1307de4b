"""How test inputs and values read to a Python candidate: as Python, not as JSON.

A visible test's arguments are stored as JSON (``[[2, 7, 11, 15], 9]``); a candidate
reads the call they stand for, ``two_sum([2, 7, 11, 15], 9)``, with ``None`` and
``True`` rather than ``null`` and ``true``. Plain Python, no Django.
"""

from __future__ import annotations

from typing import Any

MAX_CHARS = 2000


# Deeper values read as "…": the display never recurses further, whoever made the value.
MAX_DEPTH = 60


def python_literal(value: Any, depth: int = 0) -> str:
    """The Python source for a JSON value, as ``repr`` writes it.

    The harness's markers for values JSON cannot hold read as what they stand for:
    ``{"__float__": "nan"}`` is ``float('nan')``, ``{"__repr__": text}`` is the text.
    """
    if depth > MAX_DEPTH and isinstance(value, (dict, list)):
        return "…"
    if isinstance(value, dict):
        if set(value) == {"__float__"}:
            return f"float({value['__float__']!r})"
        if set(value) == {"__repr__"} and isinstance(value["__repr__"], str):
            return value["__repr__"]
        return "{" + ", ".join(f"{python_literal(k, depth + 1)}: {python_literal(v, depth + 1)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(item, depth + 1) for item in value) + "]"
    return repr(value)


def python_render(value: Any, limit: int = MAX_CHARS) -> str:
    """A returned or expected value for display, as Python writes it, capped."""
    return _capped(python_literal(value), limit)


def _capped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text) - limit} more characters)"


def call_text(entrypoint: str, args: list[Any] | None, kwargs: dict[str, Any] | None = None, *, limit: int = MAX_CHARS) -> str:
    """The call a function-mode test makes, e.g. ``two_sum([2, 7, 11, 15], 9)``."""
    parts = [python_literal(a) for a in args or []]
    parts += [f"{key}={python_literal(value)}" for key, value in (kwargs or {}).items()]
    return _capped(f"{entrypoint}({', '.join(parts)})", limit)


def visible_input_text(
    mode: str, entrypoint: str | None, *, args: Any = None, kwargs: Any = None, stdin: str | None = None
) -> str | None:
    """What a visible test feeds the candidate's code, for display; None when it is
    generated (made by the question's generator at run time) or there is none."""
    if mode == "stdio":
        return _capped(stdin, MAX_CHARS) if stdin is not None else None
    if args is None and kwargs is None:
        return None
    return call_text(entrypoint or "solution", list(args or []), dict(kwargs or {}))


def syntax_error_traceback(error: dict[str, Any], filename: str = "solution.py") -> str:
    """A compile error as Python prints it: the file and line, the code, a caret, the error."""
    lines = []
    line = error.get("line")
    lines.append(f'  File "{filename}"' + (f", line {line}" if line else ""))
    text = (error.get("text") or "").rstrip("\n")
    if text.strip():
        stripped = text.lstrip()
        lines.append(f"    {stripped}")
        offset = error.get("offset")
        if isinstance(offset, int) and offset > 0:
            caret = max(0, offset - 1 - (len(text) - len(stripped)))
            lines.append("    " + " " * min(caret, len(stripped)) + "^")
    lines.append(f"{error.get('type') or 'SyntaxError'}: {error.get('message') or ''}".rstrip(": ").rstrip())
    return "\n".join(lines)
