"""The question bank's file format: reading, validating and writing question folders.

Plain Python (pydantic + PyYAML), no Django, so the format can be checked anywhere.
A question is a folder ``<bank>/<track>/<slug>/`` holding ``question.yaml`` and the
files it names. The format is documented for authors in ``docs/question-format.md``.
"""

from __future__ import annotations

import hashlib
import json
import keyword
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from config.text import data_problems, first_unstorable, text_problem
from sandbox.compare import Comparison

MANIFEST = "question.yaml"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 512 * 1024
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
IDENTIFIER_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
RUBRIC_LEVELS = (0, 1, 2, 3, 4)


class Track(StrEnum):
    PYTHON_DSA = "python_dsa"
    ML_FUNDAMENTALS = "ml_fundamentals"
    SYSTEM_DESIGN = "system_design"


class Kind(StrEnum):
    CODING = "coding"
    MULTIPLE_CHOICE = "multiple_choice"
    NUMERIC = "numeric"
    FREE_TEXT = "free_text"


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TestSpec(_Strict):
    """One coding test: exactly one input form (args/kwargs, stdin or generate), judged
    by ``expected`` or by a ``check`` function of the checks module."""

    # Whitespace in stdin is data.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    name: Annotated[str, Field(min_length=1, max_length=200)]
    visible: bool = False
    weight: Annotated[float, Field(gt=0, le=100)] = 1.0
    # Optional: a group such as "edge cases" or "large inputs". Candidates see it, with
    # how many of the group's hidden tests passed, so it must not give an input away.
    category: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[^\n\r]+$")] | None = None
    args: list[Any] | None = None
    kwargs: dict[str, Any] | None = None
    stdin: str | None = None
    generate: Annotated[str, Field(pattern=IDENTIFIER_PATTERN)] | None = None
    check: Annotated[str, Field(pattern=IDENTIFIER_PATTERN)] | None = None
    report_arguments: bool = False
    expected: Any = None
    comparison: Comparison | None = None
    float_tolerance: Annotated[float, Field(ge=0, le=1)] | None = None

    @field_validator("category", mode="before")
    @classmethod
    def _trimmed(cls, value: Any) -> Any:
        # Unlike stdin, a category's surrounding whitespace is not data.
        return value.strip() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_input_form(self) -> TestSpec:
        forms = [
            name
            for name, present in (
                ("args/kwargs", self.args is not None or self.kwargs is not None),
                ("stdin", self.stdin is not None),
                ("generate", self.generate is not None),
            )
            if present
        ]
        if len(forms) != 1:
            raise ValueError(f"a test needs exactly one of args/kwargs, stdin or generate (found: {', '.join(forms) or 'none'})")
        if self.check is not None:
            if "expected" in self.model_fields_set:
                raise ValueError("a check test takes no 'expected': its checker judges the result")
            if self.comparison is not None or self.float_tolerance is not None:
                raise ValueError("a check test takes no 'comparison' or 'float_tolerance': its checker judges the result")
        elif self.report_arguments:
            raise ValueError("'report_arguments' is for check tests (their checker judges the arguments after the call)")
        elif forms[0] in ("args/kwargs", "stdin") and "expected" not in self.model_fields_set:
            raise ValueError("an args or stdin test needs 'expected' (or a 'check')")
        elif forms[0] == "generate" and "expected" in self.model_fields_set:
            raise ValueError("a generate test takes no 'expected' (it is computed from the reference solution)")
        return self


