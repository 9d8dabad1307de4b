"""An assessment invite in a real browser: a new candidate signs up from it, an existing
one signs in, and both land back on it ready to start; the site frame (skip link, top
bar and its phone menu) works by keyboard and fits a 360 px phone."""

from __future__ import annotations

import pytest

from interview import services
from interview.models import InterviewSession, InterviewTemplate, TemplateSection
from questions.models import Question
from tests.conftest import PASSWORD
from tests.web.browsing import assert_accessible, assert_fits_width, needs_chromium, screenshot, sign_in

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def template(bank) -> InterviewTemplate:
    template = InterviewTemplate.objects.create(slug="acme-screen", title="Acme screen", total_minutes=30)
    section = TemplateSection.objects.create(template=template, position=1, title="Code")
    section.questions.add(Question.objects.get(slug="sum-pairs"))
    return template


def invite_for(bob, template, email: str) -> str:
    """The landing path of a new assessment invite from bob (Acme) to ``email``."""
    _, token = services.assessment_invite_create(invited_by=bob, template=template, email=email)
    return f"/assess/{token}/"


def check_page(page) -> None:
    assert_fits_width(page)
    assert_accessible(page)


def start_and_reach_the_interview(page, landing: str, email: str) -> None:
    page.wait_for_url(f"**{landing}")
    assert page.locator("#start-assessment").is_visible()
    page.click("#start-assessment")
    page.wait_for_url("**/sessions/*/")
    page.wait_for_selector("#question-title:has-text('Count pairs with a given sum')")
    session = InterviewSession.objects.get(candidate__email=email)
    assert session.mode == "assessment" and session.invite.email == email


def test_a_new_candidate_signs_up_from_the_invite_and_starts(sized_page, screen, bob, template):
    page = sized_page
    landing = invite_for(bob, template, "newbie@example.test")
    page.goto(landing)
    assert "Acme Robotics invites you" in page.inner_text("h1")
    check_page(page)
    if screen == "phone":
        screenshot(page, "invite.png")

    page.click("#invite-sign-up")
    page.wait_for_url("**/signup/**")
    assert page.input_value("input[name=email]") == "newbie@example.test"
    assert page.locator("input[name=organization_name]").count() == 0
    check_page(page)
    page.fill("input[name=name]", "Nia Newbie")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    start_and_reach_the_interview(page, landing, "newbie@example.test")


def test_an_existing_candidate_signs_in_from_the_invite_and_starts(sized_page, bob, alice, template):
    page = sized_page
    landing = invite_for(bob, template, alice.email)
    page.goto(landing)
    page.click("#invite-sign-in")
    page.wait_for_url("**/login/**")
    assert page.input_value("input[name=username]") == alice.email
    # The address is filled in, so the cursor waits in the password box.
    assert page.evaluate("document.activeElement.name") == "password"
    check_page(page)
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    start_and_reach_the_interview(page, landing, alice.email)


def test_sign_up_with_an_error_keeps_the_way_back_to_the_invite(page, bob, template):
    landing = invite_for(bob, template, "newbie@example.test")
    page.goto(landing)
    page.click("#invite-sign-up")
    page.fill("input[name=password]", "123")
    page.click("form.stack button[type=submit]")
    page.wait_for_selector(".error-summary[role=alert]")
    assert page.get_attribute("input[name=password]", "aria-invalid") == "true"
    assert "too short" in page.inner_text("#id_password_error")
    assert_accessible(page)
    # From an error, "Sign in" instead still carries the invite.
    page.click("#sign-in-instead")
    page.wait_for_url("**/login/**")
    assert page.input_value("input[name=username]") == "newbie@example.test"
    page.click("#sign-up-instead")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    start_and_reach_the_interview(page, landing, "newbie@example.test")


def test_a_hostile_next_is_ignored(page, alice, live_server):
    page.goto("/login/?next=https://evil.example/")
    page.fill("input[name=username]", alice.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.context.clear_cookies()
    page.goto("/signup/?next=//evil.example/&email=web@example.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "web@example.test" in page.inner_text(".topbar")


def test_the_skip_link_is_first_and_moves_focus_to_main(sized_page):
    page = sized_page
    page.goto("/signup/")
    page.keyboard.press("Tab")
    focused = page.evaluate("({cls: document.activeElement.className, text: document.activeElement.textContent})")
    assert focused == {"cls": "skip-link", "text": "Skip to main content"}
    box = page.locator(".skip-link").bounding_box()
    assert box and box["y"] >= 0 and box["width"] > 0  # shown on focus, not off-screen
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # and the next stop is inside main, past the top bar
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def test_the_frame_fits_a_360px_phone_and_its_menu_works_by_keyboard(browser, live_server, bob, carol, template):
    from accounts.services import recruiter_invite_create

    _, org_token = recruiter_invite_create(invited_by=carol, email="rita@acme.test")
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, base_url=live_server.url, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        pages = (
            "/",
            "/login/",
            "/signup/",
            invite_for(bob, template, "newbie@example.test"),
            f"/invites/{org_token}/",
            "/nowhere/",
        )
        for url in pages:
            page.goto(url)
            check_page(page)
        sign_in(page, bob.email)
        toggle = page.locator("#nav-toggle")
        menu = page.locator("#nav-menu")
        assert toggle.is_visible() and menu.get_attribute("open") is None
        assert not page.locator("#nav-dashboard").is_visible()
        check_page(page)
        toggle.focus()
        page.keyboard.press("Enter")
        assert menu.get_attribute("open") == "" and page.locator("#nav-dashboard").is_visible()
        nav = page.get_by_role("navigation", name="Main")
        assert "bob@acme.test" in nav.inner_text() and "Acme Robotics" in nav.inner_text()
        check_page(page)
        page.keyboard.press("Tab")  # the first link of the open menu is next
        assert page.evaluate("document.activeElement.textContent") == "Practice"
        toggle.focus()
        page.keyboard.press("Enter")
        assert menu.get_attribute("open") is None and not page.locator("#nav-dashboard").is_visible()
        for url in ("/practice/", "/questions/", "/dashboard/", "/templates/new/"):
            page.goto(url)
            assert_fits_width(page)
    finally:
        context.close()


def test_the_desktop_bar_shows_every_link_without_a_menu(page, bob):
    sign_in(page, bob.email)
    assert not page.locator("#nav-toggle").is_visible()
    for name in ("Practice", "Question bank", "Templates", "Dashboard", "API", "Sign out"):
        assert page.get_by_role("navigation", name="Main").get_by_text(name, exact=True).is_visible(), name
    page.goto("/practice/")
    assert page.get_attribute("nav a[href='/practice/']", "aria-current") == "page"
    check_page(page)
