"""Checks bank folders without a database: ``python -m questions.check [PATH ...]``.

Validates every manifest and file, then runs each coding question's reference,
starter, wrong and naive solutions through the sandbox. Exits 1 listing every
problem by file and field. ``manage.py import_questions`` runs the same checks.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from questions.bank_format import BankError, BankInvalid, load_bank
from questions.coding import coding_spec_prepare, map_in_parallel
from sandbox.backends import Backend, SubprocessBackend

DEFAULT_BANK = Path(__file__).with_name("bank")


def check_paths(paths: list[Path], backend: Backend, *, run_solutions: bool = True) -> tuple[int, list[BankError]]:
    errors: list[BankError] = []
    bundles = []
    for path in paths:
        try:
            bundles += load_bank(path)
        except BankInvalid as exc:
            errors += exc.errors
    if run_solutions:
        coding = [b for b in bundles if b.manifest.coding is not None]
        outcomes = map_in_parallel(lambda b: coding_spec_prepare(b.spec(), backend), coding)
        for bundle, (_, problems) in zip(coding, outcomes, strict=True):
            errors += [BankError(bundle.manifest_display, where, what) for where, what in problems]
    return len(bundles), errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[DEFAULT_BANK])
    parser.add_argument("--no-run", action="store_true", help="validate files only, run no code")
    options = parser.parse_args(argv)
    started = time.monotonic()
    checked, errors = check_paths(options.paths, SubprocessBackend(), run_solutions=not options.no_run)
    for error in errors:
        print(error, file=sys.stderr)
    print(f"{checked} questions checked, {len(errors)} problems, {time.monotonic() - started:.1f} s")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