class CodingSpec(_Strict):
    language: Literal["python"] = "python"
    mode: Literal["function", "stdio"] = "function"
    entrypoint: Annotated[str, Field(pattern=IDENTIFIER_PATTERN)] | None = None
    starter: str = "starter.py"
    solution: str = "solution.py"
    naive_solution: str | None = None
    wrong_solutions: list[str] = []
    checks: str | None = None
    generators: str | None = None
    time_limit_seconds: Annotated[float, Field(ge=0.1, le=20)] = 2.0
    memory_limit_mb: Annotated[int, Field(ge=32, le=2048)] = 256
    comparison: Comparison = Comparison.EXACT
    float_tolerance: Annotated[float, Field(ge=0, le=1)] = 1e-6
    tests: Annotated[list[TestSpec], Field(min_length=1)]
    # After an accepted submission the interviewer asks this (docs/question-format.md).
    follow_up: FollowUpSpec | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CodingSpec:
        if self.mode == "function" and not self.entrypoint:
            raise ValueError("a function-mode question needs 'entrypoint'")
        if self.entrypoint and keyword.iskeyword(self.entrypoint):
            raise ValueError("'entrypoint' cannot be a Python keyword")
        names = [t.name for t in self.tests]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"test names must be unique; repeated: {', '.join(duplicates)}")
        if any(t.check for t in self.tests) and not self.checks:
            raise ValueError("tests use 'check' but 'checks' names no test module")
        if any(t.generate for t in self.tests) and not self.generators:
            raise ValueError("tests use 'generate' but 'generators' names no generator module")
        if not any(t.visible for t in self.tests):
            raise ValueError("at least one test must be visible, so candidates see an example")
        if self.mode == "stdio" and any(t.report_arguments for t in self.tests):
            raise ValueError("'report_arguments' is for function questions: a stdio program has no arguments")
        if self.mode == "stdio" and any(t.args is not None or t.kwargs is not None for t in self.tests):
            raise ValueError("a stdio question's tests take 'stdin', not 'args'")
        if self.mode == "function" and any(t.stdin is not None for t in self.tests):
            raise ValueError("a function question's tests take 'args', not 'stdin'")
        return self


class ChoiceOption(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,20}$")]
    text: Annotated[str, Field(min_length=1, max_length=2000)]


class ChoiceSpec(_Strict):
    options: Annotated[list[ChoiceOption], Field(min_length=2, max_length=10)]
    correct: Annotated[list[str], Field(min_length=1)]
    multiple: bool = False
    shuffle: bool = True
    explanation: Annotated[str, Field(min_length=1)]

    @model_validator(mode="after")
    def _consistent(self) -> ChoiceSpec:
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError("option ids must be unique")
        unknown = sorted(set(self.correct) - set(ids))
        if unknown:
            raise ValueError(f"'correct' names options that do not exist: {', '.join(unknown)}")
        if not self.multiple and len(self.correct) != 1:
            raise ValueError("a single-answer question has exactly one correct option (set 'multiple: true' otherwise)")
        return self


class NumericSpec(_Strict):
    answer: float
    tolerance: Annotated[float, Field(ge=0)] = 0.0
    relative_tolerance: Annotated[float, Field(ge=0, le=1)] = 0.0
    unit: str = ""
    explanation: Annotated[str, Field(min_length=1)]


class Criterion(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,40}$")]
    name: Annotated[str, Field(min_length=1, max_length=120)]
    weight: Annotated[float, Field(gt=0, le=100)]
    description: Annotated[str, Field(min_length=1)]
    levels: dict[int, Annotated[str, Field(min_length=1)]]
    key_points: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
    # Follow-up questions an interviewer may ask when an answer is weak on this criterion,
    # e.g. "What happens to the cache when a node dies?" (docs/question-format.md).
    probes: Annotated[list[Annotated[str, Field(min_length=10, max_length=400)]], Field(max_length=3)] = []

    @field_validator("levels")
    @classmethod
    def _all_levels(cls, levels: dict[int, str]) -> dict[int, str]:
        missing = [level for level in RUBRIC_LEVELS if level not in levels]
        extra = sorted(set(levels) - set(RUBRIC_LEVELS))
        if missing or extra:
            raise ValueError(
                "levels must describe exactly 0, 1, 2, 3 and 4"
                + (f"; missing {missing}" if missing else "")
                + (f"; unknown {extra}" if extra else "")
            )
        return dict(sorted(levels.items()))


class FollowUpSpec(_Strict):
    """A coding question's follow-up, asked after an accepted submission: typically time and
    space complexity and an edge case ("What changes if the input can hold duplicates?"),
    graded against its own small rubric. ``reference`` is a model reply, for graders only."""

    question: Annotated[str, Field(min_length=10, max_length=1000)]
    criteria: Annotated[list[Criterion], Field(min_length=1, max_length=4)]
    reference: Annotated[str, Field(min_length=20, max_length=4000)]
    minutes: Annotated[int, Field(ge=1, le=15)] = 3

    @model_validator(mode="after")
    def _unique(self) -> FollowUpSpec:
        ids = [c.id for c in self.criteria]
        if len(set(ids)) != len(ids):
            raise ValueError("follow_up criterion ids must be unique")
        return self


