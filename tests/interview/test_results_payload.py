"""The practice results payload teaches: options labelled as the candidate saw them with
the explanation per option, partial credit explained, tests by name and category, scores
explained in words, display names instead of stored ones; and it says when all is graded."""

from __future__ import annotations

import re

import pytest

from grading import services as grading_services
from grading.models import Submission
from interview.models import Answer
from interview.presenters import display_names, explanation_split
from interview.services import answer_rubric_grade
from tests.interview.conftest import position_of, start
from tests.interview.results_session import HALF_RIGHT, LEAKAGE_CORRECT, TEXT, results_template, seen_options

__all__ = ["results_template"]


def test_it_splits_an_explanation_by_the_options_it_cites():
    general, per_option = explanation_split(
        "Fit on the training part only.\n\n- (a) leaks: it uses the\n  validation labels.\n- (b) is `fine`.\n\nf(a) is a formula.",
        ["a", "b"],
    )
    assert per_option == {"a": "(a) leaks: it uses the validation labels.", "b": "(b) is `fine`."}
    assert general == "Fit on the training part only.\n\nf(a) is a formula."
    # Sentences of one paragraph, each about an option.
    general, per_option = explanation_split("Intro.\n\n(b) is backwards. (c) is false: see\n(b).", ["a", "b", "c"])
    assert general == "Intro." and per_option == {"b": "(b) is backwards.", "c": "(c) is false: see (b)."}
    # An explanation that cites no option stays whole, lists and all.
    text = "One step is `w - 4ηw`.\n\n- `η = 0.1`: factor 0.6."
    assert explanation_split(text, ["a", "b"]) == (text, {})


