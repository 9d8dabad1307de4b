"""Measures a rubric grader against human labels: ``python manage.py grading_eval FILE [FILE...]``.

Each file is ``{"items": [{id, question, answer, levels: {criterion: 0-4}, category?,
family?, holistic?: 0-4, split?: "dev"|"heldout"}]}``; questions are the bank's free-text
questions by slug (``import_questions`` first). Prints agreement on the levels, the
ranking against the holistic label and the human weighted score beside a word-count
baseline, figures per category and per injection family, clean answers flagged,
cost and latency; ``--json`` also writes them with every item's grade.
"""

from __future__ import annotations

import json
import math
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from grading.agreement import Outcome, summarize, word_count, word_count_score
from grading.llm import LlmGradeInvalid, LlmRejected, LlmUnavailable
from grading.llm_budget import llm_cost
from grading.local_grader import LocalGrader
from grading.rubric import LEVELS, RubricGrade, answer_problems, injection_precheck, weighted_score
from grading.rubric_services import anchor_examples, llm_configured, llm_grader
from questions.models import Question

SPLITS = ("dev", "heldout")


class Command(BaseCommand):
    help = (
        "Grades labelled answers and prints agreement with the human labels (QWK, MAE, exact/adjacent; Spearman "
        "with the holistic label and the human score, beside a word-count baseline), figures per category and per "
        "injection family, clean answers flagged, cost and latency."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files",
            nargs="+",
            type=Path,
            metavar="FILE",
            help="JSON: {items: [{id, question, answer, levels: {criterion: 0-4}, category?, family?, holistic?, split?}]}",
        )
        parser.add_argument(
            "--split",
            choices=[*SPLITS, "all"],
            default="all",
            help="grade only the items of this split (default: all items, with or without a split)",
        )
        parser.add_argument("--grader", choices=["configured", "local", "llm"], default="configured")
        parser.add_argument("--json", dest="json_out", type=Path, help="also write the figures and every item's grade here")

    def handle(self, *args: Any, files: list[Path], split: str, grader: str, json_out: Path | None, **options: Any) -> None:
        items = [item for item in self._load(files) if split == "all" or item.get("split") == split]
        if not items:
            raise CommandError(f"no items with split {split!r} in {', '.join(map(str, files))}")
        use_llm = grader == "llm" or (grader == "configured" and llm_configured())
        if use_llm and not llm_configured():
            raise CommandError("--grader llm: set OPENAI_API_KEY and/or OPENAI_BASE_URL")
        rubrics = self._rubrics(items)
        records: list[dict[str, Any]] = []
        outcomes: list[Outcome] = []
        cost = Decimal(0)
        for item in items:
            question, rubric = rubrics[item["question"]]
            record = {
                "id": item["id"],
                "file": item["_file"],
                "question": item["question"],
                "category": item.get("category"),
                "family": item.get("family"),
                "split": item.get("split"),
                "human_levels": item["levels"],
                "human_score": weighted_score(rubric, item["levels"]),
                "holistic": item.get("holistic"),
                "word_count": word_count(item["answer"]),
                "word_count_score": word_count_score(item["answer"], rubric["max_words"]),
            }
            records.append(record)
            started = time.monotonic()
            try:
                grade, spent = self._grade(question, rubric, item["answer"], use_llm)
            except (LlmUnavailable, LlmRejected, LlmGradeInvalid) as exc:
                record.update(graded=False, error=str(exc))
                self.stderr.write(f"{item['id']}: not graded: {exc}")
                continue
            seconds = time.monotonic() - started
            cost += spent
            precheck = injection_precheck(item["answer"])
            flagged = bool(precheck) or grade.injection_suspected
            record.update(
                graded=True,
                levels={c.id: c.level for c in grade.criteria},
                score=grade.score,
                flags={
                    "injection_suspected": flagged,
                    "precheck": precheck,
                    "grader_injection_suspected": grade.injection_suspected,
                    "needs_review": self._review_reasons(rubric, item["answer"], grade, precheck, use_llm),
                    "grader_flags": grade.flags,
                },
                evidence={c.id: c.evidence for c in grade.criteria},
                reasoning={c.id: c.reasoning for c in grade.criteria},
                latency_s=seconds,
            )
            outcomes.append(
                Outcome(
                    question=item["question"],
                    category=item.get("category"),
                    family=item.get("family"),
                    human_levels=item["levels"],
                    levels=record["levels"],
                    human_score=record["human_score"],
                    score=grade.score,
                    baseline_score=record["word_count_score"],
                    holistic=item.get("holistic"),
                    flagged=flagged,
                    precheck_flagged=bool(precheck),
                    seconds=seconds,
                )
            )
        figures: dict[str, Any] = {
            "measured_at": timezone.now().isoformat(timespec="seconds"),
            "files": [str(f) for f in files],
            "split": split,
            "grader": "llm" if use_llm else "local",
            "model": settings.LLM_MODEL if use_llm else "local",
            "graded": len(outcomes),
            "total": len(items),
            "not_graded": [r["id"] for r in records if not r["graded"]],
            **summarize(outcomes),
            "cost_usd": float(cost),
        }
        self._print(figures)
        if json_out:
            json_out.write_text(json.dumps(_finite({**figures, "items": records}), indent=2, ensure_ascii=False) + "\n")

    def _load(self, files: list[Path]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        seen: dict[str, str] = {}
        for file in files:
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"{file}: cannot read: {exc}") from None
            found = data.get("items") if isinstance(data, dict) else None
            if not isinstance(found, list) or not found:
                raise CommandError(f"{file}: items: a non-empty list is required")
            for index, item in enumerate(found):
                where = f"{file}: items[{index}]"
                if not isinstance(item, dict):
                    raise CommandError(f"{where}: not an object")
                for key in ("id", "question", "answer", "levels"):
                    if key not in item:
                        raise CommandError(f"{where}.{key}: missing")
                if not isinstance(item["answer"], str):
                    raise CommandError(f"{where}.answer: not a string")
                levels = item["levels"]
                if not isinstance(levels, dict) or not levels or not all(_is_level(v) for v in levels.values()):
                    raise CommandError(f"{where}.levels: an object of criterion: level 0-4 is required")
                if "holistic" in item and not _is_level(item["holistic"]):
                    raise CommandError(f"{where}.holistic: a level 0-4 is required")
                if "split" in item and item["split"] not in SPLITS:
                    raise CommandError(f"{where}.split: {item['split']!r} is not one of {', '.join(SPLITS)}")
                for key in ("category", "family"):
                    if item.get(key) is not None and not isinstance(item[key], str):
                        raise CommandError(f"{where}.{key}: not a string")
                item_id = str(item["id"])
                if item_id in seen:
                    raise CommandError(f"{where}.id: {item_id!r} is already the id of an item of {seen[item_id]}")
                seen[item_id] = str(file)
                items.append({**item, "id": item_id, "_file": str(file), "_where": where})
        return items

    def _rubrics(self, items: list[dict[str, Any]]) -> dict[str, tuple[Question, dict[str, Any]]]:
        rubrics: dict[str, tuple[Question, dict[str, Any]]] = {}
        for item in items:
            slug = item["question"]
            if slug not in rubrics:
                question = (
                    Question.objects.filter(slug=slug, organization__isnull=True, kind="free_text")
                    .select_related("current_version")
                    .first()
                )
                if question is None:
                    raise CommandError(f"{item['_where']}.question: {slug!r} is not in the database (run import_questions first)")
                rubrics[slug] = (question, question.current_version.spec)
            wanted = {c["id"] for c in rubrics[slug][1]["criteria"]}
            if set(item["levels"]) != wanted:
                raise CommandError(
                    f"{item['_where']}.levels: {sorted(item['levels'])} are not the criteria of {slug!r}: {sorted(wanted)}"
                )
        return rubrics

    def _grade(self, question: Question, rubric: dict[str, Any], answer: str, use_llm: bool) -> tuple[RubricGrade, Decimal]:
        """The grade the configured grader would give, as grading does it (the LLM sees the
        question's anchors as examples, and LLM_SAMPLES samples), and what it cost."""
        if not use_llm:
            return LocalGrader(rubric).grade(answer), Decimal(0)
        result = llm_grader().grade(
            question_title=question.current_version.title,
            prompt=question.current_version.prompt_markdown,
            rubric=rubric,
            answer=answer,
            examples=anchor_examples(rubric),
            samples=settings.LLM_SAMPLES,
        )
        return result.grade, llm_cost(result.prompt_tokens, result.completion_tokens)

    @staticmethod
    def _review_reasons(rubric: dict[str, Any], answer: str, grade: RubricGrade, precheck: list[str], use_llm: bool) -> list[str]:
        """Why grading would route this answer to a person (empty: its grade would count)."""
        reasons = []
        problem = answer_problems(answer, max_words=rubric["max_words"])
        if problem and problem != "empty":
            reasons.append(f"answer is {problem}")
        reasons += [f"injection pre-check: {match!r}" for match in precheck]
        if grade.injection_suspected and (use_llm or not precheck):
            reasons.append(f"the {'model' if use_llm else 'local grader'} flagged an injection attempt")
        reasons += [
            f"samples disagree by more than one level on {flag.split(':', 1)[1]}"
            for flag in grade.flags
            if flag.startswith("inconsistent:")
        ]
        return reasons

    def _print(self, f: dict[str, Any]) -> None:
        write = self.stdout.write
        write(f"grader: {f['grader']}; items graded: {f['graded']} of {f['total']}; split: {f['split']}; {', '.join(f['files'])}")
        width = max([42, *map(len, f["criteria"])])
        write(f"{'criterion':<{width}} {'n':>3} {'QWK':>6} {'Spearman':>9} {'MAE':>5} {'exact':>6} {'adjacent':>9}")
        for key, row in [*f["criteria"].items(), ("OVERALL", f["overall"])]:
            write(
                f"{key:<{width}} {row['n']:>3} {_num(row['qwk'], 6)} {_num(row['spearman'], 9)} {_num(row['mae'], 5)} "
                f"{_pct(row['exact'], 6)} {_pct(row['adjacent'], 9)}"
            )
        write(f"mean per-criterion QWK: {_num(f['mean_criterion_qwk'])} over {len(f['criteria'])} criteria")
        write("")
        write(f"{'Spearman':<34} {'n':>3} {'grader':>7} {'word count':>11}")
        for key, label in (("holistic", "with the holistic label"), ("human_score", "with the human weighted score")):
            row = f["spearman"][key]
            write(f"{label:<34} {row['n']:>3} {_num(row['grader'], 7)} {_num(row['word_count'], 11)}")
        write("")
        write("score: mean grader score / 100; deserved: mean weighted score of the human levels / 100; ratio: score / deserved")
        write(f"{'category':<20} {'n':>3} {'score':>6} {'deserved':>9} {'ratio':>6} {'words':>6} {'ratio':>6} {'flagged':>8}")
        for name, row in f["categories"].items():
            write(
                f"{name:<20} {row['n']:>3} {_num(row['score'], 6)} {_num(row['deserved'], 9)} {_num(row['ratio'], 6)} "
                f"{_num(row['word_count_score'], 6)} {_num(row['word_count_ratio'], 6)} {row['flagged']:>8}"
            )
        if f["families"]:
            write("")
            write(f"{'injection family':<28} {'n':>3} {'flagged':>8} {'rate':>6} {'score':>6} {'deserved':>9}")
            for name, row in f["families"].items():
                write(
                    f"{name:<28} {row['n']:>3} {row['flagged']:>8} {_pct(row['flagged_rate'], 6)} {_num(row['score'], 6)} "
                    f"{_num(row['deserved'], 9)}"
                )
        write("")
        clean = f["clean"]
        write(
            f"clean answers flagged: by the pre-check {clean['precheck_flagged']} of {clean['n']}, "
            f"by any signal {clean['flagged']} of {clean['n']}"
        )
        write(
            f"injection attempts: {f['injections']}, flagged for review: {f['injections_flagged']}, "
            f"auto-passed: {f['injections_auto_passed']}"
        )
        write(
            f"cost: ${f['cost_usd']:.4f} in all; latency per answer: p50 {_num(f['latency_p50_s'] * 1000, 0, 1)} ms, "
            f"p95 {_num(f['latency_p95_s'] * 1000, 0, 1)} ms"
        )


def _is_level(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in LEVELS


def _num(value: float, width: int = 0, digits: int = 2) -> str:
    return f"{'n/a' if math.isnan(value) else f'{value:.{digits}f}':>{width}}"


def _pct(value: float, width: int) -> str:
    return f"{'n/a' if math.isnan(value) else f'{value:.0%}':>{width}}"


def _finite(value: Any) -> Any:
    """NaN (a figure with too few answers) as null: JSON has no NaN."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
