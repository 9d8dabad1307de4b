"""Per-user budgets for running and submitting code, and the request size cap."""

from __future__ import annotations

import json

import pytest

from config.cache import cache_config, cache_url_from_broker
from interview import services
from interview.models import InterviewTemplate, TemplateSection
from questions.models import Question
from tests.conftest import error_code

CODE = "def count_pairs(nums, target):\n    return 0\n"


@pytest.fixture
def small_budgets(settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "run": "3/min", "submit": "2/min"}


@pytest.fixture
def practice(bank):
    template = InterviewTemplate.objects.create(slug="limits", title="Limits", total_minutes=30)
    TemplateSection.objects.create(template=template, position=1, title="Coding").questions.add(
        Question.objects.get(slug="sum-pairs")
    )
    return lambda user: services.practice_start(candidate=user, template=template)


def _assert_throttled(response) -> None:
    assert response.status_code == 429, response.content
    assert error_code(response) == "throttled"
    seconds = int(response["Retry-After"])
    assert 1 <= seconds <= 60
    assert f"try again in {seconds} seconds" in response.json()["error"]["message"]


def test_the_run_after_the_budget_gets_429_with_retry_after(small_budgets, client_for, alice, bob, practice):
    api = client_for(alice)
    session = practice(alice)
    question = Question.objects.get(slug="sum-pairs").id
    # The interview's Run button and the submissions API share one budget.
    for _ in range(2):
        assert api.post(f"/api/sessions/{session.id}/answers/1/run/", {"source": CODE}).status_code == 202
    assert api.post("/api/submissions/", {"question": question, "mode": "run", "source": CODE}).status_code == 202
    _assert_throttled(api.post(f"/api/sessions/{session.id}/answers/1/run/", {"source": CODE}))
    _assert_throttled(api.post("/api/submissions/", {"question": question, "mode": "run", "source": CODE}))

    # Reading is not running: the same user still sees the session.
    assert api.get(f"/api/sessions/{session.id}/").status_code == 200
    # Another user has a budget of their own.
    other = client_for(bob)
    assert other.post("/api/submissions/", {"question": question, "mode": "run", "source": CODE}).status_code == 202


def test_submitting_has_its_own_budget(small_budgets, client_for, alice, practice):
    api = client_for(alice)
    question = Question.objects.get(slug="sum-pairs").id
    for _ in range(3):
        assert api.post("/api/submissions/", {"question": question, "mode": "run", "source": CODE}).status_code == 202
    # Runs are used up; submitting is not.
    assert api.post("/api/submissions/", {"question": question, "mode": "submit", "source": CODE}).status_code == 202
    session = practice(alice)
    assert api.post(f"/api/sessions/{session.id}/answers/1/submit/", {"source": CODE}).status_code == 202
    _assert_throttled(api.post("/api/submissions/", {"question": question, "mode": "submit", "source": CODE}))
    _assert_throttled(api.post(f"/api/sessions/{session.id}/answers/1/submit/", {"source": CODE}))


def test_the_global_user_budget_applies_to_every_endpoint(settings, client_for, alice, bob):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "user": "2/min"}
    api = client_for(alice)
    assert api.get("/api/me/").status_code == 200
    assert api.get("/api/me/").status_code == 200
    _assert_throttled(api.get("/api/me/"))
    assert client_for(bob).get("/api/me/").status_code == 200


def test_an_oversized_body_gets_413_before_it_is_read(settings, client_for, alice, practice):
    settings.REQUEST_BODY_MAX_BYTES = 256 * 1024
    api = client_for(alice)
    session = practice(alice)
    body = json.dumps({"payload": {"source": "x" * (300 * 1024)}, "revision": 1})
    response = api.generic("PUT", f"/api/sessions/{session.id}/answers/1/", body, content_type="application/json")
    assert response.status_code == 413
    assert error_code(response) == "request_too_large"
    assert "the limit is 262144 bytes" in response.json()["error"]["message"]
    # Under the cap, the answer's own limit (64 KiB of code) still speaks.
    body = json.dumps({"payload": {"source": "x" * (100 * 1024)}, "revision": 1})
    response = api.generic("PUT", f"/api/sessions/{session.id}/answers/1/", body, content_type="application/json")
    assert response.status_code == 413 and error_code(response) != "request_too_large"


def test_the_default_cap_sits_above_the_largest_answer(settings):
    from interview.services import MAX_CODE_BYTES, MAX_TEXT_CHARS

    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.REQUEST_BODY_MAX_BYTES
    # Code JSON-escaped (every byte doubled) and text of 4-byte characters both fit.
    assert 2 * MAX_CODE_BYTES < settings.REQUEST_BODY_MAX_BYTES
    assert 4 * MAX_TEXT_CHARS < settings.REQUEST_BODY_MAX_BYTES < 2_621_440


def test_an_oversized_form_gets_413_on_a_page(settings, client):
    settings.REQUEST_BODY_MAX_BYTES = 1024
    response = client.post("/login/", {"username": "a@example.test", "password": "x" * 4096})
    assert response.status_code == 413


def test_the_cache_is_redis_next_to_the_broker_unless_told_otherwise():
    assert cache_url_from_broker("redis://redis:6379/0") == "redis://redis:6379/1"
    assert cache_url_from_broker("redis://:pw@127.0.0.1:6379/9") == "redis://:pw@127.0.0.1:6379/10"
    assert cache_url_from_broker("redis://127.0.0.1:6379/15") == "redis://127.0.0.1:6379/0"
    assert cache_url_from_broker("redis://127.0.0.1:6379") == "redis://127.0.0.1:6379/1"
    assert cache_url_from_broker("memory://") == "locmem://"
    assert cache_config("redis://redis:6379/1")["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache_config("locmem://")["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    with pytest.raises(Exception, match="CACHE_URL"):
        cache_config("memcached://x")
