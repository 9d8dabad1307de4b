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
from grading.follow_ups import exchange_levels
from grading.llm import LlmGradeInvalid, LlmGrader, LlmRejected, LlmResult, LlmUnavailable
from grading.llm_budget import BudgetExhausted, llm_budget_reserve, llm_cost, llm_cost_ceiling, llm_spend_settle
from grading.local_grader import LocalGrader
from grading.models import AnswerGrade, GradeOverride
from grading.rubric import (
    LEVELS,
    PROMPT_VERSION,
    RubricGrade,
    answer_problems,
    injection_precheck,
    rubric_hash,
    spaced,
    weighted_score,
)
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


def _cache_key(
    *,
    model: str,
    samples: int,
    rubric: dict[str, Any],
    text: str,
    examples: list[dict[str, Any]],
    exchange: list[dict[str, Any]] | None = None,
) -> str:
    """Same answer, rubric, grader and prompt (few-shot examples included), and the same
    follow-up exchange: the same grade."""
    shots = json.dumps(examples, sort_keys=True, ensure_ascii=False)
    material = f"{PROMPT_VERSION}\0{model}\0{samples}\0{rubric_hash(rubric)}\0{shots}\0{text}"
    if exchange:
        material += "\0" + json.dumps(exchange, sort_keys=True, ensure_ascii=False)
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
        status=AnswerGrade.Status.REVIEWED, question_version__question_id=question_id, organization=organization, part=""
    ).order_by("-id")
    ids = {c["id"] for c in rubric["criteria"]}
    for grade in reviewed.prefetch_related("overrides")[: limit * 3]:
        levels = effective_levels(grade)
        if set(levels) == ids and grade.answer_text.strip():
            examples.append({"answer": grade.answer_text, "levels": levels})
        if len(examples) == limit:
            break
    return examples


def rubric_grade_latest_id(answer_id: int, *, part: str = "") -> int | None:
    """The answer's latest grade (of its rubric, or of ``part``: a coding follow-up's)."""
    return AnswerGrade.objects.filter(answer_id=answer_id, part=part).order_by("-id").values_list("id", flat=True).first()


def _grade_store(answer_id: int, seen: int | None, **fields: Any) -> AnswerGrade:
    """Stores a grade and announces it (``rubric_grade_stored``, in the same transaction),
    unless another run of the grading task for the same answer (a redelivery, beat's
    re-queue during an outage) stored one since this run began: then that grade stands
    and this one is dropped, so an answer never gets two."""
    with transaction.atomic():
        transaction_lock(f"rubric-grade:{answer_id}")
        latest = rubric_grade_latest_id(answer_id, part=fields.get("part", ""))
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
    # The follow-ups asked on this answer and their replies in time, [{criterion_id,
    # question, reply}]: graded with it (exchange_graded). Empty, flagged or late replies
    # never come here.
    exchange: tuple[dict[str, Any], ...] = ()
    # Why a person must look whatever the grader says (a reply that tried to steer it).
    reasons: tuple[str, ...] = ()
    rubric_override: dict[str, Any] | None = None
    # What the LLM is shown, if not the question's prompt and the text graded.
    llm_prompt: str | None = None
    llm_text: str | None = None

    @property
    def rubric(self) -> dict[str, Any]:
        return self.rubric_override or self.version.spec

    def store(self, **fields: Any) -> AnswerGrade:
        return _grade_store(self.answer_id, self.seen, **{**self.base, **fields})


