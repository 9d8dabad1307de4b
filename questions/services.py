"""Writes for the question bank: importing folders of question files, and exporting them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Organization
from questions.bank_format import MANIFEST, BankError, BankInvalid, Kind, QuestionBundle, load_bank
from questions.coding import coding_spec_prepare, map_in_parallel
from questions.markdown import render_markdown
from questions.models import Question, QuestionVersion, Topic
from sandbox.backends import Backend


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{len(self.created)} created, {len(self.updated)} new versions, {len(self.unchanged)} unchanged"


def question_version_create(
    *, organization: Organization | None, bundle: QuestionBundle, spec: dict[str, Any], content_hash: str
) -> QuestionVersion:
    """Adds a version to the question (creating the question the first time) and makes it current."""
    manifest = bundle.manifest
    question, _ = Question.objects.select_for_update().get_or_create(
        organization=organization, slug=manifest.slug, defaults={"track": manifest.track, "kind": manifest.kind}
    )
    number = (question.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = QuestionVersion(
        question=question,
        number=number,
        content_hash=content_hash,
        title=manifest.title,
        difficulty=manifest.difficulty,
        time_estimate_minutes=manifest.time_estimate_minutes,
        prompt_markdown=bundle.prompt,
        prompt_html=render_markdown(bundle.prompt),
        spec=spec,
    )
    version.full_clean(exclude=["question"])
    version.save()
    topics = [Topic.objects.get_or_create(slug=slug)[0] for slug in manifest.topics]
    version.topics.set(topics)
    question.current_version = version
    question.updated_at = timezone.now()
    question.save(update_fields=["current_version", "updated_at"])
    return version


def bank_import(*, root: Path, organization: Organization | None = None, backend: Backend | None = None) -> ImportReport:
    """Imports every question under ``root``: all of them, or nothing.

    Every file is validated and every coding question's solutions are run before
    anything is written; unchanged questions are skipped, changed ones get a new
    version. Raises :class:`BankInvalid` listing each problem by file and field.
    """
    bundles = load_bank(root)
    if backend is None:
        from config.sandbox_backend import bank_backend

        backend = bank_backend(trusted=organization is None)
    existing = {
        q.slug: q
        for q in Question.objects.filter(organization=organization, slug__in=[b.slug for b in bundles]).select_related(
            "current_version"
        )
    }
    report = ImportReport()
    errors: list[BankError] = []
    changed: list[QuestionBundle] = []
    for bundle in bundles:
        where = bundle.manifest_display
        question = existing.get(bundle.slug)
        if question is None:
            changed.append(bundle)
        elif question.track != bundle.manifest.track:
            errors.append(
                BankError(where, "track", f"was {question.track!r}; a question cannot change track, give it a new slug")
            )
        elif question.kind != bundle.manifest.kind:
            errors.append(BankError(where, "kind", f"was {question.kind!r}; a question cannot change kind, give it a new slug"))
        elif question.current_version and question.current_version.content_hash == bundle.content_hash():
            report.unchanged.append(bundle.slug)
        else:
            changed.append(bundle)

    def prepare(bundle: QuestionBundle) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        if bundle.manifest.kind != Kind.CODING:
            return bundle.spec(), []
        return coding_spec_prepare(bundle.spec(), backend)

    # Slow (it runs every solution), so it happens before the transaction opens.
    changes: list[tuple[QuestionBundle, dict[str, Any], str]] = []
    for bundle, (spec, problems) in zip(changed, map_in_parallel(prepare, changed), strict=True):
        errors += [BankError(bundle.manifest_display, field_, message) for field_, message in problems]
        changes.append((bundle, spec, bundle.content_hash()))
    if errors:
        raise BankInvalid(errors)
    with transaction.atomic():
        for bundle, spec, content_hash in changes:
            (report.updated if bundle.slug in existing else report.created).append(bundle.slug)
            question_version_create(organization=organization, bundle=bundle, spec=spec, content_hash=content_hash)
    return report


class _LiteralDumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _represent_str)


def _coding_section(spec: dict[str, Any], files: dict[str, str]) -> dict[str, Any]:
    section = {
        k: v
        for k, v in spec.items()
        if k not in ("starter", "solution", "naive_solution", "wrong_solutions", "checks", "generators", "tests")
    }
    for key, name in (
        ("starter", "starter.py"),
        ("solution", "solution.py"),
        ("naive_solution", "naive.py"),
        ("checks", "checks.py"),
        ("generators", "generators.py"),
    ):
        if spec.get(key):
            files[name] = spec[key]
            section[key] = name
    section["wrong_solutions"] = []
    for index, source in enumerate(spec.get("wrong_solutions", []), start=1):
        name = f"wrong_{index}.py"
        files[name] = source
        section["wrong_solutions"].append(name)
    tests = []
    for test in spec["tests"]:
        item = {k: v for k, v in test.items() if v is not None and k != "expected"}
        # Generated tests' expected values are computed at import; checks assert their own.
        if not test.get("generate") and not test.get("check"):
            item["expected"] = test.get("expected")
        tests.append(item)
    section["tests"] = tests
    return section


def question_version_export(*, version: QuestionVersion, out_dir: Path) -> Path:
    """Writes one version in the bank's file format; importing it back changes nothing."""
    question = version.question
    folder = out_dir / question.track / question.slug
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {"prompt.md": version.prompt_markdown}
    manifest: dict[str, Any] = {
        "slug": question.slug,
        "title": version.title,
        "track": question.track,
        "kind": question.kind,
        "difficulty": version.difficulty,
        "topics": sorted(t.slug for t in version.topics.all()),
        "time_estimate_minutes": version.time_estimate_minutes,
    }
    spec = version.spec
    if question.kind == Kind.CODING:
        manifest["coding"] = _coding_section(spec, files)
    elif question.kind == Kind.MULTIPLE_CHOICE:
        manifest["choice"] = spec
    elif question.kind == Kind.NUMERIC:
        manifest["numeric"] = spec
    else:
        rubric = dict(spec)
        files["strong_answer.md"] = rubric.pop("strong_answer")
        rubric["strong_answer"] = "strong_answer.md"
        anchors = []
        for number, anchor in enumerate(rubric.pop("anchors", []), start=1):
            files[f"anchor_{number}.md"] = anchor["answer"]
            anchors.append({"answer": f"anchor_{number}.md", "levels": anchor["levels"]})
        if anchors:
            rubric["anchors"] = anchors
        manifest["rubric"] = rubric
    (folder / MANIFEST).write_text(
        yaml.dump(manifest, Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    return folder


def bank_export(*, out_dir: Path, organization: Organization | None = None) -> list[Path]:
    """Writes the current version of every question of the public bank (or one organization)."""
    questions = Question.objects.filter(organization=organization, current_version__isnull=False).select_related(
        "current_version"
    )
    return [question_version_export(version=q.current_version, out_dir=out_dir) for q in questions]
