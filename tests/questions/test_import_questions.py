"""The bank importer: validation with file-and-field errors, all-or-nothing, versions, export."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from questions.bank_format import BankInvalid, load_bank
from questions.models import Question, QuestionVersion
from questions.services import bank_export, bank_import
from tests.conftest import DATA


@pytest.fixture
def bank_copy(tmp_path: Path) -> Path:
    target = tmp_path / "bank"
    shutil.copytree(DATA / "bank", target)
    return target


def _errors(root: Path) -> list[str]:
    with pytest.raises(BankInvalid) as raised:
        bank_import(root=root)
    return [str(e) for e in raised.value.errors]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def test_it_imports_every_kind(db, bank_copy):
    report = bank_import(root=bank_copy)
    assert sorted(report.created) == ["auc-value", "design-cache", "pick-metric", "sum-pairs"]
    coding = Question.objects.get(slug="sum-pairs").current_version
    assert coding.number == 1
    assert coding.spec["tests"][1]["expected"] == 3
    assert "<p>Return how many index pairs" in coding.prompt_html
    assert {t.slug for t in coding.topics.all()} == {"arrays", "hashing"}


def test_it_is_idempotent(db, bank_copy):
    bank_import(root=bank_copy)
    report = bank_import(root=bank_copy)
    assert report.created == [] and report.updated == []
    assert len(report.unchanged) == 4
    assert QuestionVersion.objects.count() == 4


def test_an_edit_makes_a_new_version_and_keeps_the_old_one(db, bank_copy):
    bank_import(root=bank_copy)
    first = Question.objects.get(slug="sum-pairs").current_version
    _edit(bank_copy / "python_dsa/sum-pairs/prompt.md", "Return how many", "Count how many")
    report = bank_import(root=bank_copy)
    assert report.updated == ["sum-pairs"]
    question = Question.objects.get(slug="sum-pairs")
    assert question.current_version.number == 2
    assert "Count how many" in question.current_version.prompt_markdown
    first.refresh_from_db()
    assert "Return how many" in first.prompt_markdown
    assert question.versions.count() == 2


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "python_dsa/sum-pairs/question.yaml",
            "track: python_dsa",
            "track: python",
            "python_dsa/sum-pairs/question.yaml: track: Input should be 'python_dsa'",
        ),
        (
            "python_dsa/sum-pairs/question.yaml",
            "kind: coding",
            "kind: essay",
            "python_dsa/sum-pairs/question.yaml: kind: Input should be",
        ),
        (
            "python_dsa/sum-pairs/question.yaml",
            "      expected: 2\n",
            "",
            "python_dsa/sum-pairs/question.yaml: coding.tests[0]: an args or stdin test needs 'expected'",
        ),
        (
            "python_dsa/sum-pairs/question.yaml",
            "difficulty: easy",
            "difficulty: trivial",
            "question.yaml: difficulty: Input should be 'easy', 'medium' or 'hard'",
        ),
        (
            "python_dsa/sum-pairs/question.yaml",
            "topics: [arrays, hashing]",
            "topics: [arrays, hashing]\ncolour: blue",
            "question.yaml: colour: Extra inputs are not permitted",
        ),
        (
            "python_dsa/sum-pairs/question.yaml",
            "time_limit_seconds: 1",
            "time_limit_seconds: 600",
            "question.yaml: coding.time_limit_seconds: Input should be less than or equal to 20",
        ),
        (
            "python_dsa/sum-pairs/question.yaml",
            "slug: sum-pairs",
            "slug: pairs",
            "question.yaml: slug: must match the folder name 'sum-pairs'",
        ),
        (
            "python_dsa/sum-pairs/question.yaml",
            "title: Count",
            "title: [Count",
            "python_dsa/sum-pairs/question.yaml: line 3: not valid YAML",
        ),
        (
            "ml_fundamentals/pick-metric/question.yaml",
            "correct: [b]",
            "correct: [z]",
            "pick-metric/question.yaml: choice: 'correct' names options that do not exist: z",
        ),
        (
            "system_design/design-cache/question.yaml",
            "weight: 2",
            "weight: 0",
            "design-cache/question.yaml: rubric.criteria[0].weight: Input should be greater than 0",
        ),
        (
            "system_design/design-cache/question.yaml",
            "4: consistent hashing with virtual nodes and rebalancing",
            "5: too many",
            "rubric.criteria[0].levels: levels must describe exactly 0, 1, 2, 3 and 4; missing [4]; unknown [5]",
        ),
        (
            "system_design/design-cache/question.yaml",
            "      key_points: [consistent hashing, virtual nodes]",
            "      key_points: [consistent hashing, virtual nodes]\n      probes: [a, b, c, d]",
            "rubric.criteria[0].probes: List should have at most 3 items",
        ),
        (
            "python_dsa/sum-pairs/question.yaml",
            "entrypoint: count_pairs",
            "entrypoint: count_pairs\n  follow_up: {question: 'What is the time complexity?', reference: 'O(n) with one hash map pass.'}",
            "coding.follow_up.criteria: Field required",
        ),
        (
            "python_dsa/sum-pairs/question.yaml",
            "entrypoint: count_pairs",
            "entrypoint: count_all_pairs",
            "sum-pairs/solution.py: coding.entrypoint: the solution defines no function 'count_all_pairs'",
        ),
    ],
)
def test_it_names_the_file_and_field_of_every_problem_and_writes_nothing(db, bank_copy, file, old, new, expected):
    _edit(bank_copy / file, old, new)
    errors = _errors(bank_copy)
    assert any(expected in e for e in errors), errors
    assert Question.objects.count() == 0


def test_it_rejects_a_reference_solution_that_fails_its_own_tests(db, bank_copy):
    _edit(bank_copy / "python_dsa/sum-pairs/question.yaml", "expected: 3", "expected: 4")
    errors = _errors(bank_copy)
    assert any(
        "sum-pairs/question.yaml: coding.solution: the reference solution fails its own tests: SECRET-hidden-duplicates: wrong_answer"
        in e
        for e in errors
    ), errors
    assert Question.objects.count() == 0


def test_it_rejects_wrong_solutions_that_pass(db, bank_copy):
    (bank_copy / "python_dsa/sum-pairs/wrong.py").write_text((bank_copy / "python_dsa/sum-pairs/solution.py").read_text())
    errors = _errors(bank_copy)
    assert any("coding.wrong_solutions[0]: a deliberately wrong solution passes every test" in e for e in errors), errors


def test_it_rejects_duplicate_slugs(db, bank_copy):
    shutil.copytree(bank_copy / "python_dsa/sum-pairs", bank_copy / "ml_fundamentals/sum-pairs")
    _edit(bank_copy / "ml_fundamentals/sum-pairs/question.yaml", "track: python_dsa", "track: ml_fundamentals")
    errors = _errors(bank_copy)
    assert any("duplicate slug 'sum-pairs'" in e for e in errors), errors


def test_it_rejects_unreadable_and_missing_files(db, bank_copy):
    (bank_copy / "python_dsa/sum-pairs/starter.py").write_bytes(b"def count_pairs(\xff\xfe):\n")
    (bank_copy / "ml_fundamentals/pick-metric/prompt.md").unlink()
    errors = _errors(bank_copy)
    assert any(e.startswith("python_dsa/sum-pairs/starter.py: coding.starter: file is not valid UTF-8") for e in errors), errors
    assert any(e.startswith("ml_fundamentals/pick-metric/prompt.md: prompt: file not found") for e in errors), errors


def test_it_refuses_files_outside_the_question_folder(db, bank_copy):
    _edit(
        bank_copy / "python_dsa/sum-pairs/question.yaml",
        "  wrong_solutions: [wrong.py]",
        "  wrong_solutions: [../../ml_fundamentals/pick-metric/question.yaml]",
    )
    assert any("points outside the question folder" in e for e in _errors(bank_copy))


def test_one_bad_question_keeps_the_whole_import_out(db, bank_copy):
    bank_import(root=bank_copy)
    _edit(bank_copy / "python_dsa/sum-pairs/prompt.md", "Return", "Now return")
    _edit(bank_copy / "ml_fundamentals/auc-value/question.yaml", "answer: 0.75", "answer: lots")
    _errors(bank_copy)
    assert Question.objects.get(slug="sum-pairs").current_version.number == 1


def test_a_question_cannot_change_kind(db, bank_copy):
    bank_import(root=bank_copy)
    question_dir = bank_copy / "ml_fundamentals/auc-value"
    (question_dir / "question.yaml").write_text(
        (question_dir / "question.yaml")
        .read_text()
        .replace("kind: numeric", "kind: multiple_choice")
        .replace(
            'numeric:\n  answer: 0.75\n  tolerance: 0.01\n  unit: ""\n',
            "choice:\n  options: [{id: a, text: Higher}, {id: b, text: Lower}]\n  correct: [a]\n",
        )
    )
    errors = _errors(bank_copy)
    assert any("auc-value/question.yaml: kind: was 'numeric'; a question cannot change kind" in e for e in errors), errors


def test_export_writes_the_same_format_back(db, bank_copy, tmp_path):
    bank_import(root=bank_copy)
    out = tmp_path / "exported"
    folders = bank_export(out_dir=out)
    assert len(folders) == 4
    exported = {b.slug: b.content_hash() for b in load_bank(out)}
    original = {b.slug: b.content_hash() for b in load_bank(bank_copy)}
    assert exported == original
    assert sorted(bank_import(root=out).unchanged) == sorted(original)


def test_the_command_prints_errors_and_fails(db, bank_copy, capsys):
    _edit(bank_copy / "python_dsa/sum-pairs/question.yaml", "difficulty: easy", "difficulty: trivial")
    with pytest.raises(CommandError, match="nothing imported: 1 problem"):
        call_command("import_questions", str(bank_copy))
    assert "python_dsa/sum-pairs/question.yaml: difficulty:" in capsys.readouterr().err


def test_the_command_imports_private_questions_for_an_organization(db, acme, capsys):
    call_command("import_questions", str(DATA / "org_bank"), organization="acme")
    assert Question.objects.get(slug="acme-private-xss").organization == acme
    with pytest.raises(CommandError, match="--organization: no organization with slug 'nope'"):
        call_command("import_questions", str(DATA / "org_bank"), organization="nope")


def test_export_refuses_a_non_empty_folder(db, tmp_path):
    (tmp_path / "something").write_text("x")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("export_questions", str(tmp_path))
