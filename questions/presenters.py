"""What each audience may see of a question version.

The stored ``spec`` holds answers: expected outputs, hidden tests, reference
solutions, correct options, rubrics. ``candidate_content`` builds what a candidate
may see by allow-listing fields, so anything added to a spec later stays hidden
until someone decides to show it.
"""

from __future__ import annotations

from typing import Any

from questions.bank_format import Kind
from questions.markdown import render_markdown
from questions.models import QuestionVersion
from sandbox.display import python_literal, visible_input_text
from sandbox.jobs import Limits


def candidate_content(version: QuestionVersion) -> dict[str, Any]:
    spec = version.spec
    kind = version.question.kind
    if kind == Kind.CODING:
        visible = [
            {
                "name": t["name"],
                **({"args": t["args"]} if t.get("args") is not None else {}),
                **({"kwargs": t["kwargs"]} if t.get("kwargs") is not None else {}),
                **({"stdin": t["stdin"]} if t.get("stdin") is not None else {}),
                **({"expected": t["expected"]} if not t.get("check") and not t.get("generate") else {}),
                **({"check": t["check"]} if t.get("check") else {}),
                # As the candidate writes it: ``two_sum([2, 7, 11, 15], 9)``, and ``None``, not ``null``.
                "input_text": visible_input_text(
                    spec["mode"], spec.get("entrypoint"), args=t.get("args"), kwargs=t.get("kwargs"), stdin=t.get("stdin")
                ),
                **(
                    {"expected_text": t["expected"] if spec["mode"] == "stdio" else python_literal(t["expected"])}
                    if not t.get("check") and not t.get("generate") and "expected" in t
                    else {}
                ),
            }
            for t in spec["tests"]
            if t.get("visible")
        ]
        return {
            "language": spec["language"],
            "mode": spec["mode"],
            "entrypoint": spec.get("entrypoint"),
            "starter": spec["starter"],
            "time_limit_seconds": spec["time_limit_seconds"],
            "memory_limit_mb": spec["memory_limit_mb"],
            # The hard stop per test, for code that sleeps or waits: the sandbox's own rule.
            "wall_limit_seconds": Limits(cpu_seconds=float(spec["time_limit_seconds"])).wall_seconds,
            "visible_tests": visible,
            "hidden_test_count": sum(1 for t in spec["tests"] if not t.get("visible")),
        }
    if kind == Kind.MULTIPLE_CHOICE:
        return {
            "multiple": spec["multiple"],
            "options": [{"id": o["id"], "text": o["text"], "html": render_markdown(o["text"])} for o in spec["options"]],
        }
    if kind == Kind.NUMERIC:
        return {"unit": spec.get("unit", "")}
    return {"max_words": spec["max_words"]}


def answer_key(version: QuestionVersion) -> dict[str, Any]:
    """Everything a grader needs: for recruiters and staff only."""
    return version.spec
