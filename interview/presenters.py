"""What a practice candidate reads after finishing: feedback that teaches without handing
out the grader's internals (no key points, no keyword lists, no grader reasoning)."""

from __future__ import annotations

from typing import Any

from grading.rubric import weighted_score


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
            # Its overall level: the weighted mean of its criterion levels (the import's rule).
            {"level": round(weighted_score(spec, a["levels"]) / 25), "answer": a["answer"]}
            for a in spec.get("anchors", [])
        ],
    }
