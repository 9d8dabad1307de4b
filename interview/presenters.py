"""What a practice candidate reads after finishing: feedback that teaches without handing
out the grader's internals (no key points, no keyword lists, no grader reasoning)."""

from __future__ import annotations

from typing import Any


def _descriptor(criterion: dict[str, Any], level: int) -> str:
    levels = criterion.get("levels", {})
    return str(levels.get(level, levels.get(str(level), "")))


def written_coaching(spec: dict[str, Any], feedback: dict[str, Any]) -> dict[str, Any] | None:
    """Per criterion, in the rubric's own words: what the answer did (the descriptor of the
    level it reached) and what a stronger answer would add (the next level's descriptor);
    then the rubric's criteria and levels and the question's graded exemplar answers.

    Only for a finished practice session: the caller decides (assessments show nothing).
    None while the answer has no levels yet.
    """
    levels = {c["id"]: c.get("effective_level") for c in feedback.get("criteria", [])}
    if not levels or any(level is None for level in levels.values()):
        return None
    criteria = []
    for criterion in spec["criteria"]:
        level = levels.get(criterion["id"])
        if level is None:
            continue
        criteria.append(
            {
                "id": criterion["id"],
                "name": criterion["name"],
                "level": level,
                "strong": _descriptor(criterion, level) if level > 0 else "",
                "stronger": _descriptor(criterion, level + 1) if level < 4 else "",
            }
        )
    return {
        "criteria": criteria,
        "rubric": [
            {
                "name": c["name"],
                "description": c["description"],
                "levels": [{"level": n, "text": _descriptor(c, n)} for n in range(5)],
            }
            for c in spec["criteria"]
        ],
        "exemplars": [
            {"level": round(sum(_weight(spec, i) * lv for i, lv in a["levels"].items()) / _total(spec)), "answer": a["answer"]}
            for a in spec.get("anchors", [])
        ],
    }


def _weight(spec: dict[str, Any], criterion_id: str) -> float:
    return float(next((c["weight"] for c in spec["criteria"] if c["id"] == criterion_id), 0.0))


def _total(spec: dict[str, Any]) -> float:
    return float(sum(c["weight"] for c in spec["criteria"])) or 1.0
