"""The recruiter's invitations page: invite one or many (all or none, every bad line
named, nothing lost), the list with its filters, resend and revoke, and who may see it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from interview import services
from interview.models import AssessmentInvite, InterviewTemplate, TemplateSection
from questions.models import Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(bank) -> InterviewTemplate:
    template = InterviewTemplate.objects.create(slug="acme-screen", title="Acme screen", total_minutes=30, organization_id=None)
    TemplateSection.objects.create(template=template, position=1, title="Code").questions.add(
        Question.objects.get(slug="sum-pairs")
    )
    return template


@pytest.fixture(autouse=True)
def no_resend_cooldown(settings):
    settings.ASSESSMENT_INVITE_RESEND_COOLDOWN_SECONDS = 0


@pytest.fixture
def send_now(monkeypatch):
    from interview.tasks import assessment_invite_email_send

    monkeypatch.setattr(assessment_invite_email_send, "delay", assessment_invite_email_send)


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def test_it_is_a_404_for_candidates_and_asks_others_to_sign_in(client, signed_in, alice, bob, template):
    assert client.get("/dashboard/invites/").status_code == 302
    page = signed_in(alice)
    for path in ("/dashboard/invites/", "/dashboard/export.csv", "/dashboard/export.xlsx"):
        assert page.get(path).status_code == 404
    assert page.post("/dashboard/invites/bulk/", {"bulk-lines": "x@example.test"}).status_code == 404


def test_the_template_choice_shows_titles_of_own_and_public_templates_only(signed_in, bob, acme, globex, template):
    InterviewTemplate.objects.create(slug="mine", title="Acme private", total_minutes=10, organization=acme)
    InterviewTemplate.objects.create(slug="theirs", title="Globex private", total_minutes=10, organization=globex)
    InterviewTemplate.objects.create(slug="old", title="Archived one", total_minutes=10, organization=acme, is_active=False)
    html = signed_in(bob).get("/dashboard/invites/").content.decode()
    assert "Acme private" in html and "Acme screen (public)" in html
    assert "Globex private" not in html and "Archived one" not in html


def test_inviting_one_sends_the_email_and_redirects(signed_in, bob, template, send_now, django_capture_on_commit_callbacks):
    page = signed_in(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(
            "/dashboard/invites/",
            {"one-template": template.id, "one-email": "Jane@Example.test", "one-name": "Jane"},
            follow=True,
        )
    assert response.redirect_chain[-1][0].endswith("/dashboard/invites/")
    html = response.content.decode()
    assert "Invitation to “Acme screen” sent to jane@example.test." in html
    assert mail.outbox[0].to == ["jane@example.test"]
    assert AssessmentInvite.objects.get().invited_by == bob


def test_a_bad_single_invite_shows_the_error_next_to_the_field(signed_in, bob, template):
    response = signed_in(bob).post("/dashboard/invites/", {"one-template": template.id, "one-email": "nope", "one-name": "Jo"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_one-email_error"' in html and 'value="Jo"' in html
    assert not AssessmentInvite.objects.exists()


def test_a_bulk_paste_with_a_bad_line_invites_nobody_and_keeps_the_text(signed_in, bob, template):
    text = "Jane, jane@example.test\nnot an email\nkim@example.test\nKim again <KIM@example.test>"
    response = signed_in(bob).post("/dashboard/invites/bulk/", {"bulk-template": template.id, "bulk-lines": text})
    assert response.status_code == 400
    html = response.content.decode()
    assert "2 lines cannot be invited, so nobody was invited yet." in html
    assert 'data-line="2">Line 2: “not an email” is not a valid email address' in html
    assert 'data-line="4">Line 4: kim@example.test is already on line 3' in html
    assert "Jane, jane@example.test\nnot an email" in html  # nothing lost
    assert not AssessmentInvite.objects.exists()


def test_a_bulk_paste_invites_everyone(signed_in, bob, template, send_now, django_capture_on_commit_callbacks):
    text = "Jane, jane@example.test\nkim@example.test\nLee <lee@example.test>"
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(bob).post(
            "/dashboard/invites/bulk/", {"bulk-template": template.id, "bulk-lines": text}, follow=True
        )
    assert "3 invitations to “Acme screen” sent." in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["jane@example.test", "kim@example.test", "lee@example.test"]
    assert AssessmentInvite.objects.get(email="lee@example.test").candidate_name == "Lee"


def test_a_csv_upload_is_checked_line_by_line(signed_in, bob, template, send_now, django_capture_on_commit_callbacks):
    page = signed_in(bob)
    bad = SimpleUploadedFile("c.csv", b"name,email\nJane,jane@example.test\nKim,kim(at)example.test\n", content_type="text/csv")
    response = page.post("/dashboard/invites/bulk/", {"bulk-template": template.id, "bulk-file": bad})
    assert (
        response.status_code == 400 and "Line 3: “kim(at)example.test” is not a valid email address" in response.content.decode()
    )
    good = SimpleUploadedFile("c.csv", b"email,name\njane@example.test,Jane\n", content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        page.post("/dashboard/invites/bulk/", {"bulk-template": template.id, "bulk-file": good})
    assert AssessmentInvite.objects.get().candidate_name == "Jane"


def test_nothing_to_invite_is_said_next_to_the_textarea(signed_in, bob, template):
    response = signed_in(bob).post("/dashboard/invites/bulk/", {"bulk-template": template.id, "bulk-lines": "  "})
    assert response.status_code == 400 and "Paste at least one line, or choose a CSV file." in response.content.decode()


def test_the_list_shows_states_filters_and_stays_in_the_organization(
    signed_in, bob, dave, alice, template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        pending, _ = services.assessment_invite_create(invited_by=bob, template=template, email="p@example.test")
        expired, _ = services.assessment_invite_create(invited_by=bob, template=template, email="e@example.test")
        used, token = services.assessment_invite_create(invited_by=bob, template=template, email=alice.email)
        _theirs, _ = services.assessment_invite_create(invited_by=dave, template=template, email="globex@example.test")
    AssessmentInvite.objects.filter(id=expired.id).update(expires_at=timezone.now() - timedelta(minutes=1))
    services.assessment_start(token=token, candidate=alice)
    html = signed_in(bob).get("/dashboard/invites/").content.decode()
    assert f'data-invite="{pending.id}" data-status="pending"' in html
    assert f'data-invite="{expired.id}" data-status="expired"' in html
    assert f'data-invite="{used.id}" data-status="used"' in html and "interview in progress" in html
    assert "globex@example.test" not in html
    only_expired = signed_in(bob).get("/dashboard/invites/", {"status": "expired"}).content.decode()
    assert "e@example.test" in only_expired and "p@example.test" not in only_expired
    assert "p@example.test" not in signed_in(dave).get("/dashboard/invites/").content.decode()


def test_resend_and_revoke_from_the_page(signed_in, bob, dave, template, send_now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite, _old = services.assessment_invite_create(invited_by=bob, template=template, email="p@example.test")
    for action in ("resend", "revoke"):
        assert signed_in(dave).post(f"/dashboard/invites/{invite.id}/{action}/").status_code == 404
    page = signed_in(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(f"/dashboard/invites/{invite.id}/resend/?status=pending", follow=True)
    assert response.redirect_chain[0][0].endswith("/dashboard/invites/?status=pending")
    assert "the old link no longer works" in response.content.decode()
    invite.refresh_from_db()
    assert invite.send_count == 2 and len(mail.outbox) == 2
    response = page.post(f"/dashboard/invites/{invite.id}/revoke/", follow=True)
    assert "revoked; its link no longer works" in response.content.decode()
    again = page.post(f"/dashboard/invites/{invite.id}/resend/", follow=True).content.decode()
    assert "This invitation was revoked, so it cannot be sent again." in again
    assert page.get(f"/dashboard/invites/{invite.id}/resend/").status_code == 405


def test_the_dashboard_links_here_and_to_its_exports_and_says_revoked(
    signed_in, bob, template, django_capture_on_commit_callbacks
):
    from interview.services.invites import assessment_invite_revoke

    with django_capture_on_commit_callbacks():
        invite, _ = services.assessment_invite_create(invited_by=bob, template=template, email="p@example.test")
    assessment_invite_revoke(by=bob, invite_id=invite.id)
    html = signed_in(bob).get("/dashboard/", {"template": template.id}).content.decode()
    assert 'href="/dashboard/invites/"' in html
    assert f'href="/dashboard/export.csv?template={template.id}"' in html
    assert f'href="/dashboard/export.xlsx?template={template.id}"' in html
    assert f'data-invite="{invite.id}" data-status="revoked_invite"' in html and ">Revoked<" in html


# -- hostile input ------------------------------------------------------------------------


def test_the_page_promises_the_upload_limit_the_server_accepts(signed_in, bob, template, settings):
    from interview.services import invites

    assert invites.BULK_MAX_BYTES + 32 * 1024 <= settings.REQUEST_BODY_MAX_BYTES
    page = signed_in(bob).get("/dashboard/invites/").content.decode()
    assert "448 KB" in page and "1024 KB" not in page and "1 MB" not in page


def test_a_semicolon_csv_upload_invites_everyone(signed_in, bob, template, send_now, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("c.csv", b"name;email\nJane;jane@example.test\nKim;kim@example.test\n", "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(bob).post("/dashboard/invites/bulk/", {"bulk-template": template.id, "bulk-file": upload})
    assert response.status_code == 302
    assert sorted(AssessmentInvite.objects.values_list("email", "candidate_name")) == [
        ("jane@example.test", "Jane"),
        ("kim@example.test", "Kim"),
    ]


def test_odd_pasted_lines_are_line_errors_not_500s(signed_in, bob, template):
    long_email = "a" * 64 + "@" + "b" * 190 + ".test"
    text = f"{long_email}\nCtl\x01Name, n@example.test\n" + "x" * 140_000 + ", y@example.test\n"
    response = signed_in(bob).post("/dashboard/invites/bulk/", {"bulk-template": template.id, "bulk-lines": text})
    page = response.content.decode()
    assert response.status_code == 400 and "3 lines cannot be invited" in page
    assert "longer than 254" in page and "line 3 is too long" in page and "control character" in page
    assert not AssessmentInvite.objects.exists()


def test_a_nul_in_an_uploaded_csv_is_a_line_error(signed_in, bob, template):
    upload = SimpleUploadedFile("c.csv", b"email,name\na@example.test,A\x00n\n", "text/csv")
    response = signed_in(bob).post("/dashboard/invites/bulk/", {"bulk-template": template.id, "bulk-file": upload})
    assert response.status_code == 400 and "NUL character" in response.content.decode()
    assert not AssessmentInvite.objects.exists()


def test_an_overlong_single_email_is_said_next_to_the_field(signed_in, bob, template):
    long_email = "a" * 64 + "@" + "b" * 190 + ".test"
    response = signed_in(bob).post("/dashboard/invites/", {"one-template": template.id, "one-email": long_email})
    assert response.status_code == 400 and not AssessmentInvite.objects.exists()


def test_a_newline_name_on_the_single_form_is_one_line(signed_in, bob, template, send_now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(bob).post(
            "/dashboard/invites/",
            {"one-template": template.id, "one-email": "n@example.test", "one-name": "Bob,\r\n\r\nURGENT: pay now"},
        )
    assert response.status_code == 302
    assert AssessmentInvite.objects.get().candidate_name == "Bob, URGENT: pay now"
    assert "Bob, URGENT: pay now" in mail.outbox[-1].body


def test_a_resend_too_soon_is_said_on_the_page(signed_in, bob, template, settings, send_now, django_capture_on_commit_callbacks):
    settings.ASSESSMENT_INVITE_RESEND_COOLDOWN_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=True):
        invite, _ = services.assessment_invite_create(invited_by=bob, template=template, email="r@example.test")
    response = signed_in(bob).post(f"/dashboard/invites/{invite.id}/resend/", follow=True)
    assert "seconds ago; wait a minute" in response.content.decode()
    assert AssessmentInvite.objects.get().send_count == 1


def test_the_daily_cap_is_said_on_the_page_before_anything_is_sent(signed_in, bob, template, settings, send_now):
    settings.ASSESSMENT_INVITES_PER_ORG_PER_DAY = 1
    text = "a@example.test\nb@example.test\n"
    response = signed_in(bob).post("/dashboard/invites/bulk/", {"bulk-template": template.id, "bulk-lines": text})
    assert response.status_code == 400 and "at most 1 invitations a day" in response.content.decode()
    assert not AssessmentInvite.objects.exists() and not mail.outbox