class Anchor(_Strict):
    """A graded exemplar answer: a file in the question folder and its level per criterion."""

    answer: Annotated[str, Field(min_length=1)]
    levels: dict[str, Annotated[int, Field(ge=0, le=4)]]


# The overall levels the anchors of a rubric must include (by their weighted score):
# a weak, a partial and an excellent answer at least.
ANCHOR_LEVELS_REQUIRED = (1, 2, 4)


class RubricSpec(_Strict):
    criteria: Annotated[list[Criterion], Field(min_length=1, max_length=12)]
    synonyms: dict[str, list[str]] = {}
    strong_answer: str = "strong_answer.md"
    anchors: Annotated[list[Anchor], Field(max_length=12)] = []
    max_words: Annotated[int, Field(ge=20, le=10000)] = 1500

    @model_validator(mode="after")
    def _unique(self) -> RubricSpec:
        ids = [c.id for c in self.criteria]
        if len(set(ids)) != len(ids):
            raise ValueError("criterion ids must be unique")
        for index, anchor in enumerate(self.anchors):
            missing = sorted(set(ids) - set(anchor.levels))
            unknown = sorted(set(anchor.levels) - set(ids))
            if missing or unknown:
                raise ValueError(
                    f"anchors[{index}].levels must give a level for each criterion"
                    + (f"; missing {missing}" if missing else "")
                    + (f"; unknown {unknown}" if unknown else "")
                )
        overall = {self.anchor_level(anchor) for anchor in self.anchors}
        absent = [level for level in ANCHOR_LEVELS_REQUIRED if level not in overall]
        if absent:
            raise ValueError(
                f"anchors must include graded answers at overall levels {list(ANCHOR_LEVELS_REQUIRED)}"
                f" (the weighted mean of their levels, rounded); none at {absent}"
            )
        return self

    def anchor_level(self, anchor: Anchor) -> int:
        """An anchor's overall level: the weighted mean of its criterion levels, rounded."""
        total = sum(c.weight for c in self.criteria)
        return round(sum(c.weight * anchor.levels[c.id] for c in self.criteria) / total)


CodingSpec.model_rebuild()


class Manifest(_Strict):
    format: Literal[1] = 1
    slug: Annotated[str, Field(pattern=SLUG_PATTERN, max_length=80)]
    title: Annotated[str, Field(min_length=3, max_length=200)]
    track: Track
    kind: Kind
    difficulty: Difficulty
    topics: Annotated[list[Annotated[str, Field(pattern=SLUG_PATTERN, max_length=40)]], Field(min_length=1, max_length=10)]
    time_estimate_minutes: Annotated[int, Field(ge=1, le=120)]
    prompt: str = "prompt.md"
    coding: CodingSpec | None = None
    choice: ChoiceSpec | None = None
    numeric: NumericSpec | None = None
    rubric: RubricSpec | None = None

    @model_validator(mode="after")
    def _section_matches_kind(self) -> Manifest:
        wanted = {
            Kind.CODING: "coding",
            Kind.MULTIPLE_CHOICE: "choice",
            Kind.NUMERIC: "numeric",
            Kind.FREE_TEXT: "rubric",
        }[self.kind]
        for section in ("coding", "choice", "numeric", "rubric"):
            present = getattr(self, section) is not None
            if section == wanted and not present:
                raise ValueError(f"a {self.kind} question needs a '{section}' section")
            if section != wanted and present:
                raise ValueError(f"a {self.kind} question cannot have a '{section}' section")
        return self


def _drop_empty_probes(criteria: list[dict[str, Any]]) -> None:
    """Probes are stored only where a criterion has some, so older versions keep their hash."""
    for criterion in criteria:
        if not criterion.get("probes"):
            criterion.pop("probes", None)


@dataclass(frozen=True)
class BankError:
    """A problem in a bank file, named by file and field, for a human to fix."""

    path: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: {self.field}" if self.field else self.path
        return f"{where}: {self.message}"


