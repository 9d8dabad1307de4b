"""Question files that carry text the service cannot store are refused, naming the file and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from questions.bank_format import BankInvalid, load_bank

DATA = Path(__file__).resolve().parents[1] / "data" / "bank"


@pytest.fixture
def question(tmp_path) -> Path:
    target = tmp_path / "bank" / "python_dsa" / "sum-pairs"
    shutil.copytree(DATA / "python_dsa" / "sum-pairs", target)
    return target


def _errors(root: Path) -> list[str]:
    with pytest.raises(BankInvalid) as raised:
        load_bank(root)
    return [str(error) for error in raised.value.errors]


def test_a_control_character_in_a_file_names_the_file_and_the_line(question):
    prompt = question / "prompt.md"
    prompt.write_text(prompt.read_text() + "\nsecond\nthird \x01 line\n")
    (error,) = _errors(question.parent.parent)
    assert error.startswith("python_dsa/sum-pairs/prompt.md: line ")
    assert "control character (U+0001" in error
    assert f"line {prompt.read_text().split(chr(1))[0].count(chr(10)) + 1}:" in error


def test_a_nul_in_a_manifest_value_names_the_field(question):
    manifest = question / "question.yaml"
    text = manifest.read_text()
    manifest.write_text(text.replace("topics: [", 'topics: ["a\\uFFFE", ', 1))
    (error,) = _errors(question.parent.parent)
    assert error.startswith("python_dsa/sum-pairs/question.yaml: topics[0]: contains a Unicode non-character (U+FFFE")
