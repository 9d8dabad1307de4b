"""Text the service can store, render, grade and export — and what it cannot.

Plain Python, no Django: the question-file checker, the API's request parsers and
the page forms all ask the same question of every piece of text that comes in.
PostgreSQL cannot store NUL, UTF-8 cannot encode a lone UTF-16 surrogate (which
JSON's ``\\ud800`` escape produces), and spreadsheets and PDFs refuse the other C0
control characters; Unicode's non-characters are reserved for a program's own use
and never belong in interchanged text. Tab, line feed, carriage return and form
feed are ordinary text.
"""

from __future__ import annotations

import re

_NONCHARACTERS = "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0e-\x1f\ud800-\udfff\ufdd0-\ufdef" + re.escape(_NONCHARACTERS) + "]")


def first_unstorable(text: str) -> int:
    """Where the first character ``text`` cannot hold is, or -1."""
    found = _UNSTORABLE.search(text)
    return found.start() if found else -1


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be accepted, in words, or None when it can."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        kind = "a lone UTF-16 surrogate"
    elif code == 0:
        kind = "a NUL character"
    elif code < 0x20:
        kind = "a control character"
    else:
        kind = "a Unicode non-character"
    return f"contains {kind} (U+{code:04X} at position {found.start()}), which cannot be stored"


def text_repair(text: str) -> str:
    """``text`` with every character it cannot hold replaced by U+FFFD, for values stored before the check."""
    return _UNSTORABLE.sub("\ufffd", text)


def data_problems(value: object, path: str = "", *, max_int: int = 2**63 - 1) -> tuple[str, str] | None:
    """The first (path, problem) in JSON-like data: unstorable text in a key or a string,
    or an integer out of the 64-bit range every id and counter is stored in."""
    stack: list[tuple[object, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                return where or "(body)", problem
        elif isinstance(item, bool) or item is None or isinstance(item, float):
            continue
        elif isinstance(item, int):
            if not -max_int - 1 <= item <= max_int:
                return where or "(body)", f"is out of range (at most {max_int} in size)"
        elif isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                key_text = str(key)
                problem = text_problem(key_text)
                if problem:
                    return (f"{where}." if where else "") + repr(key_text)[1:-1], f"(a field name) {problem}"
                stack.append((child, f"{where}.{key_text}" if where else key_text))
        elif isinstance(item, (list, tuple)):
            stack.extend((child, f"{where}[{index}]") for index, child in reversed(list(enumerate(item))))
    return None


def data_repair(value: object) -> object:
    """JSON-like data with every string (and key) passed through ``text_repair``."""
    if isinstance(value, str):
        return text_repair(value)
    if isinstance(value, list):
        return [data_repair(item) for item in value]
    if isinstance(value, dict):
        return {text_repair(str(key)): data_repair(item) for key, item in value.items()}
    return value
