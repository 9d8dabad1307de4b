"""The organization's settings page: its name, the LLM grading budget of the month and
what was spent of it, and the grader in use. Recruiters read it; organization admins
also change the budget (a recruiter's POST is a 403: the page exists for them, the
action does not). Candidates get a 404.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts import services as account_services
from accounts.forms import LlmBudgetForm
from config.errors import ApplicationError
from grading.llm_budget import organization_spent_this_month
from grading.rubric_services import llm_configured


def grader_description() -> dict[str, str]:
    """The grader that rubric grading uses, for people: never the key."""
    if not llm_configured():
        return {"kind": "local", "label": "Local grader (offline)"}
    host = urlsplit(settings.OPENAI_BASE_URL).hostname if settings.OPENAI_BASE_URL else "api.openai.com"
    return {"kind": "llm", "label": f"LLM {settings.LLM_MODEL}", "model": settings.LLM_MODEL, "host": host or ""}


def _budget_use(budget: Decimal | None, spent: Decimal) -> dict[str, object] | None:
    if budget is None:
        return None
    percent = float(spent / budget * 100) if budget > 0 else (100.0 if spent > 0 else 0.0)
    return {"percent": round(percent, 1), "bar_value": min(percent, 100.0), "over": spent > budget}


def _dollars(amount: Decimal) -> str:
    # Grading costs fractions of a cent: "$0.00" would hide that anything was spent.
    if amount == 0 or amount >= 1:
        return f"${amount:,.2f}"
    return f"${amount:.4f}"


@login_required
def organization_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_recruiter:
        raise Http404("recruiters only")
    organization = user.organization
    form = LlmBudgetForm(request.POST or None, initial={"llm_budget_usd": organization.llm_budget_usd})
    status = 200
    if request.method == "POST":
        if not user.is_org_admin:
            raise PermissionDenied("only an organization admin can change the budget")
        if form.is_valid():
            try:
                organization = account_services.organization_llm_budget_update(
                    changed_by=user, llm_budget_usd=form.cleaned_data["llm_budget_usd"]
                )
            except ApplicationError as exc:
                form.add_error("llm_budget_usd", exc.message[:1].upper() + exc.message[1:] + ".")
            else:
                budget = organization.llm_budget_usd
                messages.success(
                    request, f"Monthly LLM budget set to ${budget:,.2f}." if budget is not None else "No LLM budget limit now."
                )
                return redirect("organization")
        status = 400
        organization.refresh_from_db(fields=["llm_budget_usd"])
    spent = organization_spent_this_month(organization)
    now = timezone.now()
    context = {
        "organization": organization,
        "form": form,
        "spent": _dollars(spent),
        "use": _budget_use(organization.llm_budget_usd, spent),
        "month": now.strftime("%B %Y"),
        "grader": grader_description(),
        "can_edit": user.is_org_admin,
    }
    return render(request, "review/organization.html", context, status=status)
