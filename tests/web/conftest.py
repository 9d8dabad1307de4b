"""Browser fixtures: a headless Chromium per test, a page on the live server."""

from __future__ import annotations

import pytest

from interview.models import InterviewTemplate, TemplateSection
from questions.models import Question
from tests.web.browsing import CHROMIUM, VIEWPORTS


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 860}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture(params=sorted(VIEWPORTS), ids=lambda name: name)
def screen(request):
    """Each journey runs at 1280x800 and at 390x844 (a phone)."""
    return request.param


@pytest.fixture
def sized_page(browser, live_server, screen):
    """A page on the live server at the viewport of ``screen``; a phone context is a
    touch, mobile one."""
    phone = screen == "phone"
    context = browser.new_context(
        viewport=VIEWPORTS[screen], base_url=live_server.url, is_mobile=phone, has_touch=phone, device_scale_factor=1
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture
def template(bank) -> InterviewTemplate:
    """ "Mini loop": a public practice template with one question of each kind."""
    template = InterviewTemplate.objects.create(
        slug="mini-loop", title="Mini loop", total_minutes=30, description="One of each kind."
    )
    section = TemplateSection.objects.create(template=template, position=1, title="Everything")
    for slug in ("sum-pairs", "pick-metric", "auc-value", "design-cache"):
        section.questions.add(Question.objects.get(slug=slug))
    return template
