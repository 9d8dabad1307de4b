"""The session payload the interview page reads: options labelled in the order shown,
examples as calls, the limits stated, and prompts that agree with the word counter."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from grading.models import Submission
from interview.models import InterviewSession, SessionQuestion
from interview.presenters import display_names
from tests.conftest import error_code
from tests.interview.conftest import start

BANK = Path(__file__).resolve().parents[2] / "questions" / "bank"


def test_options_are_labelled_in_the_sessions_order(client_for, alice, template):
    client = client_for(alice)
    session = start(client, template)
    SessionQuestion.objects.filter(session_id=session["id"], position=2).update(option_order=["c", "a", "b"])
    options = client.get(f"/api/sessions/{session['id']}/").json()["questions"][1]["content"]["options"]
    assert [(o["label"], o["id"]) for o in options] == [("A", "c"), ("B", "a"), ("C", "b")]


def test_the_page_and_the_results_name_kinds_and_verdicts_alike(client_for, alice, template):
    labels = start(client_for(alice), template)["labels"]
    assert labels == display_names()
    assert labels["verdicts"]["wrong_answer"] == "Wrong answer" and labels["kinds"]["free_text"] == "Written"
    assert all("_" not in name for group in labels.values() for name in group.values())


def test_coding_content_shows_examples_as_calls_and_both_time_limits(client_for, alice, template):
    session = start(client_for(alice), template)
    content = session["questions"][0]["content"]
    assert content["visible_tests"][0]["input_text"] == "count_pairs([1, 2, 3, 4], 5)"
    assert content["visible_tests"][0]["expected_text"] == "2"
    assert content["time_limit_seconds"] == 1 and content["wall_limit_seconds"] == 3.0


def test_every_written_prompt_states_the_word_limit_the_counter_counts():
    stated = re.compile(r"(\d[\d,]*) words")
    checked = 0
    for path in BANK.glob("*/*/question.yaml"):
        question = yaml.safe_load(path.read_text())
        if question.get("kind") != "free_text":
            continue
        limit = question["rubric"].get("max_words", 1500)
        for number in stated.findall((path.parent / "prompt.md").read_text()):
            assert int(number.replace(",", "")) == limit, f"{path.parent.name}: the prompt says {number}, max_words is {limit}"
            checked += 1
    assert checked >= 3


def test_a_run_in_an_interview_takes_a_python_literal(client_for, alice, template, django_capture_on_commit_callbacks):
    client = client_for(alice)
    session = start(client, template)
    with django_capture_on_commit_callbacks():
        response = client.post(
            f"/api/sessions/{session['id']}/answers/1/run/",
            {"source": "def count_pairs(nums, target):\n    return 0\n", "custom_input": "[[1, None], True]"},
            format="json",
        )
    assert response.status_code == 202, response.json()
    assert Submission.objects.get(id=response.json()["id"]).custom_input == [[1, None], True]


def test_a_bad_custom_input_is_a_400_naming_the_problem(client_for, alice, template):
    client = client_for(alice)
    session = start(client, template)
    response = client.post(
        f"/api/sessions/{session['id']}/answers/1/run/",
        {"source": "def count_pairs(nums, target):\n    return 0\n", "custom_input": "[1, nums]"},
        format="json",
    )
    assert response.status_code == 400 and error_code(response) == "invalid_custom_input"
    assert "unknown name 'nums'" in response.json()["error"]["message"]
    assert not Submission.objects.exists()
    assert InterviewSession.objects.get(id=session["id"]).status == "in_progress"
