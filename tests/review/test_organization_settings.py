"""The organization's settings page (/organization/): name, the month's LLM budget and
spend (counted as grading/llm_budget.py counts it), the grader in use; admins edit the
budget, recruiters read it, candidates get a 404."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Organization, User
from grading.llm_budget import organization_spent_this_month
from grading.models import LlmSpend


@pytest.fixture
def page_for(db):
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def spends(acme, globex):
    now = timezone.now()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    LlmSpend.objects.create(organization=acme, status="settled", reserved_usd=5, cost_usd=Decimal("1.25"), created_at=now)
    LlmSpend.objects.create(organization=acme, status="reserved", reserved_usd=Decimal("0.75"), created_at=now)
    # Not counted: last month, a stale reservation, another organization.
    LlmSpend.objects.create(
        organization=acme, status="settled", reserved_usd=9, cost_usd=9, created_at=month_start - timedelta(hours=1)
    )
    LlmSpend.objects.create(organization=acme, status="reserved", reserved_usd=7, created_at=now - timedelta(hours=7))
    LlmSpend.objects.create(organization=globex, status="settled", reserved_usd=3, cost_usd=3, created_at=now)


def test_an_admin_sees_the_budget_spend_and_grader(page_for, carol, acme, spends):
    acme.llm_budget_usd = Decimal("4.00")
    acme.save()
    spent = organization_spent_this_month(acme)
    assert spent == Decimal("2.00")
    html = page_for(carol).get("/organization/").content.decode()
    assert "Acme Robotics" in html
    assert 'id="budget-value">$4.00<' in html
    assert "$2.00" in html
    assert 'id="budget-percent">50.0 %<' in html and '<progress id="budget-bar" max="100" value="50.0"' in html
    assert "Local grader (offline)" in html
    assert 'id="budget-form"' in html and 'aria-current="page"' in html


def test_no_budget_means_no_limit_and_no_bar(page_for, carol):
    html = page_for(carol).get("/organization/").content.decode()
    assert 'id="budget-value">No limit<' in html and "budget-bar" not in html


def test_the_llm_grader_shows_model_and_host_never_the_key(page_for, bob, settings):
    settings.OPENAI_API_KEY = "sk-very-secret-key-123"
    settings.OPENAI_BASE_URL = "https://llm.internal.example:8443/v1"
    settings.LLM_MODEL = "qwen2.5-7b-instruct"
    html = page_for(bob).get("/organization/").content.decode()
    assert "qwen2.5-7b-instruct" in html and "llm.internal.example" in html
    assert "sk-very-secret" not in html and "Local grader" not in html
    settings.OPENAI_BASE_URL = ""
    assert "api.openai.com" in page_for(bob).get("/organization/").content.decode()


def test_an_admin_sets_and_clears_the_budget(page_for, carol):
    client = page_for(carol)
    response = client.post("/organization/", {"llm_budget_usd": "12.50"}, follow=True)
    assert response.redirect_chain[-1][0] == "/organization/"
    assert "Monthly LLM budget set to $12.50" in response.content.decode()
    assert Organization.objects.get(slug="acme").llm_budget_usd == Decimal("12.50")
    client.post("/organization/", {"llm_budget_usd": ""})
    assert Organization.objects.get(slug="acme").llm_budget_usd is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "Enter zero or more."),
        ("ten", "Enter an amount in dollars"),
        ("1.005", "at most 2 digits after"),
        ("123456789", "at most 8 digits"),
    ],
)
def test_a_bad_budget_is_refused_next_to_the_field(page_for, carol, acme, value, message):
    acme.llm_budget_usd = Decimal("3")
    acme.save()
    response = page_for(carol).post("/organization/", {"llm_budget_usd": value})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_llm_budget_usd_error"' in html and message in html
    assert f'value="{value}"' in html
    assert Organization.objects.get(slug="acme").llm_budget_usd == Decimal("3")


def test_a_recruiter_reads_the_budget_but_cannot_change_it(page_for, bob, acme):
    html = page_for(bob).get("/organization/").content.decode()
    assert "Only an organization admin can change the budget" in html and 'id="budget-form"' not in html
    assert "subnav-team" not in html and "subnav-webhooks" in html
    assert page_for(bob).post("/organization/", {"llm_budget_usd": "1"}).status_code == 403
    assert Organization.objects.get(slug="acme").llm_budget_usd is None


def test_candidates_get_a_404_and_strangers_sign_in(page_for, alice):
    assert page_for(alice).get("/organization/").status_code == 404
    response = Client().get("/organization/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_each_organization_sees_its_own(page_for, erin, spends):
    html = page_for(erin).get("/organization/").content.decode()
    assert "Globex Analytics" in html and "Acme" not in html and "$3.00" in html