def rubric_grade(
    *,
    answer_id: int,
    version: QuestionVersion,
    text: str,
    organization: Organization | None,
    candidate_id: int | None = None,
    exchange: list[dict[str, Any]] | None = None,
    extra_reasons: list[str] | None = None,
) -> AnswerGrade:
    """Grades the written answer ``answer_id`` (its ``text``, to ``version``'s rubric) with
    the configured grader, stores the grade and announces it.

    ``exchange``: the follow-ups asked on it with their replies in time ({criterion_id,
    question, reply}); a reply can raise or confirm the level of the criterion it probes,
    never lower any (grading/follow_ups.py). ``extra_reasons``: why a person should look
    anyway (a reply that tried to steer the grader).

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
    exchange = [e for e in exchange or [] if e["criterion_id"] in {c["id"] for c in rubric["criteria"]}]
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
            "cache_key": _cache_key(model=model, samples=samples, rubric=rubric, text=text, examples=examples, exchange=exchange),
            "organization": organization,
            "exchange": exchange,
        },
        exchange=tuple(exchange),
        reasons=tuple(extra_reasons or ()),
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


def exchange_text(text: str, exchange: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> str:
    """What the candidate wrote in the whole exchange: the answer, then each reply."""
    return "\n\n".join([text, *(e["reply"] for e in exchange)])


def exchange_prompt(prompt: str, exchange: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> str:
    """The question as the whole exchange was asked: its prompt, then the interviewer's
    follow-ups. The candidate's replies are not here: they are data, in the answer's fence."""
    asked = "\n".join(f"{n}. {e['question']}" for n, e in enumerate(exchange, start=1))
    return (
        f"{prompt}\n\n# Follow-up questions the interviewer asked after the first answer\n{asked}\n\n"
        "The answer to grade is the candidate's first answer followed by their replies to these follow-ups, in order."
    )


def exchange_graded(
    rubric: dict[str, Any], answer_grade: RubricGrade, exchange_grade: RubricGrade, exchange: tuple[dict[str, Any], ...]
) -> tuple[list[dict[str, Any]], float]:
    """The criteria of a grade of the whole exchange: each probed criterion keeps the
    better of its level in the answer and in the exchange (its reply's evidence beside),
    every other criterion keeps the answer's level (grading/follow_ups.exchange_levels)."""
    before = {c.id: c.level for c in answer_grade.criteria}
    after = {c.id: c for c in exchange_grade.criteria}
    probed = {e["criterion_id"] for e in exchange}
    replies = {cid: after[cid].level for cid in probed if cid in after}
    merged = exchange_levels(before, replies)
    criteria = []
    for c in answer_grade.criteria:
        item = {**c.__dict__, "level": merged[c.id]}
        if c.id in replies:
            reply_text = spaced(" ".join(e["reply"] for e in exchange if e["criterion_id"] == c.id))
            quotes = [q for q in after[c.id].evidence if spaced(q) in reply_text]
            item["answer_level"] = c.level
            item["follow_up"] = {"level": replies[c.id], "reasoning": after[c.id].reasoning, "evidence": quotes}
        criteria.append(item)
    return criteria, weighted_score(rubric, merged)


def _grade_locally(run: _Grading, *, reasons: list[str] | None = None) -> AnswerGrade:
    """The offline grader: provisional levels with a confidence. An injection pre-check
    match, or (in an assessment) low confidence, sends the grade to a person; practice
    has no reviewer, so there a low confidence is shown, not waited on."""
    precheck = injection_precheck(run.text)
    reasons = [*run.reasons, *(reasons or []), *_precheck_reasons(precheck)]
    with metrics.rubric_grading_timed("local"):
        grader = LocalGrader(run.rubric)
        result = grader.grade(run.text, precheck=precheck)
        criteria, score = [c.__dict__ for c in result.criteria], result.score
        if run.exchange:
            # Replies were pre-checked when their follow-ups closed: none here tried to steer.
            whole = grader.grade(exchange_text(run.text, run.exchange), precheck=[])
            criteria, score = exchange_graded(run.rubric, result, whole, run.exchange)
    flagged = any(r.startswith("injection pre-check") for r in reasons)
    unsure = "low_confidence" in result.flags
    if unsure:
        reasons.append(f"the local grader is not confident of these levels ({result.confidence:.2f})")
    review = bool(run.reasons) or flagged or (unsure and run.organization is not None)
    return run.store(
        grader="local",
        model="local",
        status=AnswerGrade.Status.NEEDS_REVIEW if review else AnswerGrade.Status.GRADED,
        review_reasons=reasons,
        criteria=criteria,
        machine_score=score,
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
    reasons = [*run.reasons, *_precheck_reasons(precheck)]
    model = run.base["model"]
    grader = llm_grader()
    # The most this grading can cost, reserved before anything is sent: every request of
    # every sample may be asked twice (an invalid reply), with the whole prompt.
    prompt_chars = len(json.dumps(run.rubric)) + len(run.llm_prompt or run.version.prompt_markdown)
    prompt_chars += len(run.llm_text or run.text)
    prompt_chars += sum(len(e["answer"]) + 200 for e in run.examples) + 3000
    if run.exchange:  # a second grading, of the whole exchange, with the replies and questions
        prompt_chars += sum(len(e["reply"]) + len(e["question"]) + 100 for e in run.exchange)
    requests = 2 * run.samples * (2 if run.exchange else 1)
    ceiling = llm_cost_ceiling(prompt_chars=prompt_chars, requests=requests)
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
                prompt=run.llm_prompt or run.version.prompt_markdown,
                rubric=run.rubric,
                answer=run.llm_text or run.text,
                examples=run.examples,
                samples=run.samples,
            )
            calls = list(result.calls)
            whole: LlmResult | None = None
            if run.exchange:
                whole = grader.grade(
                    question_title=run.version.title,
                    prompt=exchange_prompt(run.version.prompt_markdown, run.exchange),
                    rubric=run.rubric,
                    answer=exchange_text(run.text, run.exchange),
                    examples=run.examples,
                    samples=run.samples,
                )
                calls += whole.calls
    except LlmGradeInvalid as exc:
        calls = [*calls, *exc.calls]
        llm_spend_settle(spend, calls=calls, outcome="invalid")
        return run.store(
            status=AnswerGrade.Status.NEEDS_REVIEW, review_reasons=[f"no usable grade from the model: {exc}"], **_usage(calls)
        )
    except LlmRejected as exc:
        calls = [*calls, *exc.calls]
        llm_spend_settle(spend, calls=calls, outcome="rejected")
        log.error("answer %s: the LLM endpoint refused the request for good: %s", run.answer_id, exc)
        llm_rejection_record(str(exc))
        return run.store(
            status=AnswerGrade.Status.NEEDS_REVIEW,
            review_reasons=[f"the LLM endpoint refused the request, so a person grades this answer: {exc}"],
            **_usage(calls),
        )
    except LlmUnavailable as exc:
        llm_spend_settle(spend, calls=[*calls, *exc.calls], outcome="unavailable")
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
    criteria, score = [c.__dict__ for c in result.grade.criteria], result.grade.score
    messages = result.messages
    if whole is not None:
        criteria, score = exchange_graded(run.rubric, result.grade, whole.grade, run.exchange)
        messages = [*messages, *whole.messages]
        if whole.grade.injection_suspected:
            reasons.append("the model flagged an injection attempt in a follow-up reply")
    return run.store(
        status=AnswerGrade.Status.NEEDS_REVIEW if reasons else AnswerGrade.Status.GRADED,
        review_reasons=reasons,
        criteria=criteria,
        machine_score=score,
        injection_suspected=bool(precheck) or result.grade.injection_suspected,
        prompt=messages,
        **_usage(calls),
    )


# -- a coding question's follow-up ------------------------------------------------------

FOLLOW_UP_PART = "follow_up"
# A follow-up reply is a few sentences, not an essay.
FOLLOW_UP_MAX_WORDS = 400


def follow_up_rubric(spec: dict[str, Any]) -> dict[str, Any]:
    """A coding question's follow-up as a rubric the graders take: its criteria, its
    reference reply as the strong answer (docs/question-format.md, "follow_up")."""
    follow_up = spec["follow_up"]
    return {
        "criteria": follow_up["criteria"],
        "strong_answer": follow_up["reference"],
        "anchors": [],
        "synonyms": {},
        "max_words": FOLLOW_UP_MAX_WORDS,
    }


def grade_rubric(grade: AnswerGrade) -> dict[str, Any]:
    """The rubric ``grade`` was graded against: its question's, or its follow-up's."""
    spec = grade.question_version.spec
    return follow_up_rubric(spec) if grade.part == FOLLOW_UP_PART else spec


def follow_up_grade(
    *,
    answer_id: int,
    version: QuestionVersion,
    question: str,
    reply: str,
    code: str,
    organization: Organization | None,
    candidate_id: int | None = None,
    extra_reasons: list[str] | None = None,
) -> AnswerGrade:
    """Grades the reply to a coding question's follow-up against its small rubric, as
    ``rubric_grade`` grades an answer (same graders, budget, fence and checks). The
    candidate's code is context for the LLM, inside the same fence as the reply."""
    use_llm = llm_configured()
    model = settings.LLM_MODEL if use_llm else "local"
    samples = settings.LLM_SAMPLES if use_llm else 1
    rubric = follow_up_rubric(version.spec)
    context = (
        f"{version.prompt_markdown}\n\n# Follow-up question, asked after the candidate's code passed every test\n"
        f"{question}\n\nThe answer to grade is the candidate's reply to this follow-up."
    )
    graded_text = reply if not code.strip() else f"{reply}\n\n(The candidate's code, for reference:)\n{code}"
    run = _Grading(
        answer_id=answer_id,
        version=version,
        text=reply,
        organization=organization,
        candidate_id=candidate_id,
        use_llm=use_llm,
        samples=samples,
        examples=[],
        seen=rubric_grade_latest_id(answer_id, part=FOLLOW_UP_PART),
        base={
            "question_version": version,
            "answer_text": reply,
            "part": FOLLOW_UP_PART,
            "grader": "llm" if use_llm else "local",
            "model": model,
            "prompt_version": PROMPT_VERSION,
            "rubric_hash": rubric_hash(rubric),
            "cache_key": _cache_key(model=model, samples=samples, rubric=rubric, text=graded_text, examples=[]),
            "organization": organization,
        },
        reasons=tuple(extra_reasons or ()),
        rubric_override=rubric,
        llm_prompt=context,
        llm_text=graded_text,
    )
    return _grade_without_grader(run) or (_grade_with_llm(run) if use_llm else _grade_locally(run))


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
    rubric = grade_rubric(grade)
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
