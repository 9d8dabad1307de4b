"""The import-linter contracts in pyproject.toml hold (docs/architecture.md): apps depend
only on the layers below them, config's shared modules import no app, sandbox is pure."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _lint_imports(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_layers_contracts_hold():
    result = _lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_layers_contract(tmp_path):
    # The contract is not vacuous: a copy of the tree where the grading core imports the
    # interview app fails it, naming the import.
    for package in ("config", "accounts", "questions", "grading", "interview", "review", "sandbox"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "bank", "static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    signals = tmp_path / "grading" / "signals.py"
    signals.write_text(signals.read_text() + "\nimport interview.models  # noqa: E402, F401\n")
    result = _lint_imports(cwd=tmp_path)
    assert result.returncode == 1
    assert "Apps depend only on the layers below them BROKEN" in result.stdout
    assert "grading.signals -> interview.models" in result.stdout
