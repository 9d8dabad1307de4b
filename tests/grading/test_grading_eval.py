"""`manage.py grading_eval`: agreement with human levels, on the shipped labeled set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from grading.agreement import quadratic_weighted_kappa, spearman
from questions.services import bank_import
from tests.conftest import DATA
from tests.fake_openai import FakeOpenAI

BANK = Path(__file__).resolve().parents[2] / "questions" / "bank" / "system_design"


@pytest.fixture
def design_bank(db):
    bank_import(root=BANK)


def test_the_metrics_are_right_on_known_cases():
    assert quadratic_weighted_kappa([0, 1, 2, 3, 4], [0, 1, 2, 3, 4]) == pytest.approx(1.0)
    assert quadratic_weighted_kappa([0, 0, 4, 4], [4, 4, 0, 0]) < 0
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 2, 3], [3, 2, 2, 1]) == pytest.approx(-1.0)


def test_the_labeled_set_is_graded_and_every_injection_is_flagged(design_bank, capsys, tmp_path):
    data = json.loads((DATA / "grading_eval.json").read_text())
    assert len(data["items"]) >= 30 and len({i["question"] for i in data["items"]}) >= 3
    call_command("grading_eval", str(DATA / "grading_eval.json"), "--grader", "local", "--json", str(tmp_path / "figures.json"))
    out = capsys.readouterr().out
    assert "grader: local; items graded: 36 of 36" in out and "OVERALL" in out
    figures = json.loads((tmp_path / "figures.json").read_text())
    assert figures["injections"] == 9 and figures["injections_flagged"] == 9 and figures["injections_auto_passed"] == 0
    # The local grader is a keyword matcher, yet it must track the human ranking.
    assert figures["overall"]["spearman"] > 0.5 and figures["overall"]["adjacent"] > 0.6


def test_it_measures_the_llm_grader_with_cost(design_bank, settings, capsys, tmp_path):
    fake = FakeOpenAI().start()
    settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY, settings.LLM_BACKOFF_SECONDS = fake.base_url, "k", 0.01
    try:
        items = [i for i in json.loads((DATA / "grading_eval.json").read_text())["items"] if i["question"] == "url-shortener"][:2]
        for item in items:
            fake.reply_grade(item["levels"])
        path = tmp_path / "two.json"
        path.write_text(json.dumps({"items": items}))
        call_command("grading_eval", str(path))
    finally:
        fake.stop()
    out = capsys.readouterr().out
    assert "grader: llm; items graded: 2 of 2" in out
    assert "OVERALL                                     10   1.00" in out
    assert "cost: $0.0007 in all" in out  # 2 * (1200 * 0.15 + 300 * 0.60) per million


def test_it_refuses_a_bad_file(db, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"items": [{"id": "x"}]}')
    with pytest.raises(CommandError, match=r"bad.json: items\[0\].question: missing"):
        call_command("grading_eval", str(bad), "--grader", "local")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("grading_eval", str(tmp_path / "missing.json"), "--grader", "local")
