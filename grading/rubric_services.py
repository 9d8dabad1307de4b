"""Writes for rubric grading: grade a written answer, and a recruiter's override of a grade.

The grading core is given what it grades (an answer's id and text, the question
version, the organization paying) and announces each stored grade with
``signals.rubric_grade_stored``; it never reads or writes interviews."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum

from accounts.models import Organization, User
from config import metrics
from config.errors import ApplicationError
from config.locks import transaction_lock
from config.text import text_problem
from grading import signals
from grading.llm import LlmGradeInvalid, LlmGrader, LlmResult
from grading.local_grader import LocalGrader
from grading.models import AnswerGrade, GradeOverride
from grading.rubric import LEVELS, PROMPT_VERSION, answer_problems, injection_precheck, rubric_hash, weighted_score
from questions.models import QuestionVersion

log = logging.getLogger(__name__)


class BudgetExhausted(Exception):
    """The organization's LLM budget is spent: no more paid grading until it is raised."""


def llm_configured() -> bool:
    return bool(settings.OPENAI_API_KEY or settings.OPENAI_BASE_URL)


def llm_grader() -> LlmGrader:
    return LlmGrader(
        api_key=settings.OPENAI_API_KEY,
        base_url=settings.OPENAI_BASE_URL or None,
        model=settings.LLM_MODEL,
        timeout=settings.LLM_TIMEOUT_SECONDS,
        retries=settings.LLM_RETRIES,
        backoff_seconds=settings.LLM_BACKOFF_SECONDS,
        temperature=0.0 if settings.LLM_SAMPLES == 1 else 0.7,
    )


def llm_cost(prompt_tokens: int, completion_tokens: int) -> Decimal:
    cost = prompt_tokens * settings.LLM_PRICE_INPUT_PER_MTOK + completion_tokens * settings.LLM_PRICE_OUTPUT_PER_MTOK
    return Decimal(str(round(cost / 1_000_000, 6)))


def organization_spent(organization: Organization) -> Decimal:
    return AnswerGrade.objects.filter(organization=organization).aggregate(total=Sum("cost_usd"))["total"] or Decimal(0)


def _cache_key(*, model: str, samples: int, rubric: dict[str, Any], text: str) -> str:
    material = f"{PROMPT_VERSION}\0{model}\0{samples}\0{rubric_hash(rubric)}\0{text}"
    return hashlib.sha256(material.encode()).hexdigest()


def recruiter_examples(question_id: int, rubric: dict[str, Any], limit: int = 2) -> list[dict[str, Any]]:
    """A few answers to the same question whose levels a recruiter set, as few-shot examples."""
    examples = []
    reviewed = AnswerGrade.objects.filter(status=AnswerGrade.Status.REVIEWED, question_version__question_id=question_id)
    for grade in reviewed[:limit]:
        levels = effective_levels(grade)
        if levels and set(levels) == {c["id"] for c in rubric["criteria"]}:
            examples.append({"answer": grade.answer_text, "levels": levels})
    return examples


def rubric_grade_latest_id(answer_id: int) -> int | None:
    return AnswerGrade.objects.filter(answer_id=answer_id).order_by("-id").values_list("id", flat=True).first()


def _grade_store(answer_id: int, seen: int | None, **fields: Any) -> AnswerGrade:
    """Stores a grade and announces it (``rubric_grade_stored``, in the same transaction),
    unless another run of the grading task for the same answer (a redelivery, beat's
    re-queue during an outage) stored one since this run began: then that grade stands
    and this one is dropped, so an answer never gets two."""
    with transaction.atomic():
        transaction_lock(f"rubric-grade:{answer_id}")
        latest = rubric_grade_latest_id(answer_id)
        if latest is not None and latest != seen:
            log.info("answer %s was graded by another run (grade %s); this run's grade is dropped", answer_id, latest)
            return AnswerGrade.objects.get(id=latest)
        grade = AnswerGrade.objects.create(answer_id=answer_id, **fields)
        signals.rubric_grade_stored.send(sender=AnswerGrade, answer_id=answer_id, grade_id=grade.id)
    return grade


