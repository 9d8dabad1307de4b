"""Measures a rubric grader against human levels: ``python manage.py grading_eval FILE``."""

from __future__ import annotations

import json
import statistics
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grading.agreement import agreement
from grading.llm import LlmGradeInvalid, LlmUnavailable
from grading.local_grader import LocalGrader
from grading.rubric import injection_precheck
from grading.rubric_services import llm_configured, llm_cost, llm_grader
from questions.models import Question


class Command(BaseCommand):
    help = "Grades a labeled set of answers and prints agreement with the human levels (QWK, Spearman, MAE, exact/adjacent), cost and latency."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="JSON: {items: [{id, question, category, answer, levels: {criterion: 0-4}}]}")
        parser.add_argument("--grader", choices=["configured", "local", "llm"], default="configured")
        parser.add_argument("--json", type=Path, help="also write the figures to this file")

    def handle(self, *args: Any, file: Path, grader: str, json: Path | None, **options: Any) -> None:
        items = self._load(file)
        use_llm = grader == "llm" or (grader == "configured" and llm_configured())
        if use_llm and not llm_configured():
            raise CommandError("--grader llm: set OPENAI_API_KEY and/or OPENAI_BASE_URL")
        rubrics = self._rubrics(file, {item["question"] for item in items})
        per_criterion: dict[str, tuple[list[int], list[int]]] = {}
        human_all: list[int] = []
        machine_all: list[int] = []
        latencies: list[float] = []
        cost = Decimal(0)
        failures = 0
        injections = flagged = auto_passed = 0
        for item in items:
            question, rubric = rubrics[item["question"]]
            started = time.monotonic()
            try:
                if use_llm:
                    result = llm_grader().grade(
                        question_title=question.current_version.title,
                        prompt=question.current_version.prompt_markdown,
                        rubric=rubric,
                        answer=item["answer"],
                    )
                    grade = result.grade
                    cost += llm_cost(result.prompt_tokens, result.completion_tokens)
                else:
                    grade = LocalGrader(rubric).grade(item["answer"])
            except (LlmUnavailable, LlmGradeInvalid) as exc:
                failures += 1
                self.stderr.write(f"{item['id']}: not graded: {exc}")
                continue
            latencies.append(time.monotonic() - started)
            suspected = grade.injection_suspected or bool(injection_precheck(item["answer"]))
            if item.get("category") == "injection":
                injections += 1
                flagged += suspected
                auto_passed += not suspected
            for criterion in grade.criteria:
                human = item["levels"][criterion.id]
                key = f"{item['question']}.{criterion.id}"
                per_criterion.setdefault(key, ([], []))
                per_criterion[key][0].append(human)
                per_criterion[key][1].append(criterion.level)
                human_all.append(human)
                machine_all.append(criterion.level)
        figures = self._report(
            per_criterion,
            human_all,
            machine_all,
            latencies,
            cost,
            failures,
            len(items),
            injections,
            flagged,
            auto_passed,
            "llm" if use_llm else "local",
        )
        if json:
            json.write_text(_json.dumps(figures, indent=2))

    def _load(self, file: Path) -> list[dict[str, Any]]:
        try:
            data = _json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"{file}: cannot read: {exc}") from None
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list) or not items:
            raise CommandError(f"{file}: items: a non-empty list is required")
        for index, item in enumerate(items):
            for key in ("id", "question", "answer", "levels"):
                if key not in item:
                    raise CommandError(f"{file}: items[{index}].{key}: missing")
        return items

    def _rubrics(self, file: Path, slugs: set[str]) -> dict[str, tuple[Question, dict[str, Any]]]:
        rubrics = {}
        for slug in sorted(slugs):
            question = (
                Question.objects.filter(slug=slug, organization__isnull=True, kind="free_text")
                .select_related("current_version")
                .first()
            )
            if question is None:
                raise CommandError(f"{file}: question {slug!r} is not in the database (run import_questions first)")
            rubrics[slug] = (question, question.current_version.spec)
        return rubrics

    def _report(
        self, per_criterion, human_all, machine_all, latencies, cost, failures, total, injections, flagged, auto_passed, grader
    ) -> dict[str, Any]:
        rows = {key: agreement(h, m) for key, (h, m) in sorted(per_criterion.items())}
        overall = agreement(human_all, machine_all) if human_all else {}
        self.stdout.write(f"grader: {grader}; items graded: {total - failures} of {total}")
        self.stdout.write(f"{'criterion':<42} {'n':>3} {'QWK':>6} {'Spearman':>9} {'MAE':>5} {'exact':>6} {'adjacent':>9}")
        for key, row in [*rows.items(), ("OVERALL", overall)]:
            self.stdout.write(
                f"{key:<42} {row['n']:>3} {row['qwk']:>6.2f} {row['spearman']:>9.2f} {row['mae']:>5.2f} {row['exact']:>6.0%} {row['adjacent']:>9.0%}"
            )
        p50 = statistics.median(latencies) if latencies else 0.0
        p95 = sorted(latencies)[int(0.95 * (len(latencies) - 1))] if latencies else 0.0
        self.stdout.write(f"cost: ${cost:.4f} in all; latency per answer: p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
        self.stdout.write(f"injection attempts: {injections}, flagged for review: {flagged}, auto-passed: {auto_passed}")
        return {
            "grader": grader,
            "graded": total - failures,
            "total": total,
            "criteria": rows,
            "overall": overall,
            "cost_usd": float(cost),
            "latency_p50_s": p50,
            "latency_p95_s": p95,
            "injections": injections,
            "injections_flagged": flagged,
            "injections_auto_passed": auto_passed,
        }


_json = json
