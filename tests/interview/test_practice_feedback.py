"""After a practice interview, written answers come with feedback that teaches: what the
answer did and what a stronger one would add, in the rubric's words, then the rubric and
graded exemplars. Never the grader's key points or reasoning; nothing for assessments."""

from __future__ import annotations

import pytest

from interview.models import Answer
from interview.services import answer_rubric_grade
from tests.interview.conftest import position_of, start

pytestmark = pytest.mark.django_db

# The test bank's design-cache rubric: partitioning (weight 2) and eviction (weight 1).
TEXT = "Keys are spread with consistent hashing over the nodes. When memory is full we drop the least recently used keys (LRU)."


def _finished_with_graded_text(client, template, settings) -> tuple[int, dict]:
    settings.OPENAI_API_KEY = settings.OPENAI_BASE_URL = ""  # the local grader
    session = start(client, template)
    position = position_of(session, "free_text")
    saved = client.put(
        f"/api/sessions/{session['id']}/answers/{position}/", {"payload": {"text": TEXT}, "revision": 1}, format="json"
    )
    assert saved.status_code == 200
    assert client.post(f"/api/sessions/{session['id']}/finish/").status_code == 200
    answer = Answer.objects.get(session_question__session_id=session["id"], session_question__position=position)
    answer_rubric_grade(answer_id=answer.id)
    return session["id"], client.get(f"/api/sessions/{session['id']}/results/").json()["questions"][position - 1]


def test_practice_feedback_is_in_the_rubrics_words_with_the_next_level_to_reach(client_for, template, alice, settings):
    _, item = _finished_with_graded_text(client_for(alice), template, settings)
    coaching = item["coaching"]
    rubric_levels = {
        "partitioning": [
            "none",
            "mentions sharding",
            "hashing",
            "consistent hashing",
            "consistent hashing with virtual nodes and rebalancing",
        ],
        "eviction": ["none", "mentions eviction", "LRU", "LRU with TTLs", "approximated LRU with sampling and TTLs"],
    }
    for criterion in coaching["criteria"]:
        level = criterion["level"]
        descriptors = rubric_levels[criterion["id"]]
        assert criterion["strong"] == (descriptors[level] if level > 0 else "")
        # The next level's words, but never a weak answer's (levels 1 and 2) as advice.
        target = min(4, max(level + 1, 3))
        assert criterion["stronger"] == (descriptors[target] if level < 4 else "")
        assert criterion["stronger_level"] == (target if level < 4 else None)
    # The same advice rides on each criterion of the feedback, without the grader's reasoning.
    for criterion in item["feedback"]["criteria"]:
        assert "reasoning" not in criterion and "strong" in criterion and "stronger" in criterion
    # The rubric (names, descriptions, every level) and the bank's exemplars, after finishing.
    assert [r["name"] for r in coaching["rubric"]] == ["Partitioning", "Eviction"]
    assert [level["text"] for level in coaching["rubric"][0]["levels"]] == rubric_levels["partitioning"]
    assert sorted(e["level"] for e in coaching["exemplars"]) == [1, 2, 4]
    assert any("ANCHOR-MARKER-4" in e["answer"] for e in coaching["exemplars"])
    # Never the grader's internals: key points, synonyms or the RUBRIC-MARKER-only fields.
    flat = str(item)
    assert "key_points" not in flat and "virtual nodes]" not in flat and "synonyms" not in flat


def test_the_results_page_shows_the_advice_and_the_exemplars(client_for, template, alice, settings):
    client = client_for(alice)
    session_id, _ = _finished_with_graded_text(client, template, settings)
    client.force_login(alice)  # the page is for a signed-in browser
    page = client.get(f"/sessions/{session_id}/results/").content.decode()
    assert "A stronger answer would" in page and "A graded example answer at level 4 of 4" in page
    assert "ANCHOR-MARKER-4" in page
