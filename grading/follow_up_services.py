"""The interviewer's choice of follow-ups for a written answer (grading/follow_ups.py has
the rules): which criteria to probe, and the question for each.

The criteria are this answer's weakest by the local grader's levels (offline, fast, and
free, so also with an LLM configured). The questions are the bank's authored probes;
with an LLM configured they are written from the candidate's answer instead
(grading/follow_up_writer.py), unless the answer tries to steer the model, the budget
is spent, or the model fails: then the authored probes stand. The grading core is told
what to look at (a question version, a text) and returns probes; it keeps no record of
them (the interview app does, in its FollowUp rows).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from accounts.models import Organization
from grading.follow_up_writer import FOLLOW_UPS_REQUESTS, FollowUpsWritten, follow_ups_prompt_chars, follow_ups_write
from grading.follow_ups import MAX_FOLLOW_UPS, Probe, authored_probes, weakest_criteria
from grading.llm import LlmGradeInvalid, LlmRejected, LlmUnavailable
from grading.llm_budget import BudgetExhausted, llm_budget_reserve, llm_cost_ceiling, llm_spend_settle
from grading.local_grader import LocalGrader
from grading.rubric import injection_precheck
from questions.models import QuestionVersion

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChosenFollowUps:
    probes: list[Probe]
    source: str  # "authored" or "llm"
    # Why the authored probes were used although an LLM is configured, if so.
    note: str = ""


def follow_ups_choose(
    *,
    version: QuestionVersion,
    text: str,
    organization: Organization | None,
    candidate_id: int | None,
    answer_id: int | None = None,
    asked: Iterable[str] = (),
    limit: int = MAX_FOLLOW_UPS,
    use_llm: bool | None = None,
) -> ChosenFollowUps:
    """The follow-ups to ask on ``text``, an answer to ``version``: at most ``limit``, on
    its weakest criteria (none at the top level). ``use_llm`` None: when one is configured."""
    from grading.rubric_services import llm_configured

    rubric = version.spec
    levels = {c.id: c.level for c in LocalGrader(rubric).grade(text, precheck=[]).criteria}
    authored = authored_probes(rubric, levels, limit=limit, asked=asked)
    if not authored:
        return ChosenFollowUps([], "authored")
    if not (llm_configured() if use_llm is None else use_llm):
        return ChosenFollowUps(authored, "authored")
    if injection_precheck(text):
        # The answer talks to the grader: it does not get to talk to the interviewer either.
        return ChosenFollowUps(authored, "authored", note="the answer tried to steer the grader")
    criteria = weakest_criteria(rubric, levels, limit=limit)
    try:
        written = follow_ups_written(
            version=version,
            text=text,
            criteria=criteria,
            organization=organization,
            candidate_id=candidate_id,
            answer_id=answer_id,
        )
    except (LlmUnavailable, LlmRejected, LlmGradeInvalid, BudgetExhausted) as exc:
        # The model is a convenience here: the authored probes are always there.
        log.warning("answer %s: LLM follow-ups failed (%s); authored probes asked", answer_id, type(exc).__name__)
        return ChosenFollowUps(authored, "authored", note=f"the LLM could not write follow-ups: {type(exc).__name__}")
    if written.use_authored:
        note = "the answer tried to steer the model" if written.injection_suspected else "the LLM wrote no usable follow-up"
        return ChosenFollowUps(authored, "authored", note=note)
    return ChosenFollowUps(written.probes, "llm")


def follow_ups_written(
    *,
    version: QuestionVersion,
    text: str,
    criteria: list[str],
    organization: Organization | None,
    candidate_id: int | None,
    answer_id: int | None,
) -> FollowUpsWritten:
    """Has the LLM write the follow-ups, paid for like a grading: the most it can cost is
    reserved against the organization's, the candidate's and the global budgets before
    the call (BudgetExhausted if it does not fit), and settled with what it cost."""
    from grading.rubric_services import llm_grader

    fields = {"question_title": version.title, "prompt": version.prompt_markdown, "rubric": version.spec, "answer": text}
    ceiling = llm_cost_ceiling(prompt_chars=follow_ups_prompt_chars(**fields, criteria=criteria), requests=FOLLOW_UPS_REQUESTS)
    spend = llm_budget_reserve(
        organization=organization, user_id=candidate_id, answer_id=answer_id, model=settings.LLM_MODEL, amount=ceiling
    )
    try:
        written = follow_ups_write(grader=llm_grader(), **fields, criteria=criteria)
    except (LlmUnavailable, LlmRejected, LlmGradeInvalid) as exc:
        llm_spend_settle(spend, calls=exc.calls, outcome="follow_ups_failed")
        raise
    except BaseException:
        llm_spend_settle(spend, calls=[], outcome="error")
        raise
    llm_spend_settle(spend, calls=written.calls, outcome="follow_ups")
    return written