@pytest.mark.django_db
def test_the_results_explain_each_answer_and_score_and_say_when_grading_is_done(client_for, alice, results_template, settings):
    settings.OPENAI_API_KEY = settings.OPENAI_BASE_URL = ""  # the local grader
    client = client_for(alice)
    session = start(client, results_template)
    sid = session["id"]
    coding, choice = position_of(session, "coding"), position_of(session, "multiple_choice")
    numeric, written = position_of(session, "numeric"), position_of(session, "free_text")
    seen = seen_options(session, choice)
    picks = [o["id"] for o in seen if o["id"] in LEAKAGE_CORRECT][:2]  # 2 of the 3 correct, none wrong
    for position, payload in (
        (coding, {"source": HALF_RIGHT}),
        (choice, {"selected": picks}),
        (numeric, {"value": 0.755}),
        (written, {"text": TEXT}),
    ):
        response = client.put(f"/api/sessions/{sid}/answers/{position}/", {"payload": payload, "revision": 1}, format="json")
        assert response.status_code == 200, response.json()
    assert client.post(f"/api/sessions/{sid}/finish/").status_code == 200

    # Objective answers are graded at once; the code and the text are still being graded.
    results = client.get(f"/api/sessions/{sid}/results/").json()
    assert results["graded"] is False and results["score"] is None
    assert results["score_explanation"].startswith("2 of 4 questions graded so far.")
    by_position = {q["position"]: q for q in results["questions"]}
    assert by_position[coding]["grade_status"] == "pending" and by_position[coding]["score_explanation"] == ""

    # Multiple choice: labels A, B, C… in the order seen; picks beside the key; partial credit.
    mc = by_position[choice]
    assert mc["score"] == pytest.approx(66.67) and mc["kind_label"] == "Multiple choice"
    assert [o["label"] for o in mc["choice"]["options"]] == list("ABCDEF")
    assert [o["html"] for o in mc["choice"]["options"]] == [o["html"] for o in seen]
    label_of = {o["id"]: label for o, label in zip(seen, "ABCDEF", strict=True)}
    assert mc["choice"]["picked_labels"] == sorted(label_of[i] for i in picks)
    assert mc["choice"]["correct_labels"] == sorted(label_of[i] for i in LEAKAGE_CORRECT)
    assert all(set(o) == {"label", "html", "picked", "correct", "explanation_html"} for o in mc["choice"]["options"])
    assert mc["score_explanation"].startswith("2 of 3 correct picks, none wrong → 66.67/100")
    assert "each wrong pick takes one share away" in mc["choice"]["rule"]
    # Each option carries its own part of the explanation, citing it by its label.
    right_way = mc["choice"]["options"]["ABCDEF".index(label_of["c"])]
    assert right_way["explanation_html"] == f"<p>({label_of['c']}) is the correct way to do it.</p>\n"
    assert "must be fitted on the\ntraining part of each fold" in mc["choice"]["explanation_html"]
    assert "- (a)" not in str(mc["choice"]) and not re.search(r"\([a-f]\)", str(mc["choice"]))

    num = by_position[numeric]
    assert num["numeric"]["within"] is True and num["numeric"]["answer"] == 0.75 and num["numeric"]["tolerance"] == 0.01
    assert num["score_explanation"] == "Your 0.755 is within the tolerance of 0.75 ± 0.01 → 100/100."
    assert "NUMERIC-EXPLANATION-MARKER" in num["numeric"]["explanation_html"]
    assert "Return how many index pairs" in by_position[coding]["prompt_html"]

    # The workers' part, done here: run the submission, grade the text.
    submission_id = Answer.objects.get(session_question__session_id=sid, session_question__position=coding).submission_id
    assert Submission.objects.get(id=submission_id).status == Submission.Status.QUEUED
    grading_services.submission_run(submission_id=submission_id, worker="test")
    answer_rubric_grade(answer_id=Answer.objects.get(session_question__session_id=sid, session_question__position=written).id)

    results = client.get(f"/api/sessions/{sid}/results/").json()
    assert results["graded"] is True
    by_position = {q["position"]: q for q in results["questions"]}
    code = by_position[coding]
    assert code["score"] == 66.67
    assert code["score_explanation"] == "2 of 3 tests passed → 66.67/100 (each test counts equally)."
    assert code["coding"]["verdict_label"] == "Wrong answer"
    assert code["coding"]["visible_tests"] == [
        {
            "name": "example",
            "input": "count_pairs([1, 2, 3, 4], 5)",
            "expected": "2",
            "actual": "2",
            "message": "",
            "passed": True,
            "verdict_label": "Passed",
        }
    ]
    # Hidden tests by the bank's categories: counts and verdicts, never names or inputs.
    assert code["coding"]["hidden_groups"] == [
        {"name": "Edge cases", "passed": 1, "total": 1, "failures": []},
        {"name": "Repeated values", "passed": 0, "total": 1, "failures": [{"verdict_label": "Wrong answer", "count": 1}]},
    ]
    assert "SECRET-hidden" not in str(results) and "[2, 2, 2]" not in str(results)
    text = by_position[written]
    assert text["grade_status"] == "graded" and text["score_explanation"].startswith("Weighted levels: Partitioning level ")
    assert "consistent hashing" in text["written"]["answer_html"]
    scores = [by_position[p]["score"] for p in sorted(by_position)]
    assert results["score"] == round(sum(scores) / 4, 2)
    assert results["score_explanation"].startswith("The mean of your 4 question scores, each counting equally: (")
    assert results["score_explanation"].endswith(f"/ 4 = {results['score_display']}/100.")
    assert results["labels"] == display_names()
    assert results["labels"]["kinds"]["multiple_choice"] == "Multiple choice"
    assert results["labels"]["verdicts"]["time_limit_exceeded"] == "Time limit exceeded"


@pytest.mark.django_db
def test_a_single_answer_question_explains_the_pick_against_the_key(client_for, alice, results_template):
    from interview.presenters import choice_review, score_explained

    spec = {"options": [{"id": i, "text": i} for i in "abc"], "correct": ["b"], "multiple": False, "explanation": "- (b) yes."}
    review = choice_review(spec, ["c", "b", "a"], {"selected": ["a"]})
    assert review["picked_labels"] == ["C"] and review["correct_labels"] == ["B"]
    assert score_explained("multiple_choice", 0.0, review, spec, {}) == "You picked C; the correct option is B → 0/100."
    assert review["options"][1]["explanation_html"] == "<p>(B) yes.</p>\n"
