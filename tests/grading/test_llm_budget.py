"""LLM spend: reserved before a request, settled after, within every budget that applies.

Through the real openai client against the local fake endpoint (tests/fake_openai.py).
"""

from __future__ import annotations

import threading
from decimal import ROUND_UP, Decimal

import pytest
from django.db import connection

from config import metrics
from grading.llm_budget import BudgetExhausted, llm_budget_reserve, organization_spent_this_month
from grading.models import AnswerGrade, LlmSpend
from interview.services import answer_rubric_grade

ANSWER = "Shard keys with consistent hashing and virtual nodes. Evict with LRU eviction and a TTL per key."
GOOD = {"partitioning": 4, "eviction": 3}
EVIDENCE = {"partitioning": ["consistent hashing and virtual nodes"], "eviction": ["LRU eviction and a TTL"]}


def _candidate(django_user_model, email):
    return django_user_model.objects.create_user(email, "correct-horse-battery-9")


def _refusals(scope: str) -> float:
    return metrics.LLM_BUDGET_REFUSALS.labels(scope=scope)._value.get()


@pytest.mark.django_db(transaction=True)
def test_concurrent_reservations_never_overshoot_a_budget(settings, acme):
    settings.LLM_BUDGET_PER_DAY_USD = 1.00
    settings.LLM_BUDGET_PER_USER_PER_DAY_USD = -1  # no per-user limit here
    results: list[str] = []
    start = threading.Barrier(8)

    def reserve() -> None:
        start.wait()
        try:
            llm_budget_reserve(organization=None, user_id=None, answer_id=None, model="m", amount=Decimal("0.30"))
            results.append("reserved")
        except BudgetExhausted as exc:
            results.append(exc.scope)
        finally:
            connection.close()

    threads = [threading.Thread(target=reserve) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # 3 x 0.30 fit into 1.00; a fourth would make 1.20.
    assert sorted(results) == ["global"] * 5 + ["reserved"] * 3
    assert sum(s.reserved_usd for s in LlmSpend.objects.all()) == Decimal("0.90")


@pytest.mark.django_db(transaction=True)
def test_concurrent_gradings_stay_within_an_organizations_budget(fake_llm, answer_with, acme, django_user_model, settings):
    # Prices in dollars per thousand tokens, so that amounts are whole cents and more.
    settings.LLM_PRICE_INPUT_PER_MTOK, settings.LLM_PRICE_OUTPUT_PER_MTOK = 150.0, 600.0
    settings.LLM_BUDGET_PER_USER_PER_DAY_USD = settings.LLM_BUDGET_PER_DAY_USD = -1
    # One grading first, to learn what a reservation of this prompt is and what a call costs.
    # Every answer has the same length, so every reservation is the same.
    first = answer_with(f"{ANSWER} Variant 9.", assessment=True)
    fake_llm.reply_grade(GOOD, evidence=EVIDENCE)
    graded = answer_rubric_grade(answer_id=first.id)
    ceiling = LlmSpend.objects.get().reserved_usd
    # Room for exactly two more reservations; five gradings start at once, and the
    # endpoint is slow, so none settles before every one has asked.
    acme.llm_budget_usd = (graded.cost_usd + 2 * ceiling).quantize(Decimal("0.01"), rounding=ROUND_UP)
    assert acme.llm_budget_usd < graded.cost_usd + 3 * ceiling
    acme.save()
    answers = [
        answer_with(f"{ANSWER} Variant {n}.", assessment=True, candidate=_candidate(django_user_model, f"c{n}@y.test"))
        for n in range(5)
    ]
    for _ in answers:
        fake_llm.reply_grade(GOOD, evidence=EVIDENCE, delay=1.0)
    outcomes: list[str] = []
    start = threading.Barrier(len(answers))

    def grade(answer_id: int) -> None:
        start.wait()
        try:
            outcomes.append(answer_rubric_grade(answer_id=answer_id).status)
        except BudgetExhausted:
            outcomes.append("budget_exhausted")
        finally:
            connection.close()

    threads = [threading.Thread(target=grade, args=(a.id,)) for a in answers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["budget_exhausted"] * 3 + ["graded"] * 2
    assert len([r for r in fake_llm.requests if r["body"]]) == 3  # the first grading and two of the five
    assert organization_spent_this_month(acme) <= acme.llm_budget_usd
    assert LlmSpend.objects.filter(status="settled").count() == 3 and not LlmSpend.objects.filter(status="reserved")


def test_practice_over_the_daily_budget_per_candidate_gets_the_local_grader(fake_llm, answer_with, settings):
    settings.LLM_BUDGET_PER_USER_PER_DAY_USD = 0.0
    before = _refusals("user")
    grade = answer_rubric_grade(answer_id=answer_with(ANSWER).id)
    assert fake_llm.requests == []  # nothing was sent
    assert grade.grader == "local" and grade.status == "graded"
    assert "graded by the local grader: the daily LLM grading budget of $0.0 per candidate is spent" in grade.review_reasons
    assert _refusals("user") == before + 1 and not LlmSpend.objects.exists()


def test_an_assessment_over_the_global_daily_budget_waits_for_it(fake_llm, answer_with, settings):
    settings.LLM_BUDGET_PER_DAY_USD = 0.0
    answer = answer_with(ANSWER, assessment=True)
    with pytest.raises(BudgetExhausted, match="today's LLM grading budget is spent") as raised:
        answer_rubric_grade(answer_id=answer.id)
    assert raised.value.scope == "global" and fake_llm.requests == [] and not AnswerGrade.objects.exists()


def test_a_practice_candidates_spend_counts_against_their_daily_budget(fake_llm, answer_with, settings):
    fake_llm.reply_grade(GOOD, evidence=EVIDENCE)
    first = answer_rubric_grade(answer_id=answer_with(ANSWER).id)
    spend = LlmSpend.objects.get()
    assert spend.user_id == first.answer.session_question.session.candidate_id and spend.organization is None
    assert spend.cost_usd == first.cost_usd > 0
    # The next practice grading's reservation no longer fits into what is left today.
    settings.LLM_BUDGET_PER_USER_PER_DAY_USD = float(first.cost_usd + spend.reserved_usd / 2)
    first.answer.session_question.session.delete()
    second = answer_rubric_grade(answer_id=answer_with(ANSWER + " Again.").id)
    assert second.grader == "local" and len(fake_llm.requests) == 1


def test_the_request_bounds_the_reply_with_max_tokens(fake_llm, answer_with, settings):
    settings.LLM_MAX_TOKENS = 777
    fake_llm.reply_grade(GOOD, evidence=EVIDENCE)
    answer_rubric_grade(answer_id=answer_with(ANSWER).id)
    assert fake_llm.requests[0]["body"]["max_tokens"] == 777
