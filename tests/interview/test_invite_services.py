"""Assessment invitations beyond one: parsing a paste or CSV, bulk invites (all or none),
resend (a new link, the old one dead), revoke, and the API over them, scoped by organization."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import invite_token_hash
from interview import services
from interview.models import AssessmentInvite, InterviewTemplate
from interview.services import invites
from tests.conftest import error_code


@pytest.fixture(autouse=True)
def no_resend_cooldown(settings):
    """Most tests resend at once; the cooldown has its own tests."""
    settings.ASSESSMENT_INVITE_RESEND_COOLDOWN_SECONDS = 0


@pytest.fixture
def send_now(monkeypatch):
    """The email task runs right here, instead of through the broker."""
    from interview.tasks import assessment_invite_email_send

    monkeypatch.setattr(assessment_invite_email_send, "delay", assessment_invite_email_send)


def _token_of(message) -> str:
    return message.body.split("/assess/")[1].split("/")[0]


# -- parsing ---------------------------------------------------------------------------------


def test_it_parses_the_three_line_forms_and_skips_blank_lines():
    text = 'Jane Roe, Jane@Example.test\n\nbob2@example.test\n  Kim Lee <kim@example.test>\n"Smith, Al", al@example.test\n'
    candidates, errors = invites.invite_lines_parse(text)
    assert errors == []
    assert [(c.name, c.email) for c in candidates] == [
        ("Jane Roe", "jane@example.test"),
        ("", "bob2@example.test"),
        ("Kim Lee", "kim@example.test"),
        ("Smith, Al", "al@example.test"),
    ]


def test_it_reports_every_bad_and_repeated_line_by_number():
    text = "a@example.test\nnot-an-email\nB, b@example.test\nA again, A@example.test\nx, y, z\n"
    candidates, errors = invites.invite_lines_parse(text)
    assert [(e.line, e.message) for e in errors] == [
        (2, "“not-an-email” is not a valid email address"),
        (4, "a@example.test is already on line 1"),
        (5, "write “Name, email”, “email” or “Name <email>”"),
    ]
    assert len(candidates) == 3  # the caller invites nobody when there are errors


def test_it_caps_a_batch():
    text = "\n".join(f"c{i}@example.test" for i in range(invites.BULK_MAX_ROWS + 1))
    candidates, errors = invites.invite_lines_parse(text)
    assert candidates == [] and "at most 500" in errors[0].message


def test_it_reads_a_csv_with_a_header_and_numbers_lines_like_a_spreadsheet():
    content = "Name,Email\nJane,jane@example.test\n,nobody\n\nKim,kim@example.test\n".encode("utf-8-sig")
    candidates, errors = invites.invite_csv_parse(content)
    assert [(c.name, c.email) for c in candidates] == [("Jane", "jane@example.test"), ("Kim", "kim@example.test")]
    assert [(e.line, e.message) for e in errors] == [(3, "“nobody” is not a valid email address")]
    _, no_header = invites.invite_csv_parse(b"jane@example.test\n")
    assert no_header[0].line == 1 and "email" in no_header[0].message
    _, too_big = invites.invite_csv_parse(b"email\n" + b"x" * invites.BULK_MAX_BYTES)
    assert "larger than 448 KB" in too_big[0].message
    _, not_utf8 = invites.invite_csv_parse("email\nj\xe9@example.test\n".encode("latin-1"))
    assert "UTF-8" in not_utf8[0].message


# -- bulk --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_bulk_invite_makes_all_and_emails_each_once_committed(bob, template, send_now, django_capture_on_commit_callbacks):
    candidates, _ = invites.invite_lines_parse("Jane, jane@example.test\nkim@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        made = invites.assessment_invites_bulk_create(invited_by=bob, template=template, candidates=candidates)
    assert [i.email for i in made] == ["jane@example.test", "kim@example.test"]
    assert sorted(m.to[0] for m in mail.outbox) == ["jane@example.test", "kim@example.test"]
    for message in mail.outbox:
        invite = AssessmentInvite.objects.get(email=message.to[0])
        assert invite.token_hash == invite_token_hash(_token_of(message)) and invite.status == "pending"


@pytest.mark.django_db
def test_a_bulk_invite_whose_emails_cannot_be_queued_is_undone(bob, template, monkeypatch, django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    from config.errors import ApplicationError
    from interview.tasks import assessment_invite_email_send

    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused.")

    monkeypatch.setattr(assessment_invite_email_send, "delay", broker_down)
    candidates, _ = invites.invite_lines_parse("jane@example.test\nkim@example.test")
    with pytest.raises(ApplicationError) as raised, django_capture_on_commit_callbacks(execute=True):
        invites.assessment_invites_bulk_create(invited_by=bob, template=template, candidates=candidates)
    assert raised.value.code == "queue_unavailable" and "jane@example.test, kim@example.test" in raised.value.message
    assert not AssessmentInvite.objects.exists()


@pytest.mark.django_db
def test_a_bulk_invite_refuses_another_organizations_template_and_repeats(bob, acme, globex, template):
    from config.errors import ApplicationError, NotFoundError

    private = InterviewTemplate.objects.create(slug="globex-only", title="Globex only", total_minutes=10, organization=globex)
    one = [invites.Candidate(email="jane@example.test")]
    with pytest.raises(NotFoundError):
        invites.assessment_invites_bulk_create(invited_by=bob, template=private, candidates=one)
    with pytest.raises(ApplicationError):
        invites.assessment_invites_bulk_create(invited_by=bob, template=template, candidates=one + one)
    assert not AssessmentInvite.objects.exists()


# -- resend and revoke ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_resend_makes_a_new_link_and_kills_the_old_one(
    client_for, bob, alice, template, send_now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite, old_token = services.assessment_invite_create(invited_by=bob, template=template, email=alice.email)
    AssessmentInvite.objects.filter(id=invite.id).update(expires_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        resent, new_token = invites.assessment_invite_resend(by=bob, invite_id=invite.id)
    resent.refresh_from_db()
    assert resent.status == "pending" and resent.send_count == 2 and resent.last_sent_at is not None
    assert resent.expires_at > timezone.now() + timedelta(hours=100)
    assert len(mail.outbox) == 2 and _token_of(mail.outbox[1]) == new_token != old_token

    # An email of the old link still in the queue is not sent: its link is dead.
    from interview.tasks import assessment_invite_email_send

    assert assessment_invite_email_send(invite.id, old_token) is False
    old = client_for(alice).post("/api/assessments/start/", {"token": old_token})
    assert old.status_code == 404 and error_code(old) == "invite_invalid"
    started = client_for(alice).post("/api/assessments/start/", {"token": new_token})
    assert started.status_code == 201
    with pytest.raises(Exception) as used:
        invites.assessment_invite_resend(by=bob, invite_id=invite.id)
    assert used.value.code == "invite_not_resendable" and used.value.status_code == 409


@pytest.mark.django_db
def test_a_resend_that_cannot_be_queued_leaves_the_old_link_working(
    bob, template, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from config.errors import ApplicationError
    from interview.tasks import assessment_invite_email_send

    with django_capture_on_commit_callbacks():
        invite, token = services.assessment_invite_create(invited_by=bob, template=template, email="jane@example.test")

    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused.")

    monkeypatch.setattr(assessment_invite_email_send, "delay", broker_down)
    with pytest.raises(ApplicationError) as raised, django_capture_on_commit_callbacks(execute=True):
        invites.assessment_invite_resend(by=bob, invite_id=invite.id)
    assert raised.value.code == "queue_unavailable"
    invite.refresh_from_db()
    assert invite.token_hash == invite_token_hash(token) and invite.send_count == 1


@pytest.mark.django_db
def test_a_revoked_link_refuses_with_410_and_says_so(
    client, client_for, bob, alice, template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        invite, token = services.assessment_invite_create(invited_by=bob, template=template, email=alice.email)
    revoked = invites.assessment_invite_revoke(by=bob, invite_id=invite.id)
    assert revoked.status == "revoked" and revoked.revoked_by == bob
    start = client_for(alice).post("/api/assessments/start/", {"token": token})
    assert start.status_code == 410 and error_code(start) == "invite_revoked"
    landing = client.get(f"/assess/{token}/")
    assert landing.status_code == 410 and "withdrawn" in landing.content.decode()
    with pytest.raises(Exception) as again:
        invites.assessment_invite_revoke(by=bob, invite_id=invite.id)
    assert again.value.code == "invite_not_pending" and again.value.status_code == 409
    with pytest.raises(Exception) as resend:
        invites.assessment_invite_resend(by=bob, invite_id=invite.id)
    assert resend.value.code == "invite_not_resendable"


# -- API ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_lists_resends_revokes_and_bulk_invites_for_its_organization_only(
    client_for, bob, carol, dave, alice, template, send_now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bad = client_for(bob).post(
            "/api/assessments/invites/bulk/",
            {"template": template.id, "candidates": [{"email": "jane@example.test"}, {"email": "nope"}]},
            format="json",
        )
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["candidates"] == [
        "line 2: “nope” is not a valid email address"
    ]
    assert not AssessmentInvite.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        made = client_for(bob).post(
            "/api/assessments/invites/bulk/",
            {
                "template": template.id,
                "candidates": [{"email": "jane@example.test", "name": "Jane"}, {"email": "kim@example.test"}],
            },
            format="json",
        )
    assert made.status_code == 201 and [i["email"] for i in made.json()] == ["jane@example.test", "kim@example.test"]
    jane, kim = (i["id"] for i in made.json())

    listed = client_for(carol).get("/api/assessments/invites/", {"status": "pending"})
    assert listed.status_code == 200 and listed.json()["count"] == 2
    assert {i["invited_by"] for i in listed.json()["results"]} == {bob.email}
    assert client_for(dave).get("/api/assessments/invites/").json()["count"] == 0
    assert client_for(alice).get("/api/assessments/invites/").status_code == 403
    assert error_code(client_for(bob).get("/api/assessments/invites/", {"state": "x"})) == "unknown_filter"

    for action in ("resend", "revoke"):
        # Another organization's invitation does not exist for dave; candidates may not act.
        assert client_for(dave).post(f"/api/assessments/invites/{jane}/{action}/").status_code == 404
        assert client_for(alice).post(f"/api/assessments/invites/{jane}/{action}/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        resent = client_for(bob).post(f"/api/assessments/invites/{jane}/resend/")
    assert resent.status_code == 200 and resent.json()["send_count"] == 2
    revoked = client_for(bob).post(f"/api/assessments/invites/{kim}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    again = client_for(bob).post(f"/api/assessments/invites/{kim}/resend/")
    assert again.status_code == 409 and error_code(again) == "invite_not_resendable"
    revoked_only = client_for(bob).get("/api/assessments/invites/", {"status": "revoked"}).json()
    assert [i["email"] for i in revoked_only["results"]] == ["kim@example.test"]


# -- hostile input ------------------------------------------------------------------------


def test_a_huge_whitespace_line_is_refused_before_any_parsing():
    text = "ok@example.test\n" + "a" + " " * 200_000 + "b <c@example.test>\n"
    _, errors = invites.invite_lines_parse(text)
    assert [(e.line, e.message) for e in errors] == [(2, "line 2 is too long (more than 1000 characters)")]
    assert len(errors[0].text) < 100
    # The regex itself is linear now: a long line of spaces under the cap still parses.
    assert invites._ANGLE.match("a" + " " * 900 + "b") is None
    ok, _ = invites.invite_lines_parse("  Kim   Lee  <kim@example.test>  ")
    assert [(c.name, c.email) for c in ok] == [("Kim Lee", "kim@example.test")]


def test_a_huge_csv_field_is_a_line_error_not_a_crash():
    _, errors = invites.invite_csv_parse(b'email,name\na@example.test,"' + b"x" * 140_000 + b'"\n')
    assert errors[0].line == 2 and "too long" in errors[0].message
    _, errors = invites.invite_lines_parse('"' + "x" * 140_000 + '", a@example.test')
    assert errors[0].line == 1 and "too long" in errors[0].message


@pytest.mark.parametrize("length", [255, 300, 320])
def test_an_overlong_email_is_a_line_error(length):
    email = "a" * 60 + "@" + ".".join(["b" * 60] * 10)[: length - 66] + ".test"
    email = email[:length] if len(email) > length else email
    assert len(email) > 254
    _, errors = invites.invite_lines_parse(email)
    assert errors and "longer than 254" in errors[0].message
    _, errors = invites.invite_candidates_check([(email, "")])
    assert errors and "longer than 254" in errors[0].message


def test_unstorable_characters_in_a_csv_name_or_email_are_line_errors():
    content = b"email,name\na@example.test,Ann\x00e\nb\x01@example.test,Bo\n"
    candidates, errors = invites.invite_csv_parse(content)
    assert candidates == []
    assert [e.line for e in errors] == [2, 3]
    assert "NUL" in errors[0].message and "control character" in errors[1].message


def test_a_semicolon_csv_from_european_excel_is_read():
    content = "Name;Email\nJane Roe;jane@example.test\nKim;kim@example.test\n".encode("utf-8-sig")
    candidates, errors = invites.invite_csv_parse(content)
    assert errors == []
    assert [(c.name, c.email) for c in candidates] == [("Jane Roe", "jane@example.test"), ("Kim", "kim@example.test")]


def test_names_lose_their_newlines_on_every_path(bob, template, send_now, django_capture_on_commit_callbacks):
    evil = "Bob,\n\nURGENT: pay at http://evil.example"
    with django_capture_on_commit_callbacks(execute=True):
        one, _ = invites.assessment_invite_create(invited_by=bob, template=template, email="x@example.test", candidate_name=evil)
    assert one.candidate_name == "Bob, URGENT: pay at http://evil.example"
    assert "\n\nURGENT" not in mail.outbox[-1].body
    _, errors = invites.invite_candidates_check([("y@example.test", evil + "\r\n" + " x" * 80)])
    assert errors == [] or "longer than" in errors[0].message
    made = invites.assessment_invites_bulk_create(
        invited_by=bob, template=template, candidates=[invites.Candidate(email="z@example.test", name="A\nB" + "c" * 300)]
    )
    assert "\n" not in made[0].candidate_name and len(made[0].candidate_name) <= 150


def test_a_resend_has_a_cooldown_and_a_cap(bob, template, settings, send_now, django_capture_on_commit_callbacks):
    settings.ASSESSMENT_INVITE_RESEND_COOLDOWN_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=True):
        invite, _ = invites.assessment_invite_create(invited_by=bob, template=template, email="c@example.test")
    with pytest.raises(Exception) as soon:
        invites.assessment_invite_resend(by=bob, invite_id=invite.id)
    assert soon.value.code == "invite_resend_too_soon" and soon.value.status_code == 429
    assert "seconds ago; wait a minute" in soon.value.message
    AssessmentInvite.objects.filter(id=invite.id).update(
        last_sent_at=timezone.now() - timedelta(minutes=2), send_count=invites.RESEND_MAX_SENDS
    )
    with pytest.raises(Exception) as capped:
        invites.assessment_invite_resend(by=bob, invite_id=invite.id)
    assert capped.value.code == "invite_send_limit" and capped.value.status_code == 409
    AssessmentInvite.objects.filter(id=invite.id).update(send_count=1)
    with django_capture_on_commit_callbacks(execute=True):
        resent, _ = invites.assessment_invite_resend(by=bob, invite_id=invite.id)
    assert resent.send_count == 2


def test_an_organization_has_a_daily_invitation_cap(
    bob, template, settings, send_now, client_for, django_capture_on_commit_callbacks
):
    settings.ASSESSMENT_INVITES_PER_ORG_PER_DAY = 3
    with django_capture_on_commit_callbacks(execute=True):
        invites.assessment_invites_bulk_create(
            invited_by=bob, template=template, candidates=[invites.Candidate(email=f"d{i}@example.test") for i in range(2)]
        )
    sent = len(mail.outbox)
    with pytest.raises(Exception) as over:
        invites.assessment_invites_bulk_create(
            invited_by=bob, template=template, candidates=[invites.Candidate(email=f"e{i}@example.test") for i in range(2)]
        )
    assert over.value.code == "invite_daily_limit" and over.value.status_code == 429
    assert "1 left" in over.value.message
    api = client_for(bob)
    body = {"template": template.id, "candidates": [{"email": "f1@example.test"}, {"email": "f2@example.test"}]}
    response = api.post("/api/assessments/invites/bulk/", body, format="json")
    assert response.status_code == 429 and error_code(response) == "invite_daily_limit"
    assert AssessmentInvite.objects.filter(organization=bob.organization).count() == 2 and len(mail.outbox) == sent
