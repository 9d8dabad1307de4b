"""Sign-up and sign-in keep where the visitor came from: an assessment invite's page
(``next``) and the address it was sent to (``email``); ``next`` never leaves the site.
Also the site frame's markup: the skip link, and the Progress link only once its page exists."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import NoReverseMatch, path, reverse

from accounts.models import User
from interview import services
from interview.models import InterviewSession, InterviewTemplate, TemplateSection
from questions.models import Question
from tests.conftest import PASSWORD

HOSTILE_NEXT = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "https:/evil.example/",
    "javascript:alert(1)",
    " https://evil.example/",
]


@pytest.fixture
def browser() -> Client:
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def template(bank) -> InterviewTemplate:
    template = InterviewTemplate.objects.create(slug="mini-loop", title="Mini loop", total_minutes=30)
    section = TemplateSection.objects.create(template=template, position=1, title="Everything")
    section.questions.add(Question.objects.get(slug="sum-pairs"))
    return template


@pytest.fixture
def invite(bob, template):
    """An assessment invite for an address with no account yet: its token and landing path."""
    _, token = services.assessment_invite_create(invited_by=bob, template=template, email="newbie@example.test")
    return token, f"/assess/{token}/"


def _csrf(browser: Client, url: str) -> str:
    browser.get(url)
    return browser.cookies["csrftoken"].value


def _href(html: str, element_id: str) -> str:
    match = re.search(rf'<a [^>]*id="{element_id}"[^>]*href="([^"]+)"', html) or re.search(
        rf'<a [^>]*href="([^"]+)"[^>]*id="{element_id}"', html
    )
    assert match, f"no link #{element_id}"
    return unescape(match.group(1))


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def _input_value(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    if not match:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return unescape(value.group(1)) if value else ""


def test_it_links_sign_up_and_sign_in_from_the_invite_with_its_page_and_address(browser, invite):
    _, landing = invite
    html = browser.get(landing).content.decode()
    for link, page in (("invite-sign-up", "/signup/"), ("invite-sign-in", "/login/")):
        url = _href(html, link)
        assert urlsplit(url).path == page
        assert _query(url) == {"next": landing, "email": "newbie@example.test"}


def test_sign_up_from_the_invite_fills_in_the_address_and_comes_back_signed_in(browser, invite):
    _, landing = invite
    url = f"/signup/?next={landing}&email=newbie@example.test"
    html = browser.get(url).content.decode()
    assert _input_value(html, "email") == "newbie@example.test"
    assert _input_value(html, "next") == landing
    assert 'name="organization_name"' not in html  # an invited person joins as a candidate
    assert _query(_href(html, "sign-in-instead")) == {
        "next": landing,
        "email": "newbie@example.test",
    }

    token_value = browser.cookies["csrftoken"].value
    response = browser.post(
        url, {"email": "newbie@example.test", "password": PASSWORD, "next": landing, "csrfmiddlewaretoken": token_value}
    )
    assert response.status_code == 302 and response["Location"] == landing
    page = browser.get(landing).content.decode()
    assert 'id="start-assessment"' in page and "newbie@example.test" in page
    assert User.objects.get(email="newbie@example.test").role == "candidate"


def test_sign_in_from_the_invite_fills_in_the_address_and_comes_back(browser, bob, template, alice):
    _, token = services.assessment_invite_create(invited_by=bob, template=template, email=alice.email)
    landing = f"/assess/{token}/"
    url = f"/login/?next={landing}&email={alice.email}"
    html = browser.get(url).content.decode()
    assert _input_value(html, "username") == alice.email
    assert _input_value(html, "next") == landing
    assert _query(_href(html, "sign-up-instead")) == {
        "next": landing,
        "email": alice.email,
    }
    response = browser.post(
        url,
        {
            "username": alice.email,
            "password": PASSWORD,
            "next": landing,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302 and response["Location"] == landing
    started = browser.post(landing, {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value})
    session = InterviewSession.objects.get(candidate=alice)
    assert started.status_code == 302 and started["Location"] == f"/sessions/{session.id}/"


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_sign_up_never_follows_next_off_the_site(browser, db, hostile):
    html = browser.get("/signup/", {"next": hostile}).content.decode()
    assert "evil.example" not in html and "javascript:" not in html
    response = browser.post(
        "/signup/?" + f"next={hostile}",
        {
            "email": "web@example.test",
            "password": PASSWORD,
            "next": hostile,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_sign_in_never_follows_next_off_the_site(browser, alice, hostile):
    html = browser.get("/login/", {"next": hostile}).content.decode()
    assert "evil.example" not in html and "javascript:" not in html
    response = browser.post(
        "/login/",
        {
            "username": alice.email,
            "password": PASSWORD,
            "next": hostile,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_link_email_that_is_not_an_address_is_dropped(browser, db):
    html = browser.get("/signup/", {"email": '"><script>alert(1)</script>'}).content.decode()
    assert _input_value(html, "email") == "" and "<script>alert(1)" not in html
    assert 'name="organization_name"' in html  # no invitation: the recruiter's option stays


def test_signing_up_with_another_address_shows_whose_invite_it_is_and_does_not_start(browser, invite):
    _, landing = invite
    url = f"/signup/?next={landing}&email=newbie@example.test"
    csrf = _csrf(browser, url)
    response = browser.post(
        url, {"email": "other@example.test", "password": PASSWORD, "next": landing, "csrfmiddlewaretoken": csrf}
    )
    assert response["Location"] == landing
    page = browser.get(landing).content.decode()
    assert 'id="start-assessment"' not in page
    assert "This assessment is for <strong" in page and "newbie@example.test" in page
    # The service's rule stands even for a forged post: no session for the wrong account.
    refused = browser.post(landing, {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value}, follow=True)
    assert "sign in with that address" in refused.content.decode()
    assert not InterviewSession.objects.exists()
    # "Sign out and switch account" goes to sign-in, ready for the invited address.
    switch = unescape(re.search(r'name="next" value="([^"]+)"', page).group(1))
    signed_out = browser.post("/logout/", {"next": switch, "csrfmiddlewaretoken": browser.cookies["csrftoken"].value})
    assert signed_out.status_code == 302 and signed_out["Location"] == switch
    assert _query(switch) == {"next": landing, "email": "newbie@example.test"}


def test_a_used_link_takes_its_candidate_back_to_the_interview(client, invite):
    token, landing = invite
    newbie = User.objects.create_user("newbie@example.test", PASSWORD)
    client.force_login(newbie)
    session = services.assessment_start(token=token, candidate=newbie)
    response = client.get(landing)
    assert response.status_code == 410  # the invitation is spent ...
    assert _href(response.content.decode(), "continue-assessment") == f"/sessions/{session.id}/"  # ... the interview is not
    services.session_candidate_finish(session=session)
    assert _href(client.get(landing).content.decode(), "continue-assessment") == f"/sessions/{session.id}/results/"
    client.logout()
    gone = client.get(landing)
    assert gone.status_code == 410 and "already used" in gone.content.decode()
    assert _query(_href(gone.content.decode(), "used-sign-in")) == {"next": landing, "email": "newbie@example.test"}
    other = User.objects.create_user("other@example.test", PASSWORD)
    client.force_login(other)
    html = client.get(landing).content.decode()
    assert "continue-assessment" not in html and "already used" in html  # nothing of someone else's interview


def test_sign_up_errors_sit_next_to_their_fields_and_are_announced(browser, db):
    csrf = _csrf(browser, "/signup/")
    html = browser.post("/signup/", {"email": "not-an-email", "password": "x", "csrfmiddlewaretoken": csrf}).content.decode()
    email = re.search(r'<input[^>]*name="email"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in email and 'aria-describedby="id_email_error"' in email
    assert re.search(r'id="id_email_error"[^>]*>[^<]*valid email', html)
    assert 'role="alert"' in html and 'href="#id_email"' in html
    assert 'autocomplete="email"' in email and '<label for="id_email">' in html

    # The service's password check lands on the password field, after its hint.
    html = browser.post(
        "/signup/", {"email": "web@example.test", "password": "123", "csrfmiddlewaretoken": csrf}
    ).content.decode()
    password = re.search(r'<input[^>]*name="password"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in password and 'aria-describedby="id_password_helptext id_password_error"' in password
    assert 'autocomplete="new-password"' in password
    assert re.search(r'id="id_password_error"[^>]*>This password is too short', html)
    assert 'href="#id_password"' in html


def test_a_wrong_password_is_announced_and_marks_both_fields(browser, alice):
    csrf = _csrf(browser, "/login/")
    html = browser.post(
        "/login/", {"username": alice.email, "password": "wrong-password-1", "csrfmiddlewaretoken": csrf}
    ).content.decode()
    assert re.search(r'role="alert" id="sign-in-error"><p>Please enter a correct', html)
    for name, autocomplete in (("username", "email"), ("password", "current-password")):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in field and 'aria-describedby="sign-in-error"' in field
        assert f'autocomplete="{autocomplete}"' in field
    assert _input_value(html, "username") == alice.email


def test_the_org_invite_shows_its_address_for_password_managers(client, carol):
    from accounts import services as account_services

    _, token = account_services.recruiter_invite_create(invited_by=carol, email="rita@acme.test")
    html = client.get(f"/invites/{token}/").content.decode()
    assert re.search(r'<input[^>]*value="rita@acme.test"[^>]*autocomplete="username"[^>]*readonly', html)
    assert 'autocomplete="new-password"' in html


def test_every_page_has_a_skip_link_to_main(client, alice):
    for url in ("/", "/login/", "/signup/", "/no-such-page/"):
        html = client.get(url).content.decode()
        body = html[html.index("<body>") :]
        first_link = re.search(r"<(a|button|input|select|textarea)\b[^>]*>", body).group(0)
        assert 'class="skip-link" href="#main"' in first_link, url
        assert '<main id="main"' in html


def test_the_progress_link_appears_only_once_its_page_exists(client, alice, settings):
    client.force_login(alice)
    try:
        url = reverse("progress")
    except NoReverseMatch:
        assert 'id="nav-progress"' not in client.get("/").content.decode()
    else:
        assert f'<a href="{url}" id="nav-progress"' in client.get("/").content.decode()
    settings.ROOT_URLCONF = __name__
    html = client.get("/").content.decode()
    assert re.search(r'<a href="/[^"]*" id="nav-progress"[^>]*>Progress</a>', html)


def test_recruiters_get_no_progress_link(client, bob, settings):
    settings.ROOT_URLCONF = __name__
    client.force_login(bob)
    assert 'id="nav-progress"' not in client.get("/").content.decode()


# A URL configuration with a page named "progress", for the test above.
def _progress_stub(request):  # pragma: no cover - never requested
    raise AssertionError


from config.urls import urlpatterns as _site_urlpatterns  # noqa: E402

urlpatterns = [*_site_urlpatterns, path("progress-stub/", _progress_stub, name="progress")]
