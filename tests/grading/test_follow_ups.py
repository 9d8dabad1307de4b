"""The interviewer's choice of follow-ups and how a reply merges into a grade (pure logic),
on the bank's own rubrics as well as small ones."""

from __future__ import annotations

import pytest

from grading.follow_ups import (
    MAX_FOLLOW_UPS,
    authored_probes,
    coding_follow_up,
    exchange_levels,
    weakest_criteria,
)
from questions.bank_format import load_bank
from questions.check import DEFAULT_BANK


def _criterion(cid: str, weight: float = 1, probes: tuple[str, ...] = ("What happens when a node dies?",)) -> dict:
    return {"id": cid, "name": cid.title(), "weight": weight, "probes": list(probes)}


RUBRIC = {
    "criteria": [
        _criterion("estimates"),
        _criterion("partitioning", weight=2, probes=("A node joins: which keys move?", "How is the mapping stored?")),
        _criterion("replication", weight=2),
        _criterion("eviction", probes=()),
    ]
}


def test_it_probes_the_weakest_criteria_heaviest_first():
    levels = {"estimates": 1, "partitioning": 1, "replication": 3, "eviction": 0}
    # eviction is weakest but has no probe; of the two at level 1, partitioning weighs more.
    assert weakest_criteria(RUBRIC, levels) == ["partitioning", "estimates"]
    assert weakest_criteria(RUBRIC, levels, limit=1) == ["partitioning"]


def test_a_criterion_at_the_top_level_is_never_probed():
    levels = {"estimates": 4, "partitioning": 4, "replication": 4, "eviction": 0}
    assert weakest_criteria(RUBRIC, levels) == [] and authored_probes(RUBRIC, levels) == []


def test_each_probe_is_asked_once():
    levels = {"estimates": 2, "partitioning": 0, "replication": 3, "eviction": 2}
    first = authored_probes(RUBRIC, levels)
    assert [p.criterion_id for p in first] == ["partitioning", "estimates"]
    assert first[0].question == "A node joins: which keys move?" and first[0].criterion_name == "Partitioning"
    again = authored_probes(RUBRIC, levels, asked=[p.question for p in first])
    # Partitioning has a second probe; estimates has none left.
    assert [(p.criterion_id, p.question) for p in again] == [("partitioning", "How is the mapping stored?")]


def test_a_reply_raises_or_confirms_its_criterion_and_never_lowers_anything():
    levels = {"estimates": 1, "partitioning": 2, "replication": 3}
    assert exchange_levels(levels, {"partitioning": 4}) == {"estimates": 1, "partitioning": 4, "replication": 3}
    # A weak reply confirms the level it had; it does not take it down.
    assert exchange_levels(levels, {"replication": 0}) == levels
    # Out-of-range levels are clamped; an unknown criterion cannot be added by a reply.
    assert exchange_levels(levels, {"estimates": 9, "made_up": 4}) == {"estimates": 4, "partitioning": 2, "replication": 3}


def test_a_coding_follow_up_comes_from_the_question_or_not_at_all():
    assert coding_follow_up({"tests": []}) is None
    spec = {
        "follow_up": {
            "question": "What is the time complexity? What changes with duplicates?",
            "criteria": [{"id": "complexity", "name": "Complexity", "weight": 1}],
            "reference": "O(n).",
        }
    }
    probe = coding_follow_up(spec)
    assert probe.criterion_id == "complexity" and probe.question.startswith("What is the time complexity")


@pytest.mark.parametrize("bundle", [b for b in load_bank(DEFAULT_BANK) if b.manifest.rubric], ids=lambda b: b.slug)
def test_every_weak_answer_to_a_bank_question_gets_follow_ups(bundle):
    # A weak answer (level 1 everywhere) to any written question of the bank has follow-ups
    # to ask, on different criteria, each one of that criterion's own probes.
    rubric = bundle.spec()
    probes = authored_probes(rubric, {c["id"]: 1 for c in rubric["criteria"]})
    assert len(probes) == min(MAX_FOLLOW_UPS, len(rubric["criteria"]))
    assert len({p.criterion_id for p in probes}) == len(probes)
    by_id = {c["id"]: c for c in rubric["criteria"]}
    assert all(p.question in by_id[p.criterion_id]["probes"] for p in probes)