@dataclass(frozen=True)
class _Grading:
    """One grading run: what is graded, by which grader, and the fields every grade of it shares."""

    answer_id: int
    version: QuestionVersion
    text: str
    organization: Organization | None
    use_llm: bool
    samples: int
    seen: int | None
    base: dict[str, Any]

    @property
    def rubric(self) -> dict[str, Any]:
        return self.version.spec

    def store(self, **fields: Any) -> AnswerGrade:
        return _grade_store(self.answer_id, self.seen, **{**self.base, **fields})


def rubric_grade(*, answer_id: int, version: QuestionVersion, text: str, organization: Organization | None) -> AnswerGrade:
    """Grades the written answer ``answer_id`` (its ``text``, to ``version``'s rubric) with
    the configured grader, stores the grade and announces it.

    Raises LlmUnavailable (retry later; the answer stays pending, never 0) and
    BudgetExhausted. Grades that need a human are stored and queued for review.
    """
    use_llm = llm_configured()
    model = settings.LLM_MODEL if use_llm else "local"
    samples = settings.LLM_SAMPLES if use_llm else 1
    run = _Grading(
        answer_id=answer_id,
        version=version,
        text=text,
        organization=organization,
        use_llm=use_llm,
        samples=samples,
        # A grade stored by another run while this one grades wins; this one is dropped.
        seen=rubric_grade_latest_id(answer_id),
        base={
            "question_version": version,
            "answer_text": text,
            "grader": "llm" if use_llm else "local",
            "model": model,
            "prompt_version": PROMPT_VERSION,
            "rubric_hash": rubric_hash(version.spec),
            "cache_key": _cache_key(model=model, samples=samples, rubric=version.spec, text=text),
            "organization": organization,
        },
    )
    return _grade_without_grader(run) or (_grade_with_llm(run) if use_llm else _grade_locally(run))


def _grade_without_grader(run: _Grading) -> AnswerGrade | None:
    """Answers no grader needs to read: empty, unfit (too long...), or graded already."""
    problem = answer_problems(run.text, max_words=run.rubric["max_words"])
    if problem == "empty":
        criteria = [
            {"id": c["id"], "level": 0, "reasoning": "No answer was given.", "evidence": []} for c in run.rubric["criteria"]
        ]
        return run.store(grader="rules", status=AnswerGrade.Status.GRADED, criteria=criteria, machine_score=0.0)
    if problem:
        return run.store(status=AnswerGrade.Status.NEEDS_REVIEW, review_reasons=[f"answer is {problem}"])
    cached = (
        AnswerGrade.objects.filter(cache_key=run.base["cache_key"], status=AnswerGrade.Status.GRADED, cached=False)
        .exclude(answer_id=run.answer_id)
        .first()
    )
    if cached is None:
        return None
    # The same answer to the same rubric with the same grader: reuse it, free.
    return run.store(
        cached=True,
        status=cached.status,
        criteria=cached.criteria,
        machine_score=cached.machine_score,
        injection_suspected=cached.injection_suspected,
        review_reasons=cached.review_reasons,
    )


def _precheck_reasons(text: str) -> list[str]:
    return [f"injection pre-check: {match!r}" for match in injection_precheck(text)]


def _grade_locally(run: _Grading) -> AnswerGrade:
    reasons = _precheck_reasons(run.text)
    with metrics.rubric_grading_timed("local"):
        result = LocalGrader(run.rubric).grade(run.text)
    return run.store(
        status=AnswerGrade.Status.NEEDS_REVIEW if reasons else AnswerGrade.Status.GRADED,
        review_reasons=reasons,
        criteria=[c.__dict__ for c in result.criteria],
        machine_score=result.score,
        injection_suspected=bool(reasons),
    )


def _budget_check(organization: Organization | None) -> None:
    if (
        organization is not None
        and organization.llm_budget_usd is not None
        and organization_spent(organization) >= organization.llm_budget_usd
    ):
        raise BudgetExhausted(f"{organization.name}'s LLM grading budget of ${organization.llm_budget_usd} is spent")


