"""Writes for rubric grading: grade a written answer, review and override grades."""

from __future__ import annotations

import hashlib
import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum

from accounts.models import Organization, User
from config import metrics
from config.errors import ApplicationError, NotFoundError
from grading.llm import LlmGradeInvalid, LlmGrader, LlmResult
from grading.local_grader import LocalGrader
from grading.models import AnswerGrade, GradeOverride
from grading.rubric import LEVELS, PROMPT_VERSION, answer_problems, injection_precheck, rubric_hash, weighted_score
from questions.text import text_problem

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
    reviewed = AnswerGrade.objects.filter(
        status=AnswerGrade.Status.REVIEWED, answer__session_question__question_version__question_id=question_id
    )
    for grade in reviewed.select_related("answer")[:limit]:
        levels = effective_levels(grade)
        if levels and set(levels) == {c["id"] for c in rubric["criteria"]}:
            examples.append({"answer": grade.answer.payload.get("text", ""), "levels": levels})
    return examples


def _grade_store(target: Any, seen: int | None, **fields: Any) -> AnswerGrade:
    """Stores a grade and applies it, unless another run of the grading task for the same
    answer (a redelivery, beat's re-queue during an outage) stored one since this run
    began: then that grade stands and this one is dropped, so an answer never gets two."""
    from interview.models import Answer
    from interview.services import answer_apply_grade

    with transaction.atomic():
        Answer.objects.select_for_update().filter(id=target.id).first()
        latest = AnswerGrade.objects.filter(answer_id=target.id).order_by("-id").first()
        if latest is not None and latest.id != seen:
            log.info("answer %s was graded by another run (grade %s); this run's grade is dropped", target.id, latest.id)
            return latest
        grade = AnswerGrade.objects.create(**fields)
        answer_apply_grade(target, grade)
    return grade


def rubric_grade_answer(*, answer_id: int) -> AnswerGrade:
    """Grades a written answer with the configured grader and applies it to the answer.

    Raises LlmUnavailable (retry later; the answer stays pending, never 0) and
    BudgetExhausted. Grades that need a human are stored and queued for review.
    """
    from interview.models import Answer

    answer = Answer.objects.select_related("session_question__question_version__question", "session_question__session").get(
        id=answer_id
    )
    # A grade stored by another run while this one grades wins; this one is dropped.
    seen = AnswerGrade.objects.filter(answer_id=answer_id).order_by("-id").values_list("id", flat=True).first()

    def store(**fields: Any) -> AnswerGrade:
        return _grade_store(answer, seen, **fields)

    version = answer.session_question.question_version
    rubric = version.spec
    text = answer.payload.get("text", "") or ""
    organization = answer.session_question.session.organization
    use_llm = llm_configured()
    model = settings.LLM_MODEL if use_llm else "local"
    samples = settings.LLM_SAMPLES if use_llm else 1
    base = {
        "answer": answer,
        "grader": "llm" if use_llm else "local",
        "model": model,
        "prompt_version": PROMPT_VERSION,
        "rubric_hash": rubric_hash(rubric),
        "cache_key": _cache_key(model=model, samples=samples, rubric=rubric, text=text),
        "organization": organization,
    }

    problem = answer_problems(text, max_words=rubric["max_words"])
    if problem == "empty":
        criteria = [{"id": c["id"], "level": 0, "reasoning": "No answer was given.", "evidence": []} for c in rubric["criteria"]]
        grade = store(**{**base, "grader": "rules"}, status=AnswerGrade.Status.GRADED, criteria=criteria, machine_score=0.0)
        return grade
    if problem:
        grade = store(**base, status=AnswerGrade.Status.NEEDS_REVIEW, review_reasons=[f"answer is {problem}"])
        return grade

    cached = (
        AnswerGrade.objects.filter(cache_key=base["cache_key"], status=AnswerGrade.Status.GRADED, cached=False)
        .exclude(answer=answer)
        .first()
    )
    if cached is not None:
        # The same answer to the same rubric with the same grader: reuse it, free.
        grade = store(
            **base,
            cached=True,
            status=cached.status,
            criteria=cached.criteria,
            machine_score=cached.machine_score,
            injection_suspected=cached.injection_suspected,
            review_reasons=cached.review_reasons,
        )
        return grade

    precheck = injection_precheck(text)
    reasons = [f"injection pre-check: {match!r}" for match in precheck]
    if not use_llm:
        with metrics.rubric_grading_timed("local"):
            result = LocalGrader(rubric).grade(text)
        status = AnswerGrade.Status.NEEDS_REVIEW if reasons else AnswerGrade.Status.GRADED
        grade = store(
            **base,
            status=status,
            review_reasons=reasons,
            criteria=[c.__dict__ for c in result.criteria],
            machine_score=result.score,
            injection_suspected=bool(reasons),
        )
        return grade

    if (
        organization is not None
        and organization.llm_budget_usd is not None
        and organization_spent(organization) >= organization.llm_budget_usd
    ):
        raise BudgetExhausted(f"{organization.name}'s LLM grading budget of ${organization.llm_budget_usd} is spent")
    try:
        with metrics.rubric_grading_timed("llm"):
            result: LlmResult = llm_grader().grade(
                question_title=version.title,
                prompt=version.prompt_markdown,
                rubric=rubric,
                answer=text,
                examples=recruiter_examples(version.question_id, rubric),
                samples=samples,
            )
    except LlmGradeInvalid as exc:
        calls = exc.calls
        cost = llm_cost(sum(c.prompt_tokens for c in calls), sum(c.completion_tokens for c in calls))
        grade = store(
            **base,
            status=AnswerGrade.Status.NEEDS_REVIEW,
            review_reasons=[f"the model's reply was invalid twice: {exc}"],
            raw_completions=[c.raw for c in calls],
            prompt_tokens=sum(c.prompt_tokens for c in calls),
            completion_tokens=sum(c.completion_tokens for c in calls),
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
    grade = store(
        **base,
        status=AnswerGrade.Status.NEEDS_REVIEW if reasons else AnswerGrade.Status.GRADED,
        review_reasons=reasons,
        criteria=[c.__dict__ for c in result.grade.criteria],
        machine_score=result.grade.score,
        injection_suspected=bool(precheck) or result.grade.injection_suspected,
        prompt=result.messages,
        raw_completions=[c.raw for c in result.calls],
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
        cost_usd=llm_cost(result.prompt_tokens, result.completion_tokens),
        seconds=sum(c.seconds for c in result.calls),
    )
    metrics.llm_cost_add(llm_cost(result.prompt_tokens, result.completion_tokens), model=model)  # spent either way
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
    """A recruiter sets a criterion's level, with a reason. The human level counts."""
    from interview.services import answer_apply_grade

    rubric = grade.answer.session_question.question_version.spec
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
        answer_apply_grade(grade.answer, grade)
    return override


def grade_for_reviewer(*, user: User, grade_id: int) -> AnswerGrade:
    grades = AnswerGrade.objects.select_related("answer__session_question__session", "answer__session_question__question_version")
    if not user.is_staff:
        if not user.is_recruiter:
            raise NotFoundError("no such grade")
        grades = grades.filter(answer__session_question__session__organization_id=user.organization_id)
    grade = grades.filter(id=grade_id).first()
    if grade is None:
        raise NotFoundError("no such grade")
    return grade
