"""What the interviewer asks next, and how a reply changes a grade. Plain Python, no Django.

A real interviewer does not collect an answer and stop: they ask about the weakest part
of it ("what happens when that cache node dies?"), and the reply decides the grade of
that part. Offline, the follow-ups are the probes the bank's authors wrote for each
rubric criterion (docs/question-format.md, "Probes"), aimed at the criteria this answer
is weakest on. A reply is graded against the criterion it probes: it can raise or
confirm that criterion's level, never lower it, and never touches the others, so a
follow-up can only help a candidate show what the first answer left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# At most this many follow-ups per answer (Codility asks up to three of ~2 minutes).
MAX_FOLLOW_UPS = 2
# A criterion at this level has nothing left to show: it is never probed.
TOP_LEVEL = 4


@dataclass(frozen=True)
class Probe:
    """One follow-up question aimed at one rubric criterion."""

    criterion_id: str
    criterion_name: str
    question: str


def weakest_criteria(rubric: Mapping[str, Any], levels: Mapping[str, int], *, limit: int = MAX_FOLLOW_UPS) -> list[str]:
    """The ids of the criteria most worth probing: lowest level first, then the heavier
    weight (it moves the score most), then the rubric's order. Criteria already at the top
    level, or with no probes, are left out."""
    order = {c["id"]: index for index, c in enumerate(rubric["criteria"])}
    candidates = [c for c in rubric["criteria"] if c.get("probes") and levels.get(c["id"], 0) < TOP_LEVEL]
    candidates.sort(key=lambda c: (levels.get(c["id"], 0), -float(c["weight"]), order[c["id"]]))
    return [c["id"] for c in candidates[: max(limit, 0)]]


def authored_probes(
    rubric: Mapping[str, Any],
    levels: Mapping[str, int],
    *,
    limit: int = MAX_FOLLOW_UPS,
    asked: Iterable[str] = (),
) -> list[Probe]:
    """The authored follow-ups for this answer: for each of its weakest criteria, the first
    probe not asked yet (``asked`` holds questions already put to the candidate)."""
    already = set(asked)
    by_id = {c["id"]: c for c in rubric["criteria"]}
    probes: list[Probe] = []
    for criterion_id in weakest_criteria(rubric, levels, limit=limit):
        criterion = by_id[criterion_id]
        question = next((p for p in criterion["probes"] if p not in already), None)
        if question is not None:
            probes.append(Probe(criterion_id=criterion_id, criterion_name=criterion["name"], question=question))
    return probes


def exchange_levels(levels: Mapping[str, int], replies: Mapping[str, int]) -> dict[str, int]:
    """The levels of the whole exchange: each probed criterion keeps the better of its
    level before and the level its reply earned; every other criterion is unchanged.

    ``replies`` maps a probed criterion's id to the level its reply was graded at; a reply
    for a criterion the answer's levels do not have is ignored (it cannot add a criterion).
    """
    merged = dict(levels)
    for criterion_id, level in replies.items():
        if criterion_id in merged:
            merged[criterion_id] = max(merged[criterion_id], min(max(int(level), 0), TOP_LEVEL))
    return merged


def coding_follow_up(spec: Mapping[str, Any]) -> Probe | None:
    """A coding question's follow-up after an accepted submission, or None if it has none.
    Its rubric is ``spec["follow_up"]["criteria"]``; the probe names the first criterion."""
    follow_up = spec.get("follow_up")
    if not follow_up:
        return None
    first = follow_up["criteria"][0]
    return Probe(criterion_id=first["id"], criterion_name=first["name"], question=follow_up["question"])
