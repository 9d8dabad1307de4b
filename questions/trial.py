"""Try a source file against a question, as a submission would run: for authors and reviewers.

    python -m questions.trial QUESTION_DIR SOURCE_FILE [--backend docker|bubblewrap] [--mode run|submit] [--json]

It reads the question folder as the importer does, computes the expected values of
generated tests with the reference solution, runs SOURCE_FILE in the sandbox (its
check tests judged by the checker in a second sandbox, as for a candidate), and
prints every test's verdict as staff see it, then what the candidate is shown.
``--json`` prints ``{"verdict", "score", "tests", "candidate_view"}`` instead. It
exits 0 whatever the verdict, 2 when the question or the source cannot be read or
no sandbox can run it.

It needs no database and no Django: only the question format and the sandbox.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from questions.bank_format import MANIFEST, BankInvalid, load_bank
from questions.coding import CodingSpecInvalid, coding_job, resolve_expected
from sandbox.backends import Backend, run_job
from sandbox.jobs import JobError, Result, SandboxFault, TestResult, candidate_view

ROOT = Path(__file__).resolve().parent.parent


class TrialError(Exception):
    """Input the command cannot use: says which file and which field."""


def _cache_dir() -> Path:
    # The same default as the settings (config/settings.py): SANDBOX_CACHE_DIR, else var/sandbox.
    return Path(os.environ.get("SANDBOX_CACHE_DIR") or ROOT / "var" / "sandbox")


def make_backend(name: str) -> Backend:
    """The isolating backend ``name`` (docker, bubblewrap; auto: Docker when it answers)."""
    from sandbox.images import image_tag, rootfs_path, rootfs_ready

    if name in ("docker", "auto"):
        try:
            import docker

            from sandbox.docker_backend import DockerBackend
            from sandbox.images import image_exists

            client = docker.from_env(timeout=30)
            client.ping()
            if not image_exists(client, image_tag()):
                raise SandboxFault(f"the sandbox image {image_tag()} is not built: run `python manage.py build_sandbox_image`")
            return DockerBackend(image_tag(), client=client, warm=0)
        except Exception as exc:  # noqa: BLE001 - said in words below, or the next backend is tried
            if name == "docker":
                raise TrialError(f"--backend docker: the Docker sandbox cannot run here ({exc})") from None
    if shutil.which("bwrap") is None:
        raise TrialError(f"--backend {name}: no sandbox here (no Docker engine with the image, and bubblewrap is not installed)")
    from sandbox.bwrap_backend import BubblewrapBackend

    cache = _cache_dir()
    return BubblewrapBackend(rootfs=rootfs_path(cache) if rootfs_ready(cache) else None)


def load_question(folder: Path) -> dict[str, Any]:
    """A coding question's spec, as stored on import, from its folder."""
    if not (folder / MANIFEST).is_file():
        raise TrialError(f"{folder}: no {MANIFEST} here (QUESTION_DIR is one question's folder)")
    try:
        (bundle,) = load_bank(folder)
    except BankInvalid as exc:
        raise TrialError(str(exc)) from None
    if bundle.manifest.coding is None:
        raise TrialError(f"{bundle.manifest_display}: kind: is {bundle.manifest.kind}, not coding: there is no code to run")
    return bundle.spec()


def read_source(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TrialError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise TrialError(f"{path}: not UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise TrialError(f"{path}: {exc.strerror}") from None


def trial(spec: dict[str, Any], source: str, backend: Backend, *, mode: str) -> Result:
    """Runs ``source`` against the question as a submission (mode submit) or a Run (visible tests only)."""
    try:
        # The question's own code runs in the sandbox too: a folder under review is not trusted yet.
        resolved = resolve_expected(spec, backend)
    except CodingSpecInvalid as exc:
        raise TrialError(f"the question's reference solution: {exc}") from None
    job = coding_job(resolved, source, visible_only=mode == "run")
    try:
        return run_job(job, backend)
    except JobError as exc:
        raise TrialError(f"SOURCE_FILE: {exc.message} ({exc.code})") from None


def as_json(result: Result, *, mode: str) -> dict[str, Any]:
    stored = result.as_dict()
    return {
        "verdict": result.verdict.value,
        # A Run is not graded, as in the product.
        "score": result.score if mode == "submit" else None,
        "backend": result.backend,
        "message": result.message,
        "tests": stored["tests"],
        "candidate_view": candidate_view(stored),
    }


def _line(test: TestResult | dict[str, Any]) -> str:
    data = test if isinstance(test, dict) else test.__dict__
    seen = "visible" if data["visible"] else "hidden "
    cpu = f"{data['cpu_seconds']:.3f} s" if data.get("cpu_seconds") is not None else "   -   "
    memory = f"{data['max_rss_kb'] / 1024:.1f} MB" if data.get("max_rss_kb") else "  -  "
    message = f"  {data['message']}" if data.get("message") else ""
    return f"  {seen}  {data['verdict']!s:<22} {cpu:>9} {memory:>9}  {data['name']}{message}"


def as_text(result: Result, *, mode: str) -> str:
    view = candidate_view(result.as_dict())
    score = f"score {result.score:g}" if mode == "submit" else "not graded (run)"
    lines = [f"{result.verdict.value} · {score} · {result.passed}/{len(result.tests)} tests passed · {result.backend}", ""]
    lines.append("Staff view (every test):")
    lines += [_line(test) for test in result.tests]
    if result.compile_error:
        lines.append(f"  compile error: {result.message}")
    lines += ["", "Candidate view:", f"  {view['message']}"]
    lines += [_line(test) for test in view["tests"]]
    hidden = view["hidden_summary"]
    if hidden["total"]:
        lines.append(f"  hidden tests: {hidden['passed']} of {hidden['total']} passed")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m questions.trial", description=__doc__.splitlines()[0])
    parser.add_argument("question_dir", type=Path, metavar="QUESTION_DIR")
    parser.add_argument("source_file", type=Path, metavar="SOURCE_FILE")
    parser.add_argument("--backend", choices=("auto", "docker", "bubblewrap"), default="auto")
    parser.add_argument("--mode", choices=("run", "submit"), default="submit")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    options = parser.parse_args(argv)
    backend: Backend | None = None
    try:
        spec = load_question(options.question_dir)
        source = read_source(options.source_file)
        backend = make_backend(options.backend)
        result = trial(spec, source, backend, mode=options.mode)
    except TrialError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SandboxFault as exc:
        print(f"error: the sandbox failed (not the code's fault): {exc}", file=sys.stderr)
        return 2
    finally:
        close = getattr(backend, "close", None)
        if close is not None:
            close()
    if options.json:
        print(json.dumps(as_json(result, mode=options.mode), indent=2))
    else:
        print(as_text(result, mode=options.mode))
    return 0


if __name__ == "__main__":
    sys.exit(main())
