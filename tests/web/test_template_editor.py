"""The recruiter's template editor in a real browser: bob builds a five-section template
with "Add section" (one section of questions picked by title), saves, opens, edits,
previews, duplicates and archives it; a session already started keeps its questions;
another organization and a candidate get 404. Desktop and phone, axe-checked."""

from __future__ import annotations

import re

import pytest

from interview import services
from interview.models import InterviewSession, InterviewTemplate
from interview.services.templates import template_create
from questions.models import Question
from tests.web.browsing import assert_accessible, assert_fits_width, needs_chromium, screenshot, sign_in

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]

CACHE = "Design a distributed cache (Written, hard)"


def check_page(page) -> None:
    assert_fits_width(page)
    assert_accessible(page)


def section(page, n: int):
    return page.get_by_role("group", name=f"Section {n}", exact=True)


def test_bob_builds_opens_edits_previews_duplicates_and_archives_a_template(page, bob, alice, dave, bank):
    sign_in(page, bob.email)
    page.goto("/templates/")
    page.get_by_role("link", name="New template").click()
    page.wait_for_url("**/templates/new/")
    page.get_by_label("Title", exact=True).fill("Acme five-part loop")
    page.get_by_label("Total minutes").fill("60")

    first = section(page, 1)
    first.get_by_label("Section title").fill("Design")
    first.get_by_label("Use questions I pick").check()
    assert not first.get_by_label("How many to draw").is_visible()  # only the picked source's fields show
    first.get_by_label("Find a question by title").fill("distributed")
    assert not first.get_by_label("Count pairs with a given sum (Coding, easy)").is_visible()
    assert first.locator(".picker-count").inner_text() == "1 question shown"
    first.get_by_label(CACHE).check()

    tracks = ["Python / DSA", "ML fundamentals", "ML fundamentals", ""]
    for n, track in enumerate(tracks, start=2):
        page.get_by_role("button", name="Add section", exact=True).click()
        added = section(page, n)
        assert added.get_by_label("Section title").is_visible()  # labelled, like the first
        assert page.evaluate("document.activeElement.name") == f"sections-{n - 1}-title"
        added.get_by_label("Section title").fill(f"Part {n}")
        added.get_by_label("How many to draw").fill("1")
        if track:
            added.get_by_label("Track to draw from").select_option(label=track)
    section(page, 4).get_by_label("Kind of question").select_option(label="Numeric")
    assert page.input_value("input[name='sections-TOTAL_FORMS']") == "5"
    check_page(page)
    page.get_by_role("heading", name="Sections", exact=True).evaluate("heading => heading.scrollIntoView()")
    screenshot(page, "recruiter-template-editor.png")

    page.get_by_role("button", name="Create template").click()
    page.wait_for_url(re.compile(r"/templates/\d+/$"))
    assert "created" in page.locator(".messages").inner_text()
    template = InterviewTemplate.objects.get(title="Acme five-part loop")
    stored = list(template.sections.all())
    assert [s.title for s in stored] == ["Design", "Part 2", "Part 3", "Part 4", "Part 5"]
    assert [q.slug for q in stored[0].questions.all()] == ["design-cache"]
    assert (stored[1].draw_track, stored[3].draw_kind) == ("python_dsa", "numeric")

    # A candidate starts it before the edit: their questions must not move.
    _, token = services.assessment_invite_create(invited_by=bob, template=template, email=alice.email)
    session = services.assessment_start(token=token, candidate=alice)
    frozen = list(session.questions.values_list("position", "section_title", "question_version_id"))

    # Open it from the list, edit: rename section 2, move section 3 up, remove section 5.
    page.goto("/templates/")
    row = page.locator(f"tr[data-template='{template.id}']")
    assert row.locator("td").nth(0).inner_text() == "5"
    row.get_by_role("link", name="Edit Acme five-part loop").click()
    page.wait_for_url(f"**/templates/{template.id}/")
    assert "1 session already taken" in page.inner_text("main")
    assert section(page, 1).get_by_label(CACHE).is_checked()
    section(page, 2).get_by_label("Section title").fill("Coding")
    section(page, 3).get_by_role("button", name="Move up").click()
    assert section(page, 2).get_by_label("Section title").input_value() == "Part 3"
    section(page, 5).get_by_label("Remove this section").check()
    check_page(page)

    # Preview the unsaved form: a sample, nothing saved yet.
    page.get_by_role("button", name="Preview a sample draw").click()
    assert page.get_by_role("heading", name="Sample draw (not saved)").is_visible()
    assert "Design a distributed cache" in page.inner_text("#preview")
    assert re.search(r"1 of \d+ matching question", page.inner_text("#preview"))
    assert InterviewTemplate.objects.get(id=template.id).sections.count() == 5
    check_page(page)
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/templates/{template.id}/")
    assert [s.title for s in InterviewTemplate.objects.get(id=template.id).sections.all()] == [
        "Design",
        "Part 3",
        "Coding",
        "Part 4",
    ]
    after = list(
        InterviewSession.objects.get(id=session.id).questions.values_list("position", "section_title", "question_version_id")
    )
    assert after == frozen and len(after) == 5

    # The saved template's preview, and another draw.
    page.goto("/templates/")
    page.locator(f"tr[data-template='{template.id}']").get_by_role("link", name="Preview Acme five-part loop").click()
    page.wait_for_url(re.compile(r"/preview/"))
    assert "Suggested time of this sample" in page.inner_text("main") and "60 minutes" in page.inner_text("main")
    page.get_by_role("link", name="Draw again").click()
    page.wait_for_url(re.compile(r"/preview/\?seed=\d+"))
    check_page(page)

    # Duplicate, then archive the original.
    page.goto("/templates/")
    page.locator(f"tr[data-template='{template.id}']").get_by_role("button", name="Duplicate Acme five-part loop").click()
    page.wait_for_url(re.compile(r"/templates/\d+/$"))
    copy = InterviewTemplate.objects.get(title="Acme five-part loop (copy)")
    assert page.url.endswith(f"/templates/{copy.id}/") and copy.sections.count() == 4
    page.goto("/templates/")
    page.locator(f"tr[data-template='{template.id}']").get_by_role("button", name="Archive Acme five-part loop").click()
    page.wait_for_url("**/templates/")
    assert "no longer offered for new invites" in page.locator(".messages").inner_text()
    assert page.locator(f"#own-templates tr[data-template='{template.id}']").count() == 0
    page.get_by_label("Show").select_option(label="Archived")
    page.get_by_role("button", name="Filter").click()
    assert "Archived" in page.locator(f"tr[data-template='{template.id}']").inner_text()
    check_page(page)

    # Dave of Globex and alice: 404, never a glimpse.
    for other in (dave, alice):
        page.context.clear_cookies()
        sign_in(page, other.email)
        for url in (f"/templates/{template.id}/", f"/templates/{template.id}/preview/"):
            assert page.goto(url).status == 404, (other, url)
    assert page.goto("/templates/").status == 404


def test_the_template_pages_fit_and_pass_axe_on_desktop_and_phone(sized_page, screen, bob, bank):
    page = sized_page
    template = template_create(
        user=bob,
        title="Acme screen with a rather long title that has to wrap on a phone",
        total_minutes=30,
        sections=[
            {"title": "Code", "questions": [Question.objects.get(slug="sum-pairs", organization__isnull=True).id]},
            {"title": "ML", "draw_count": 1, "draw_track": "ml_fundamentals"},
        ],
    )
    sign_in(page, bob.email)
    for url in ("/templates/", "/templates/new/", f"/templates/{template.id}/", f"/templates/{template.id}/preview/"):
        page.goto(url)
        check_page(page)
    page.goto(f"/templates/{template.id}/")
    page.get_by_role("button", name="Add section", exact=True).click()
    assert section(page, 3).get_by_label("How many to draw").is_visible()
    check_page(page)
    # Errors are next to their field, the page answers 400 and keeps what was typed.
    section(page, 3).get_by_label("Section title").fill("Unfinished")
    page.get_by_role("button", name="Save changes").click()
    assert "Say how many questions to draw" in section(page, 3).inner_text()
    assert section(page, 3).get_by_label("Section title").input_value() == "Unfinished"
    check_page(page)
