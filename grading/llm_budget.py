"""What LLM grading may spend, and what it spent: reserve before a call, settle after.

Three budgets, each checked when a grading reserves its money:

- an organization's ``llm_budget_usd``, per calendar month (UTC): its assessments;
- ``LLM_BUDGET_PER_USER_PER_DAY_USD``: one candidate's answers in a day (UTC), practice
  included, so that nobody can spend the service's money by practising in a loop;
- ``LLM_BUDGET_PER_DAY_USD``: everything, in a day (UTC).

A reservation is the most a grading can cost (every prompt token and ``max_tokens`` for
each possible request) and counts against every budget until it is settled with what
the calls really cost. Reservations are taken one at a time (a transaction lock), so
two gradings at once can never both fit into the same last dollar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, DecimalField, F, QuerySet, Sum, When
from django.utils import timezone

from accounts.models import Organization
from config import metrics
from config.locks import transaction_lock
from grading.models import LlmSpend

# Characters per prompt token, on the safe side (English prose is about 4).
CHARS_PER_TOKEN = 3
# A reservation whose grading never settled it (its worker died) stops counting after this.
RESERVATION_TTL_HOURS = 6


class BudgetExhausted(Exception):
    """A budget is spent: no paid grading until it is raised or the period turns."""

    def __init__(self, message: str, *, scope: str) -> None:
        super().__init__(message)
        self.scope = scope  # "organization", "user" or "global"


def llm_cost(prompt_tokens: int, completion_tokens: int) -> Decimal:
    cost = prompt_tokens * settings.LLM_PRICE_INPUT_PER_MTOK + completion_tokens * settings.LLM_PRICE_OUTPUT_PER_MTOK
    return Decimal(str(round(cost / 1_000_000, 6)))


def llm_cost_ceiling(*, prompt_chars: int, requests: int) -> Decimal:
    """The most a grading can cost: ``requests`` requests of the whole prompt and ``max_tokens``."""
    prompt_tokens = prompt_chars // CHARS_PER_TOKEN + 50
    return llm_cost(prompt_tokens * requests, settings.LLM_MAX_TOKENS * requests)


def _counted(spends: QuerySet[LlmSpend], *, since: datetime) -> Decimal:
    """Settled costs plus open reservations, since ``since``."""
    stale = timezone.now() - timedelta(hours=RESERVATION_TTL_HOURS)
    amount = Case(
        When(status=LlmSpend.Status.SETTLED, then=F("cost_usd")),
        When(created_at__gte=stale, then=F("reserved_usd")),
        default=Decimal(0),
        output_field=DecimalField(max_digits=12, decimal_places=6),
    )
    return spends.filter(created_at__gte=since).aggregate(total=Sum(amount))["total"] or Decimal(0)


def _month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _day_start(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def organization_spent_this_month(organization: Organization, *, now: datetime | None = None) -> Decimal:
    now = now or timezone.now()
    return _counted(LlmSpend.objects.filter(organization=organization), since=_month_start(now))


@dataclass(frozen=True)
class _Budget:
    scope: str
    limit: Decimal
    spent: Decimal
    what: str


def _budgets(*, organization: Organization | None, user_id: int | None, now: datetime) -> list[_Budget]:
    budgets = []
    if organization is not None and organization.llm_budget_usd is not None:
        budgets.append(
            _Budget(
                "organization",
                organization.llm_budget_usd,
                organization_spent_this_month(organization, now=now),
                f"{organization.name}'s LLM grading budget of ${organization.llm_budget_usd} for this month",
            )
        )
    per_user = Decimal(str(settings.LLM_BUDGET_PER_USER_PER_DAY_USD))
    if user_id is not None and per_user >= 0:
        budgets.append(
            _Budget(
                "user",
                per_user,
                _counted(LlmSpend.objects.filter(user_id=user_id), since=_day_start(now)),
                f"the daily LLM grading budget of ${per_user} per candidate",
            )
        )
    overall = Decimal(str(settings.LLM_BUDGET_PER_DAY_USD))
    if overall >= 0:
        budgets.append(
            _Budget("global", overall, _counted(LlmSpend.objects.all(), since=_day_start(now)), "today's LLM grading budget")
        )
    return budgets


def llm_budget_reserve(
    *, organization: Organization | None, user_id: int | None, answer_id: int | None, model: str, amount: Decimal
) -> LlmSpend:
    """Reserves ``amount`` against every budget that applies, or raises BudgetExhausted
    naming the first that it would overshoot. Nothing is sent before this returns."""
    now = timezone.now()
    with transaction.atomic():
        transaction_lock("llm-budget")
        for budget in _budgets(organization=organization, user_id=user_id, now=now):
            if budget.spent + amount > budget.limit:
                metrics.llm_budget_refused(budget.scope)
                raise BudgetExhausted(f"{budget.what} is spent", scope=budget.scope)
        return LlmSpend.objects.create(
            organization=organization, user_id=user_id, answer_id=answer_id, model=model, reserved_usd=amount, created_at=now
        )


def llm_spend_settle(spend: LlmSpend, *, calls: Sequence[Any], outcome: str) -> Decimal:
    """Records what the calls (``LlmCall``s, whatever became of them) really cost."""
    prompt_tokens = sum(c.prompt_tokens for c in calls)
    completion_tokens = sum(c.completion_tokens for c in calls)
    cost = llm_cost(prompt_tokens, completion_tokens)
    LlmSpend.objects.filter(id=spend.id).update(
        status=LlmSpend.Status.SETTLED,
        cost_usd=cost,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        calls=len(calls),
        outcome=outcome,
        settled_at=timezone.now(),
    )
    if cost:
        metrics.llm_cost_add(cost, model=spend.model)
    return cost