def _grade_with_llm(run: _Grading) -> AnswerGrade:
    reasons = _precheck_reasons(run.text)
    model = run.base["model"]
    _budget_check(run.organization)
    try:
        with metrics.rubric_grading_timed("llm"):
            result: LlmResult = llm_grader().grade(
                question_title=run.version.title,
                prompt=run.version.prompt_markdown,
                rubric=run.rubric,
                answer=run.text,
                examples=recruiter_examples(run.version.question_id, run.rubric),
                samples=run.samples,
            )
    except LlmGradeInvalid as exc:
        calls = exc.calls
        prompt_tokens, completion_tokens = sum(c.prompt_tokens for c in calls), sum(c.completion_tokens for c in calls)
        cost = llm_cost(prompt_tokens, completion_tokens)
        grade = run.store(
            status=AnswerGrade.Status.NEEDS_REVIEW,
            review_reasons=[f"the model's reply was invalid twice: {exc}"],
            raw_completions=[c.raw for c in calls],
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost_usd=cost,
            seconds=sum(c.seconds for c in calls),
        )
        metrics.llm_cost_add(cost, model=model)
        return grade
    if result.grade.injection_suspected:
        reasons.append("the model flagged an injection attempt")
    reasons += [
        f"samples disagree by more than one level on {flag.split(':', 1)[1]}"
        for flag in result.grade.flags
        if flag.startswith("inconsistent:")
    ]
    cost = llm_cost(result.prompt_tokens, result.completion_tokens)
    grade = run.store(
        status=AnswerGrade.Status.NEEDS_REVIEW if reasons else AnswerGrade.Status.GRADED,
        review_reasons=reasons,
        criteria=[c.__dict__ for c in result.grade.criteria],
        machine_score=result.grade.score,
        injection_suspected=bool(injection_precheck(run.text)) or result.grade.injection_suspected,
        prompt=result.messages,
        raw_completions=[c.raw for c in result.calls],
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
        cost_usd=cost,
        seconds=sum(c.seconds for c in result.calls),
    )
    metrics.llm_cost_add(cost, model=model)  # spent either way
    return grade


def effective_levels(grade: AnswerGrade) -> dict[str, int]:
    """Machine levels with the latest human override per criterion applied."""
    levels = {c["id"]: c["level"] for c in grade.criteria}
    for override in grade.overrides.all():
        levels[override.criterion_id] = override.level
    return levels


def grade_score(grade: AnswerGrade, rubric: dict[str, Any]) -> float | None:
    """The score that counts, or None while a criterion has no level yet or a human must look."""
    if grade.status == AnswerGrade.Status.NEEDS_REVIEW:
        return None
    levels = effective_levels(grade)
    if set(levels) != {c["id"] for c in rubric["criteria"]}:
        return None
    return weighted_score(rubric, levels)


def grade_override(*, grade: AnswerGrade, user: User, criterion_id: str, level: int, comment: str) -> GradeOverride:
    """A recruiter sets a criterion's level, with a reason. The human level counts, and
    the change is announced (``rubric_grade_stored``) for the answer to take it."""
    rubric = grade.question_version.spec
    if criterion_id not in {c["id"] for c in rubric["criteria"]}:
        raise ApplicationError(
            f"no criterion {criterion_id!r} in this rubric", code="invalid", fields={"criterion": ["unknown criterion"]}
        )
    if level not in LEVELS:
        raise ApplicationError("level must be 0 to 4", code="invalid", fields={"level": ["0 to 4"]})
    if not comment.strip():
        raise ApplicationError("say why you changed the level", code="invalid", fields={"comment": ["required"]})
    problem = text_problem(comment)
    if problem:
        raise ApplicationError(f"the reason {problem}", code="invalid", fields={"comment": [problem]})
    with transaction.atomic():
        override = GradeOverride.objects.create(
            grade=grade, criterion_id=criterion_id, level=level, comment=comment.strip(), by=user
        )
        # Once a human has every criterion's level, it is their grade.
        if set(effective_levels(grade)) == {c["id"] for c in rubric["criteria"]}:
            grade.status = AnswerGrade.Status.REVIEWED
            grade.save(update_fields=["status"])
        signals.rubric_grade_stored.send(sender=AnswerGrade, answer_id=grade.answer_id, grade_id=grade.id)
    return override
