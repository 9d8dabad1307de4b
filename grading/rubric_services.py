"""Writes for rubric grading: grade a written answer, and a recruiter's override of a grade.

The grading core is given what it grades (an answer's id and text, the question
version, the organization paying) and announces each stored grade with
``signals.rubric_grade_stored``; it never reads or writes interviews."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from redis.exceptions import RedisError

from accounts.models import Organization, User
from config import metrics
from config.errors import ApplicationError
from config.locks import transaction_lock
from config.text import text_problem
from grading import signals
from grading.llm import LlmGradeInvalid, LlmGrader, LlmRejected, LlmResult, LlmUnavailable
from grading.llm_budget import BudgetExhausted, llm_budget_reserve, llm_cost, llm_cost_ceiling, llm_spend_settle
from grading.local_grader import LocalGrader
from grading.models import AnswerGrade, GradeOverride
from grading.rubric import LEVELS, PROMPT_VERSION, answer_problems, injection_precheck, rubric_hash, weighted_score
from questions.models import QuestionVersion

log = logging.getLogger(__name__)


def llm_configured() -> bool:
    return bool(settings.OPENAI_API_KEY or settings.OPENAI_BASE_URL)


def llm_grader() -> LlmGrader:
    return LlmGrader(
        api_key=settings.OPENAI_API_KEY,
        base_url=settings.OPENAI_BASE_URL or None,
        model=settings.LLM_MODEL,
        timeout=settings.LLM_TIMEOUT_SECONDS,
        temperature=0.0 if settings.LLM_SAMPLES == 1 else 0.7,
        max_tokens=settings.LLM_MAX_TOKENS,
        response_format=settings.LLM_RESPONSE_FORMAT,
    )


# Operators hear of an endpoint that refuses requests for good (a revoked key, a model
# that is gone, a server without structured output) on /healthz for this long.
LLM_REJECTION_ALERT_SECONDS = 3600
_REJECTION_CACHE_KEY = "grading:llm:last-rejection"


def llm_rejection_record(message: str) -> None:
    try:
        cache.set(_REJECTION_CACHE_KEY, {"at": timezone.now().isoformat(), "message": message[:300]}, LLM_REJECTION_ALERT_SECONDS)
    except RedisError:  # the alert is lost, not the grade; the broker check reports Redis
        log.warning("could not record the LLM endpoint's refusal for /healthz: the cache is down")


def llm_last_rejection() -> dict[str, str] | None:
    """The latest permanent refusal of the LLM endpoint within the alert window, if any."""
    try:
        return cache.get(_REJECTION_CACHE_KEY)
    except RedisError:  # an outage of the cache is the broker check's to report
        return None


def _cache_key(*, model: str, samples: int, rubric: dict[str, Any], text: str, examples: list[dict[str, Any]]) -> str:
    """Same answer, rubric, grader and prompt (few-shot examples included): the same grade."""
    shots = json.dumps(examples, sort_keys=True, ensure_ascii=False)
    material = f"{PROMPT_VERSION}\0{model}\0{samples}\0{rubric_hash(rubric)}\0{shots}\0{text}"
    return hashlib.sha256(material.encode()).hexdigest()


# How many recruiter-graded answers join the anchors as few-shot examples.
RECRUITER_EXAMPLES = 2


def anchor_examples(rubric: dict[str, Any]) -> list[dict[str, Any]]:
    """The question's own graded exemplars (the bank's anchors), weakest first."""
    anchors = [{"answer": a["answer"], "levels": a["levels"]} for a in rubric.get("anchors", [])]
    return sorted(anchors, key=lambda a: weighted_score(rubric, a["levels"]))


def recruiter_examples(
    question_id: int, rubric: dict[str, Any], *, organization: Organization | None, limit: int = RECRUITER_EXAMPLES
) -> list[dict[str, Any]]:
    """The latest answers to the same question whose levels a recruiter of ``organization``
    set, as few-shot examples. Never another organization's (they are its candidates'
    answers), and none for practice: practice answers belong to no organization."""
    if organization is None:
        return []
    examples = []
    reviewed = AnswerGrade.objects.filter(
        status=AnswerGrade.Status.REVIEWED, question_version__question_id=question_id, organization=organization
    ).order_by("-id")
    ids = {c["id"] for c in rubric["criteria"]}
    for grade in reviewed.prefetch_related("overrides")[: limit * 3]:
        levels = effective_levels(grade)
        if set(levels) == ids and grade.answer_text.strip():
            examples.append({"answer": grade.answer_text, "levels": levels})
        if len(examples) == limit:
            break
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
    candidate_id: int | None
    use_llm: bool
    samples: int
    examples: list[dict[str, Any]]
    seen: int | None
    base: dict[str, Any]

    @property
    def rubric(self) -> dict[str, Any]:
        return self.version.spec

    def store(self, **fields: Any) -> AnswerGrade:
        return _grade_store(self.answer_id, self.seen, **{**self.base, **fields})


def rubric_grade(
    *,
    answer_id: int,
    version: QuestionVersion,
    text: str,
    organization: Organization | None,
    candidate_id: int | None = None,
) -> AnswerGrade:
    """Grades the written answer ``answer_id`` (its ``text``, to ``version``'s rubric) with
    the configured grader, stores the grade and announces it.

    ``organization`` pays (none for practice); ``candidate_id`` is whose answer it is (the
    per-candidate daily budget). Raises LlmUnavailable (retry later; the answer stays
    pending, never 0) and BudgetExhausted (an assessment waits for its budget). A
    practice answer over a budget gets the local grader instead. Grades that need a
    human are stored and queued for review.
    """
    use_llm = llm_configured()
    model = settings.LLM_MODEL if use_llm else "local"
    samples = settings.LLM_SAMPLES if use_llm else 1
    rubric = version.spec
    examples = anchor_examples(rubric)
    if use_llm:
        examples += recruiter_examples(version.question_id, rubric, organization=organization)
    run = _Grading(
        answer_id=answer_id,
        version=version,
        text=text,
        organization=organization,
        candidate_id=candidate_id,
        use_llm=use_llm,
        samples=samples,
        examples=examples,
        # A grade stored by another run while this one grades wins; this one is dropped.
        seen=rubric_grade_latest_id(answer_id),
        base={
            "question_version": version,
            "answer_text": text,
            "grader": "llm" if use_llm else "local",
            "model": model,
            "prompt_version": PROMPT_VERSION,
            "rubric_hash": rubric_hash(rubric),
            "cache_key": _cache_key(model=model, samples=samples, rubric=rubric, text=text, examples=examples),
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
    # The same answer to the same rubric with the same grader and prompt: reuse it, free.
    return run.store(
        cached=True,
        status=cached.status,
        criteria=cached.criteria,
        machine_score=cached.machine_score,
        confidence=cached.confidence,
        injection_suspected=cached.injection_suspected,
        review_reasons=cached.review_reasons,
    )


def _precheck_reasons(matches: list[str]) -> list[str]:
    return [f"injection pre-check: {match!r}" for match in matches]


def _grade_locally(run: _Grading, *, reasons: list[str] | None = None) -> AnswerGrade:
    """The offline grader: provisional levels with a confidence. An injection pre-check
    match, or (in an assessment) low confidence, sends the grade to a person; practice
    has no reviewer, so there a low confidence is shown, not waited on."""
    precheck = injection_precheck(run.text)
    reasons = [*(reasons or []), *_precheck_reasons(precheck)]
    with metrics.rubric_grading_timed("local"):
        result = LocalGrader(run.rubric).grade(run.text, precheck=precheck)
    flagged = any(r.startswith("injection pre-check") for r in reasons)
    unsure = "low_confidence" in result.flags
    if unsure:
        reasons.append(f"the local grader is not confident of these levels ({result.confidence:.2f})")
    review = flagged or (unsure and run.organization is not None)
    return run.store(
        grader="local",
        model="local",
        status=AnswerGrade.Status.NEEDS_REVIEW if review else AnswerGrade.Status.GRADED,
        review_reasons=reasons,
        criteria=[c.__dict__ for c in result.criteria],
        machine_score=result.score,
        confidence=result.confidence,
        injection_suspected=flagged,
    )


def _usage(calls: list[Any]) -> dict[str, Any]:
    """What a grade records of the calls it took, whatever became of them."""
    prompt_tokens, completion_tokens = sum(c.prompt_tokens for c in calls), sum(c.completion_tokens for c in calls)
    return {
        "raw_completions": [c.raw for c in calls],
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "cost_usd": llm_cost(prompt_tokens, completion_tokens),
        "seconds": sum(c.seconds for c in calls),
    }


def _grade_with_llm(run: _Grading) -> AnswerGrade:
    precheck = injection_precheck(run.text)  # once: up to ~0.3 s on the longest answers
    reasons = _precheck_reasons(precheck)
    model = run.base["model"]
    grader = llm_grader()
    # The most this grading can cost, reserved before anything is sent: every request of
    # every sample may be asked twice (an invalid reply), with the whole prompt.
    prompt_chars = len(json.dumps(run.rubric)) + len(run.version.prompt_markdown) + len(run.text)
    prompt_chars += sum(len(e["answer"]) + 200 for e in run.examples) + 3000
    ceiling = llm_cost_ceiling(prompt_chars=prompt_chars, requests=2 * run.samples)
    try:
        spend = llm_budget_reserve(
            organization=run.organization, user_id=run.candidate_id, answer_id=run.answer_id, model=model, amount=ceiling
        )
    except BudgetExhausted as exc:
        if run.organization is not None:
            raise
        # Practice: the free local grader, rather than no feedback at all.
        log.info("answer %s: %s; graded by the local grader", run.answer_id, exc)
        return _grade_locally(run, reasons=[f"graded by the local grader: {exc}"])
    calls: list[Any] = []
    try:
        with metrics.rubric_grading_timed("llm"):
            result: LlmResult = grader.grade(
                question_title=run.version.title,
                prompt=run.version.prompt_markdown,
                rubric=run.rubric,
                answer=run.text,
                examples=run.examples,
                samples=run.samples,
            )
        calls = result.calls
    except LlmGradeInvalid as exc:
        calls = exc.calls
        llm_spend_settle(spend, calls=calls, outcome="invalid")
        return run.store(
            status=AnswerGrade.Status.NEEDS_REVIEW, review_reasons=[f"no usable grade from the model: {exc}"], **_usage(calls)
        )
    except LlmRejected as exc:
        calls = exc.calls
        llm_spend_settle(spend, calls=calls, outcome="rejected")
        log.error("answer %s: the LLM endpoint refused the request for good: %s", run.answer_id, exc)
        llm_rejection_record(str(exc))
        return run.store(
            status=AnswerGrade.Status.NEEDS_REVIEW,
            review_reasons=[f"the LLM endpoint refused the request, so a person grades this answer: {exc}"],
            **_usage(calls),
        )
    except LlmUnavailable as exc:
        llm_spend_settle(spend, calls=exc.calls, outcome="unavailable")
        raise
    except BaseException:
        llm_spend_settle(spend, calls=calls, outcome="error")
        raise
    llm_spend_settle(spend, calls=calls, outcome="graded")
    if result.grade.injection_suspected:
        reasons.append("the model flagged an injection attempt")
    reasons += [
        f"samples disagree by more than one level on {flag.split(':', 1)[1]}"
        for flag in result.grade.flags
        if flag.startswith("inconsistent:")
    ]
    return run.store(
        status=AnswerGrade.Status.NEEDS_REVIEW if reasons else AnswerGrade.Status.GRADED,
        review_reasons=reasons,
        criteria=[c.__dict__ for c in result.grade.criteria],
        machine_score=result.grade.score,
        injection_suspected=bool(precheck) or result.grade.injection_suspected,
        prompt=result.messages,
        **_usage(calls),
    )


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