class BankInvalid(Exception):
    def __init__(self, errors: list[BankError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class QuestionBundle:
    """A validated question as read from its folder: the manifest and every file it names."""

    path: Path
    manifest: Manifest
    prompt: str
    files: dict[str, str] = field(default_factory=dict)
    # The manifest's path as errors name it: relative to the bank being read.
    manifest_display: str = MANIFEST

    @property
    def slug(self) -> str:
        return self.manifest.slug

    def spec(self) -> dict[str, Any]:
        """The kind-specific content, with file references replaced by file contents."""
        m = self.manifest
        if m.coding is not None:
            data = m.coding.model_dump(mode="json")
            for test in data["tests"]:
                # Stored only where it says something, so older versions keep their hash.
                if not test["report_arguments"]:
                    del test["report_arguments"]
                if test["category"] is None:
                    del test["category"]
            for key in ("starter", "solution", "naive_solution", "checks", "generators"):
                if data.get(key):
                    data[key] = self.files[data[key]]
            data["wrong_solutions"] = [self.files[name] for name in m.coding.wrong_solutions]
            if data["follow_up"] is None:
                del data["follow_up"]
            else:
                _drop_empty_probes(data["follow_up"]["criteria"])
            return data
        if m.choice is not None:
            return m.choice.model_dump(mode="json")
        if m.numeric is not None:
            return m.numeric.model_dump(mode="json")
        assert m.rubric is not None
        data = m.rubric.model_dump(mode="json")
        _drop_empty_probes(data["criteria"])
        data["strong_answer"] = self.files[m.rubric.strong_answer]
        data["anchors"] = [{"answer": self.files[a.answer], "levels": a.levels} for a in m.rubric.anchors]
        if not data["anchors"]:
            del data["anchors"]  # specs of questions without anchors stay as they were
        return data

    def content_hash(self) -> str:
        """Changes exactly when what a candidate or grader would see changes."""
        m = self.manifest
        payload = {
            "title": m.title,
            "difficulty": m.difficulty,
            "topics": sorted(m.topics),
            "time_estimate_minutes": m.time_estimate_minutes,
            "prompt": self.prompt,
            "kind": m.kind,
            "spec": self.spec(),
        }
        encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(encoded).hexdigest()


def _field_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def _read_text(path: Path, display: str, field_name: str, errors: list[BankError]) -> str | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            errors.append(BankError(display, field_name, f"file is over {MAX_FILE_BYTES // 1024} KiB"))
            return None
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        errors.append(BankError(display, field_name, "file not found"))
    except UnicodeDecodeError:
        errors.append(BankError(display, field_name, "file is not valid UTF-8"))
    except OSError as exc:
        errors.append(BankError(display, field_name, f"cannot read file: {exc.strerror}"))
    else:
        problem = text_problem(text)
        if problem is None:
            return text
        line = text.count("\n", 0, first_unstorable(text)) + 1
        errors.append(BankError(display, f"line {line}", f"the file {problem}"))
    return None


def _safe_member(folder: Path, name: str) -> Path | None:
    candidate = (folder / name).resolve()
    if folder.resolve() not in candidate.parents:
        return None
    return candidate


def load_question(folder: Path, root: Path | None = None) -> QuestionBundle:
    """Reads and validates one question folder; raises :class:`BankInvalid` listing every problem."""
    root = root or folder.parent.parent
    display_dir = folder.relative_to(root) if folder.is_relative_to(root) else folder
    manifest_display = str(display_dir / MANIFEST)
    errors: list[BankError] = []
    text = _read_text(folder / MANIFEST, manifest_display, "", errors)
    if text is None:
        raise BankInvalid(errors)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise BankInvalid([BankError(manifest_display, where, f"not valid YAML: {getattr(exc, 'problem', exc)}")]) from exc
    if not isinstance(raw, dict):
        raise BankInvalid([BankError(manifest_display, "", "must be a YAML mapping")])
    unstorable = data_problems(raw)
    if unstorable is not None:
        raise BankInvalid([BankError(manifest_display, unstorable[0], unstorable[1])])
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as exc:
        raise BankInvalid(
            [BankError(manifest_display, _field_path(e["loc"]), e["msg"].removeprefix("Value error, ")) for e in exc.errors()]
        ) from exc

    if manifest.slug != folder.name:
        errors.append(BankError(manifest_display, "slug", f"must match the folder name {folder.name!r}"))
    if folder.parent.name != manifest.track.value and folder.parent != root:
        errors.append(
            BankError(manifest_display, "track", f"the folder is under {folder.parent.name!r}, not {manifest.track.value!r}")
        )

    referenced: list[tuple[str, str]] = [("prompt", manifest.prompt)]
    if manifest.coding:
        c = manifest.coding
        referenced += [("coding.starter", c.starter), ("coding.solution", c.solution)]
        referenced += [(f"coding.{k}", getattr(c, k)) for k in ("naive_solution", "checks", "generators") if getattr(c, k)]
        referenced += [(f"coding.wrong_solutions[{i}]", name) for i, name in enumerate(c.wrong_solutions)]
    if manifest.rubric:
        referenced.append(("rubric.strong_answer", manifest.rubric.strong_answer))
        referenced += [(f"rubric.anchors[{i}].answer", a.answer) for i, a in enumerate(manifest.rubric.anchors)]

    files: dict[str, str] = {}
    for field_name, name in referenced:
        member = _safe_member(folder, name)
        if member is None:
            errors.append(BankError(manifest_display, field_name, f"{name!r} points outside the question folder"))
            continue
        content = _read_text(member, str(display_dir / name), field_name, errors)
        if content is not None:
            files[name] = content
    if manifest.coding and not errors:
        errors += _check_python_files(manifest, files, display_dir)
    if errors:
        raise BankInvalid(errors)
    prompt = files.pop(manifest.prompt)
    if not prompt.strip():
        raise BankInvalid([BankError(str(display_dir / manifest.prompt), "prompt", "the prompt is empty")])
    return QuestionBundle(path=folder, manifest=manifest, prompt=prompt, files=files, manifest_display=manifest_display)


def _defined_functions(source: str) -> set[str]:
    import ast

    return {node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}


def _check_python_files(manifest: Manifest, files: dict[str, str], display_dir: Path) -> list[BankError]:
    coding = manifest.coding
    assert coding is not None
    errors: list[BankError] = []
    python_files = [coding.solution, coding.starter, *coding.wrong_solutions]
    python_files += [name for name in (coding.naive_solution, coding.checks, coding.generators) if name]
    for name in python_files:
        try:
            compile(files[name], name, "exec")
        except SyntaxError as exc:
            errors.append(BankError(str(display_dir / name), f"line {exc.lineno}", f"syntax error: {exc.msg}"))
    if errors:
        return errors
    if coding.entrypoint and coding.entrypoint not in _defined_functions(files[coding.solution]):
        errors.append(
            BankError(
                str(display_dir / coding.solution), "coding.entrypoint", f"the solution defines no function {coding.entrypoint!r}"
            )
        )
    for label, module_name, attr in (("check", coding.checks, "check"), ("generate", coding.generators, "generate")):
        if not module_name:
            continue
        defined = _defined_functions(files[module_name])
        for index, test in enumerate(coding.tests):
            wanted = getattr(test, attr)
            if wanted and wanted not in defined:
                errors.append(
                    BankError(
                        str(display_dir / MANIFEST),
                        f"coding.tests[{index}].{label}",
                        f"{module_name} defines no function {wanted!r}",
                    )
                )
    return errors


def find_question_folders(root: Path) -> list[Path]:
    """Every folder under ``root`` (a bank, a track or a single question) holding a manifest."""
    if (root / MANIFEST).is_file():
        return [root]
    return sorted(p.parent for p in root.rglob(MANIFEST))


def load_bank(root: Path) -> list[QuestionBundle]:
    """Reads and validates every question under ``root``; raises with all problems found."""
    if not root.exists():
        raise BankInvalid([BankError(str(root), "", "no such file or directory")])
    folders = find_question_folders(root)
    if not folders:
        raise BankInvalid([BankError(str(root), "", f"no {MANIFEST} found")])
    bank_root = root if not (root / MANIFEST).is_file() else root.parent.parent
    if any(p.parent == root for p in folders) and not (root / MANIFEST).is_file():
        bank_root = root.parent  # a single track folder was given
    errors: list[BankError] = []
    bundles: list[QuestionBundle] = []
    seen: dict[str, Path] = {}
    for folder in folders:
        try:
            bundle = load_question(folder, bank_root)
        except BankInvalid as exc:
            errors += exc.errors
            continue
        if bundle.slug in seen:
            errors.append(
                BankError(
                    str(folder.relative_to(bank_root) / MANIFEST),
                    "slug",
                    f"duplicate slug {bundle.slug!r}, also in {seen[bundle.slug].relative_to(bank_root)}",
                )
            )
            continue
        seen[bundle.slug] = folder
        bundles.append(bundle)
    if errors:
        raise BankInvalid(errors)
    return bundles
