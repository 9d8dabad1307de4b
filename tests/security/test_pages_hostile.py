"""Every form posts with a CSRF token, and hostile text users can enter is shown as text
on every page (and the PDF) that displays it, never run."""

from __future__ import annotations

import io
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from pypdf import PdfReader

from accounts import services as account_services
from accounts.models import Organization, Role, User
from interview import services
from interview.models import InterviewTemplate, TemplateSection
from questions.models import Question
from questions.services import bank_import
from tests.conftest import DATA, PASSWORD, assert_no_active_content
from tests.review.reporting import SOLUTION, graded_assessment

SCRIPT = "<script>alert(1)</script>"
LINK = "javascript:alert(1)"
HOSTILE = f'{SCRIPT} <a href="{LINK}">x</a> <img src=x onerror=alert(1)> {LINK}'

MC_QUESTION = f"""slug: evil-choice
title: "{SCRIPT} Evil choice"
track: ml_fundamentals
kind: multiple_choice
difficulty: easy
topics: [metrics]
time_estimate_minutes: 2
choice:
  options:
    - id: a
      text: "{SCRIPT} option"
    - id: b
      text: "{LINK}"
  correct: [b]
  explanation: "{SCRIPT} because"
"""


def _hostile_bank(root: Path) -> Path:
    (root / "ml_fundamentals" / "evil-choice").mkdir(parents=True)
    (root / "ml_fundamentals" / "evil-choice" / "question.yaml").write_text(MC_QUESTION)
    (root / "ml_fundamentals" / "evil-choice" / "prompt.md").write_text(f"Pick one. {HOSTILE}\n\n[go]({LINK})\n")
    shutil.copytree(DATA / "org_bank" / "python_dsa", root / "python_dsa")
    return root


@pytest.fixture
def world(db, tmp_path, django_capture_on_commit_callbacks):
    """An organization, its recruiter and a candidate, all with hostile names; a hostile
    private bank; hostile template and section titles; hostile answers, graded."""
    bank_import(root=DATA / "bank")
    org = Organization.objects.create(name=f"{SCRIPT} Evil Corp", slug="evil")
    bank_import(root=_hostile_bank(tmp_path / "bank"), organization=org)
    recruiter = User.objects.create_user("rec@evil.test", PASSWORD, name=HOSTILE, role=Role.ORG_ADMIN, organization=org)
    candidate = User.objects.create_user("cand@example.test", PASSWORD, name=HOSTILE, role=Role.CANDIDATE)
    other = User.objects.create_user("other@example.test", PASSWORD, name=HOSTILE, role=Role.CANDIDATE)

    template = InterviewTemplate.objects.create(slug="evil", title=HOSTILE, total_minutes=60, organization=org)
    coding = TemplateSection.objects.create(template=template, position=1, title=HOSTILE)
    coding.questions.add(Question.objects.get(slug="sum-pairs"))
    written = TemplateSection.objects.create(template=template, position=2, title=HOSTILE)
    written.questions.add(Question.objects.get(slug="evil-choice"), Question.objects.get(slug="design-cache"))
    code = f"# {SCRIPT} {LINK}\n{SOLUTION}"
    text = f"{HOSTILE} consistent hashing with LRU eviction"
    report = graded_assessment(recruiter, candidate, template, code=code, text=text, capture=django_capture_on_commit_callbacks)
    second = graded_assessment(recruiter, other, template, code=code, text=text, capture=django_capture_on_commit_callbacks)

    public = InterviewTemplate.objects.create(slug="evil-practice", title=HOSTILE, total_minutes=30)
    section = TemplateSection.objects.create(template=public, position=1, title=HOSTILE)
    section.questions.add(Question.objects.get(slug="sum-pairs"), Question.objects.get(slug="design-cache"))
    practice = services.practice_start(candidate=candidate, template=public)
    for question in practice.questions.select_related("question_version__question"):
        kind = question.question_version.question.kind
        payload = {"source": code} if kind == "coding" else {"text": text}
        services.answer_save(session=practice, position=question.position, payload=payload, revision=1)
    with django_capture_on_commit_callbacks():
        _, token = services.assessment_invite_create(invited_by=recruiter, template=template, email="new@example.test")
        _, invite_token = account_services.recruiter_invite_create(invited_by=recruiter, email="newrec@evil.test")
    return {
        "org": org,
        "recruiter": recruiter,
        "candidate": candidate,
        "report": report,
        "second": second,
        "practice": practice,
        "public": public,
        "assess_token": token,
        "invite_token": invite_token,
        "private": Question.objects.get(slug="evil-choice"),
    }


