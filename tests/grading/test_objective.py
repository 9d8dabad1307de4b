"""Objective scoring: single-answer choice, select-all-that-apply partial credit, numeric."""

from __future__ import annotations

import pytest

from grading.objective import multiple_choice_grade, multiple_choice_score, numeric_grade

FOUR_OF_SIX = {
    "options": [{"id": i, "text": i.upper()} for i in "abcdef"],
    "correct": ["a", "b", "d", "f"],
    "multiple": True,
    "explanation": "why",
}
SINGLE = {"options": [{"id": i, "text": i} for i in "abc"], "correct": ["b"], "multiple": False, "explanation": "why"}


@pytest.mark.parametrize(
    ("selected", "score"),
    [
        (["a", "b", "d", "f"], 100.0),  # exactly right
        (["a", "b", "d"], 75.0),  # 3 of 4, none wrong
        (["a", "b", "d", "f", "c"], 75.0),  # all 4 and 1 wrong
        (["a", "c", "e"], 0.0),  # 1 right, 2 wrong: never below zero
        (["a", "b", "c"], 25.0),  # 2 right, 1 wrong
        (["a", "b", "c", "d", "e", "f"], 50.0),  # picking everything is not a strategy
        ([], 0.0),
        (["c", "e"], 0.0),
    ],
)
def test_it_gives_each_correct_pick_its_share_and_takes_one_per_wrong_pick(selected, score):
    grade = multiple_choice_grade(FOUR_OF_SIX, {"selected": selected})
    assert grade.score == score
    assert grade.feedback["correct_picks"] == len(set(selected) & {"a", "b", "d", "f"})
    assert grade.feedback["wrong_picks"] == len(set(selected) - {"a", "b", "d", "f"})
    assert grade.feedback["multiple"] is True


def test_it_rounds_thirds_to_two_decimals():
    three = {**FOUR_OF_SIX, "correct": ["a", "b", "c"]}
    assert multiple_choice_score(correct={"a", "b", "c"}, selected={"a", "b", "d"}, multiple=True) == 33.33
    assert multiple_choice_grade(three, {"selected": ["a", "b"]}).score == 66.67


@pytest.mark.parametrize(("selected", "score"), [(["b"], 100.0), (["a"], 0.0), ([], 0.0)])
def test_single_answer_questions_stay_all_or_nothing(selected, score):
    grade = multiple_choice_grade(SINGLE, {"selected": selected})
    assert grade.score == score
    assert grade.feedback["correct"] == ["b"] and grade.feedback["selected"] == selected


def test_it_keeps_numeric_answers_all_or_nothing_within_the_tolerance():
    spec = {"answer": 0.75, "tolerance": 0.01, "explanation": "why"}
    assert numeric_grade(spec, {"value": 0.759}).score == 100.0
    assert numeric_grade(spec, {"value": 0.77}).score == 0.0
    assert numeric_grade(spec, {}).score == 0.0