# Scripts the pages load on purpose: our own static files, and data handed to them as
# JSON (json_script escapes <, > and &). Everything else is active content.
_OWN_SCRIPT = re.compile(
    r'<script (?:src="/static/[^"]+"(?: type="module")?(?: defer)?|type="application/json" id="[\w-]+")>.*?</script>', re.S
)


def _assert_inert(html: str) -> None:
    assert SCRIPT not in html
    assert_no_active_content(_OWN_SCRIPT.sub("", html))


def _pages(world) -> dict[str, tuple[User, str]]:
    report, practice, private = world["report"].id, world["practice"].id, world["private"].id
    recruiter, candidate = world["recruiter"], world["candidate"]
    return {
        "home (candidate)": (candidate, "/"),
        "home (recruiter)": (recruiter, "/"),
        "practice list": (candidate, "/practice/"),
        "question list": (recruiter, "/questions/"),
        "question detail": (recruiter, f"/questions/{private}/"),
        "session page": (candidate, f"/sessions/{practice}/"),
        "results page": (candidate, f"/sessions/{report}/results/"),
        "template form": (recruiter, "/templates/new/"),
        "dashboard": (recruiter, "/dashboard/"),
        "compare": (recruiter, f"/dashboard/compare/?session={report}&session={world['second'].id}"),
        "report": (recruiter, f"/reports/{report}/"),
    }


def test_hostile_text_is_inert_on_every_page(world):
    missing: list[str] = []
    for name, (user, url) in _pages(world).items():
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        html = response.content.decode()
        _assert_inert(html)
        # A candidate's home lists nothing anyone else wrote; every other page shows some.
        if "&lt;script&gt;alert(1)&lt;/script&gt;" not in html and name != "home (candidate)":
            missing.append(name)
    assert missing == [], missing
    landing = Client()
    landing.force_login(User.objects.create_user("new@example.test", PASSWORD))
    html = landing.get(f"/assess/{world['assess_token']}/").content.decode()
    _assert_inert(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_pdf_report_shows_hostile_text_as_text(world):
    client = Client()
    client.force_login(world["recruiter"])
    response = client.get(f"/reports/{world['report'].id}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert re.sub(r"\s+", "", SCRIPT) in re.sub(r"\s+", "", text)
    assert "javascript:alert(1)" in re.sub(r"\s+", "", text)


class _Forms(HTMLParser):
    """The POST forms of a page, each with the names of its inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[list[str]] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self._open = (values.get("method") or "").lower() == "post"
            if self._open:
                self.forms.append([])
        elif tag == "input" and self._open:
            self.forms[-1].append(values.get("name") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = False


def test_every_post_form_carries_a_csrf_token_and_posts_without_one_are_refused(world):
    pages = {
        "login": (None, "/login/", "/login/"),
        "signup": (None, "/signup/", "/signup/"),
        "invite accept": (None, f"/invites/{world['invite_token']}/", f"/invites/{world['invite_token']}/"),
        "template new": (world["recruiter"], "/templates/new/", "/templates/new/"),
        "report override": (world["recruiter"], f"/reports/{world['report'].id}/", None),
        "practice start": (world["candidate"], "/practice/", f"/practice/{world['public'].id}/start/"),
        "logout": (world["candidate"], "/", "/logout/"),
        "assessment landing": (world["candidate"], f"/assess/{world['assess_token']}/", f"/assess/{world['assess_token']}/"),
    }
    seen = 0
    for name, (user, url, target) in pages.items():
        client = Client(enforce_csrf_checks=True)
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        parser = _Forms()
        parser.feed(response.content.decode())
        assert parser.forms, f"{name}: no POST form on {url}"
        for inputs in parser.forms:
            assert "csrfmiddlewaretoken" in inputs, f"{name}: a POST form without a CSRF token"
            seen += 1
        if target is None:
            target = re.search(r'action="(/reports/\d+/grades/\d+/override/)"', response.content.decode()).group(1)
        refused = client.post(target, {"username": "x@example.test", "password": PASSWORD})
        assert refused.status_code == 403, (name, refused.status_code)
    assert seen >= len(pages)
