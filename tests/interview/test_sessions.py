"""Timed interviews: templates, the server's clock, autosave, finishing and grading."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from grading.models import Submission
from grading.services import submission_run
from interview import services
from interview.models import Answer, InterviewSession, InterviewTemplate, TemplateSection
from questions.models import Question
from tests.conftest import error_code
from tests.interview.conftest import position_of, start

RIGHT = "from collections import Counter\n\ndef count_pairs(nums, target):\n    seen = Counter()\n    total = 0\n    for v in nums:\n        total += seen[target - v]\n        seen[v] += 1\n    return total\n"


def test_the_seeded_templates_are_there(client_for, alice, db):
    titles = {t["title"] for t in client_for(alice).get("/api/templates/").json()}
    assert {
        "Python/DSA screen (45 min)",
        "ML fundamentals (30 min)",
        "System design (45 min)",
        "Full loop (2 h)",
        "AI engineer screen (60 min)",
    } <= titles


def test_starting_sets_a_server_deadline_and_hides_answers(client_for, alice, template):
    session = start(client_for(alice), template)
    assert session["status"] == "in_progress" and session["mode"] == "practice"
    assert 29 * 60 < session["remaining_seconds"] <= 30 * 60
    assert [q["kind"] for q in session["questions"]] == ["coding", "multiple_choice", "numeric", "free_text"]
    raw = str(session)
    for secret in ("SECRET-hidden", "REFERENCE-SOLUTION-MARKER", "EXPLANATION-MARKER", "RUBRIC-MARKER", "correct"):
        assert secret not in raw
    coding = session["questions"][0]
    assert coding["answer"]["payload"]["source"].startswith("def count_pairs")


def test_draws_give_different_but_comparable_sets(client_for, alice, bob, bank):
    template = InterviewTemplate.objects.create(slug="draw", title="Draw", total_minutes=10)
    TemplateSection.objects.create(template=template, position=1, title="ML", draw_count=2, draw_track="ml_fundamentals")
    kinds = set()
    for user in (alice, bob):
        session = start(client_for(user), template)
        assert len(session["questions"]) == 2
        assert all(q["track"] == "ml_fundamentals" for q in session["questions"])
        kinds |= {q["title"] for q in session["questions"]}
    assert kinds <= {"Pick a metric for rare positives", "AUC of a tiny ranking"}


def test_a_second_practice_start_is_refused_while_one_is_in_progress(client_for, alice, template):
    client = client_for(alice)
    first = start(client, template)
    again = client.post(f"/api/templates/{template.id}/start/")
    assert again.status_code == 409 and error_code(again) == "session_in_progress"
    assert again.json()["error"]["fields"]["session"] == [str(first["id"])]


def test_answers_are_saved_and_resumed(client_for, alice, template):
    client = client_for(alice)
    session = start(client, template)
    position = position_of(session, "multiple_choice")
    url = f"/api/sessions/{session['id']}/answers/{position}/"
    saved = client.put(url, {"payload": {"selected": ["b"]}, "revision": 1}, format="json")
    assert saved.status_code == 200 and saved.json()["revision"] == 1
    # Another browser (a fresh client) resumes exactly there.
    resumed = client_for(alice).get(f"/api/sessions/{session['id']}/").json()
    assert next(q for q in resumed["questions"] if q["position"] == position)["answer"]["payload"] == {"selected": ["b"]}


def test_a_late_retry_never_overwrites_a_newer_save(client_for, alice, template):
    client = client_for(alice)
    session = start(client, template)
    url = f"/api/sessions/{session['id']}/answers/{position_of(session, 'free_text')}/"
    client.put(url, {"payload": {"text": "newer answer"}, "revision": 5}, format="json")
    stale = client.put(url, {"payload": {"text": "older answer"}, "revision": 4}, format="json")
    assert stale.status_code == 200 and stale.json()["revision"] == 5 and stale.json()["payload"] == {"text": "newer answer"}


@pytest.mark.parametrize(
    ("kind", "payload", "status", "code"),
    [
        ("multiple_choice", {"selected": ["z"]}, 400, "invalid"),
        ("multiple_choice", {"selected": ["a", "b"]}, 400, "invalid"),
        ("numeric", {"value": "lots"}, 400, "invalid"),
        ("numeric", {"value": "nan"}, 400, "invalid"),
        ("free_text", {"text": "x" * 20001}, 413, "answer_too_large"),
        ("coding", {"source": "x = 1\n" * 12000}, 413, "answer_too_large"),
        ("coding", "just a string", 400, "invalid"),
    ],
)
def test_bad_answers_are_refused_and_the_saved_one_kept(client_for, alice, template, kind, payload, status, code):
    client = client_for(alice)
    session = start(client, template)
    position = position_of(session, kind)
    before = Answer.objects.get(session_question__session_id=session["id"], session_question__position=position).payload
    response = client.put(
        f"/api/sessions/{session['id']}/answers/{position}/", {"payload": payload, "revision": 1}, format="json"
    )
    assert response.status_code == status and error_code(response) == code
    assert Answer.objects.get(session_question__session_id=session["id"], session_question__position=position).payload == before


def test_unknown_questions_and_other_peoples_sessions_are_404(client_for, alice, dave, template):
    session = start(client_for(alice), template)
    missing = client_for(alice).put(f"/api/sessions/{session['id']}/answers/99/", {"payload": {}, "revision": 1}, format="json")
    assert missing.status_code == 404
    for url in (f"/api/sessions/{session['id']}/", f"/api/sessions/{session['id']}/results/"):
        assert client_for(dave).get(url).status_code == 404
    other = client_for(dave).put(
        f"/api/sessions/{session['id']}/answers/1/", {"payload": {"source": "x"}, "revision": 1}, format="json"
    )
    assert other.status_code == 404


def test_after_the_deadline_saves_are_refused_and_the_session_is_finalized(
    client_for, alice, template, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    session = start(client, template)
    mc = position_of(session, "multiple_choice")
    client.put(f"/api/sessions/{session['id']}/answers/{mc}/", {"payload": {"selected": ["b"]}, "revision": 1}, format="json")
    InterviewSession.objects.filter(id=session["id"]).update(deadline=timezone.now() - timedelta(seconds=30))
    with django_capture_on_commit_callbacks():
        late = client.put(
            f"/api/sessions/{session['id']}/answers/{mc}/", {"payload": {"selected": ["a"]}, "revision": 2}, format="json"
        )
    assert late.status_code == 409 and error_code(late) == "session_closed"
    finished = InterviewSession.objects.get(id=session["id"])
    assert finished.status == "finished" and finished.finish_reason == "expired"
    answer = Answer.objects.get(session_question__session=finished, session_question__position=mc)
    assert answer.payload == {"selected": ["b"]} and answer.score == 100.0


def test_the_periodic_task_finalizes_expired_sessions(client_for, alice, template):
    session = start(client_for(alice), template)
    InterviewSession.objects.filter(id=session["id"]).update(deadline=timezone.now() - timedelta(minutes=1))
    assert services.sessions_finalize_expired() == [session["id"]]
    assert services.sessions_finalize_expired() == []


def test_a_save_within_the_grace_period_counts(client_for, alice, template):
    client = client_for(alice)
    session = start(client, template)
    deadline = timezone.now() - timedelta(seconds=services.GRACE_SECONDS - 3)
    InterviewSession.objects.filter(id=session["id"]).update(deadline=deadline)
    position = position_of(session, "numeric")
    before = timezone.now()
    response = client.put(
        f"/api/sessions/{session['id']}/answers/{position}/", {"payload": {"value": "0.75"}, "revision": 1}, format="json"
    )
    after = timezone.now()
    assert response.status_code == 200
    assert (response.json()["payload"], response.json()["revision"]) == ({"value": 0.75}, 1)
    # Stored as the number, at the server's time of the save: after the deadline, within the grace.
    stored = Answer.objects.get(session_question__session_id=session["id"], session_question__position=position)
    assert (stored.payload, stored.revision) == ({"value": 0.75}, 1)
    assert deadline < before <= stored.saved_at <= after
    assert InterviewSession.objects.get(id=session["id"]).status == "in_progress"


def test_a_save_after_the_grace_period_is_refused_and_the_stored_answer_kept(
    client_for, alice, template, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    session = start(client, template)
    position = position_of(session, "numeric")
    url = f"/api/sessions/{session['id']}/answers/{position}/"
    assert client.put(url, {"payload": {"value": 0.75}, "revision": 1}, format="json").status_code == 200
    kept = Answer.objects.get(session_question__session_id=session["id"], session_question__position=position)
    InterviewSession.objects.filter(id=session["id"]).update(
        deadline=timezone.now() - timedelta(seconds=services.GRACE_SECONDS + 1)
    )
    with django_capture_on_commit_callbacks():
        late = client.put(url, {"payload": {"value": 0.5}, "revision": 2}, format="json")
    assert late.status_code == 409 and error_code(late) == "session_closed"
    stored = Answer.objects.get(id=kept.id)
    assert (stored.payload, stored.revision, stored.saved_at) == ({"value": 0.75}, 1, kept.saved_at)


@pytest.mark.django_db(transaction=True)
def test_finishing_grades_every_answer_and_shows_practice_results(client_for, alice, template, celery_worker):
    client = client_for(alice)
    session = start(client, template)
    sid = session["id"]
    answers = {
        "coding": {"source": RIGHT},
        "multiple_choice": {"selected": ["b"]},
        "numeric": {"value": "0.7"},
        "free_text": {"text": "Consistent hashing."},
    }
    for kind, payload in answers.items():
        response = client.put(
            f"/api/sessions/{sid}/answers/{position_of(session, kind)}/", {"payload": payload, "revision": 1}, format="json"
        )
        assert response.status_code == 200
    assert client.get(f"/api/sessions/{sid}/results/").status_code == 409
    finished = client.post(f"/api/sessions/{sid}/finish/").json()
    assert finished["status"] == "finished" and finished["finish_reason"] == "candidate"
    import time

    deadline = time.monotonic() + 30
    while set(Answer.objects.filter(session_question__session_id=sid).values_list("grade_status", flat=True)) != {"graded"}:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    results = client.get(f"/api/sessions/{sid}/results/").json()
    by_kind = {q["kind"]: q for q in results["questions"]}
    assert by_kind["coding"]["score"] == 100.0 and by_kind["coding"]["submission"]["verdict"] == "accepted"
    assert (
        by_kind["multiple_choice"]["score"] == 100.0
        and "EXPLANATION-MARKER" in by_kind["multiple_choice"]["feedback"]["explanation"]
    )
    assert by_kind["numeric"]["score"] == 0.0 and by_kind["numeric"]["feedback"]["answer"] == 0.75
    # No LLM configured: the local grader, shown as provisional, with evidence from the answer.
    written = by_kind["free_text"]
    assert written["grade_status"] == "graded" and written["feedback"]["provisional"] is True
    assert 0 <= written["feedback"]["confidence"] <= 1
    for criterion in written["feedback"]["criteria"]:
        assert all(quote in "Consistent hashing." for quote in criterion["evidence"])
    # Its levels give its score (weights 2 and 1, levels of 4)...
    levels = {c["id"]: c["effective_level"] for c in written["feedback"]["criteria"]}
    assert written["score"] == round(100 * (2 * levels["partitioning"] + levels["eviction"]) / 12, 2)
    # ...and the session's score is the mean over the four kinds, kept to 2 places.
    assert results["score"] == round((100 + 100 + 0 + written["score"]) / 4, 2)
    again = client.put(f"/api/sessions/{sid}/answers/1/", {"payload": {"source": "x"}, "revision": 9}, format="json")
    assert again.status_code == 409 and error_code(again) == "session_closed"


def test_the_session_score_is_the_mean_over_every_kind_and_none_until_all_are_graded(
    client_for, alice, template, django_capture_on_commit_callbacks, fake_llm
):
    client = client_for(alice)
    session = start(client, template)
    sid = session["id"]
    answers = {
        "coding": {"source": RIGHT},  # passes every test: 100
        "multiple_choice": {"selected": ["b"]},  # the correct option: 100
        "numeric": {"value": "0.7"},  # 0.05 off the key 0.75, tolerance 0.01: 0
        # Graded (by the scripted LLM below) level 2 of 4 on partitioning (weight 2) and 0
        # on eviction (weight 1): 100 * (2 * 2 + 0) / (3 * 4) = 33.33.
        "free_text": {"text": "Consistent hashing."},
    }
    for kind, payload in answers.items():
        response = client.put(
            f"/api/sessions/{sid}/answers/{position_of(session, kind)}/", {"payload": payload, "revision": 1}, format="json"
        )
        assert response.status_code == 200

    def grades() -> dict[str, tuple[str, float | None]]:
        rows = Answer.objects.filter(session_question__session_id=sid).values_list(
            "session_question__question_version__question__kind", "grade_status", "score"
        )
        return {kind: (status, score) for kind, status, score in rows}

    def session_score() -> float | None:
        return InterviewSession.objects.get(id=sid).score

    # The workers' tasks are not run on commit here: this test does their work, one at a time.
    with django_capture_on_commit_callbacks():
        assert client.post(f"/api/sessions/{sid}/finish/").status_code == 200
    assert grades() == {
        "coding": ("pending", None),
        "multiple_choice": ("graded", 100.0),
        "numeric": ("graded", 0.0),
        "free_text": ("pending", None),
    }
    assert session_score() is None

    (submission,) = Submission.objects.filter(user=alice, status=Submission.Status.QUEUED)
    submission_run(submission_id=submission.id, worker="test")
    assert grades()["coding"] == ("graded", 100.0) and grades()["free_text"] == ("pending", None)
    assert session_score() is None  # the written answer is still waiting

    written = Answer.objects.get(session_question__session_id=sid, session_question__question_version__question__kind="free_text")
    fake_llm.reply_grade({"partitioning": 2, "eviction": 0}, evidence={"partitioning": ["Consistent hashing."]})
    services.answer_rubric_grade(answer_id=written.id)
    assert grades()["free_text"] == ("graded", 33.33)
    # The mean of 100, 100, 0 and 33.33 is 58.3325, kept to 2 places.
    assert session_score() == 58.33
    assert client.get(f"/api/sessions/{sid}/results/").json()["score"] == 58.33


def test_run_inside_an_interview_uses_the_sessions_question(client_for, alice, template, django_capture_on_commit_callbacks):
    client = client_for(alice)
    session = start(client, template)
    with django_capture_on_commit_callbacks():
        response = client.post(f"/api/sessions/{session['id']}/answers/1/run/", {"source": RIGHT}, format="json")
    assert response.status_code == 202 and response.json()["mode"] == "run"
    InterviewSession.objects.filter(id=session["id"]).update(deadline=timezone.now() - timedelta(minutes=1))
    late = client.post(f"/api/sessions/{session['id']}/answers/1/run/", {"source": RIGHT}, format="json")
    assert late.status_code == 409


def test_an_assessment_invite_works_once_for_the_invited_candidate(
    client_for, bob, alice, dave, template, django_capture_on_commit_callbacks, monkeypatch
):
    from interview.tasks import assessment_invite_email_send

    # The email task runs right here, instead of through the broker.
    monkeypatch.setattr(assessment_invite_email_send, "delay", assessment_invite_email_send)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(bob).post(
            "/api/assessments/invites/", {"template": template.id, "email": "alice@example.test", "candidate_name": "Alice"}
        )
    assert response.status_code == 201
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.test"]
    token = mail.outbox[0].body.split("/assess/")[1].split("/")[0]

    wrong = client_for(dave).post("/api/assessments/start/", {"token": token})
    assert wrong.status_code == 403 and error_code(wrong) == "invite_wrong_account"
    started = client_for(alice).post("/api/assessments/start/", {"token": token})
    assert started.status_code == 201 and started.json()["mode"] == "assessment"
    replay = client_for(alice).post("/api/assessments/start/", {"token": token})
    assert replay.status_code == 410 and error_code(replay) == "invite_used"

    sid = started.json()["id"]
    client_for(alice).post(f"/api/sessions/{sid}/finish/")
    hidden = client_for(alice).get(f"/api/sessions/{sid}/results/")
    assert hidden.status_code == 403 and error_code(hidden) == "results_hidden"


def test_an_invite_whose_email_cannot_be_queued_is_undone_and_said(client_for, bob, template, monkeypatch):
    from kombu.exceptions import OperationalError

    from interview.models import AssessmentInvite
    from interview.tasks import assessment_invite_email_send

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(assessment_invite_email_send, "delay", broker_down)
    response = client_for(bob).post("/api/assessments/invites/", {"template": template.id, "email": "alice@example.test"})
    assert response.status_code == 503 and error_code(response) == "queue_unavailable"
    assert not AssessmentInvite.objects.exists()


def test_an_expired_invite_cannot_start(client_for, bob, alice, template, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        invite, token = services.assessment_invite_create(invited_by=bob, template=template, email="alice@example.test")
    invite.expires_at = timezone.now() - timedelta(seconds=1)
    invite.save()
    response = client_for(alice).post("/api/assessments/start/", {"token": token})
    assert response.status_code == 410 and error_code(response) == "invite_expired"


def test_candidates_cannot_invite_and_recruiters_create_templates(client_for, alice, bob, template):
    assert client_for(alice).post("/api/assessments/invites/", {"template": template.id, "email": "x@y.test"}).status_code == 403
    payload = {
        "title": "Acme screen",
        "total_minutes": 40,
        "sections": [
            {"title": "Code", "questions": [Question.objects.get(slug="acme-private-xss").id]},
            {"title": "ML", "draw_count": 1, "draw_track": "ml_fundamentals", "draw_kind": "numeric"},
        ],
    }
    created = client_for(bob).post("/api/templates/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["organization"] == "acme"
    assert [s["questions"] for s in created.json()["sections"]] == [1, 1]
    assert client_for(alice).post("/api/templates/", payload, format="json").status_code == 403
    impossible = {**payload, "sections": [{"title": "Too many", "draw_count": 5, "draw_track": "system_design"}]}
    refused = client_for(bob).post("/api/templates/", impossible, format="json")
    assert refused.status_code == 400 and error_code(refused) == "template_unsatisfiable"
    assert "Acme screen" not in {t["title"] for t in client_for(alice).get("/api/templates/").json()}


def test_recruiters_create_a_template_with_the_form(client, bob, alice, bank):
    client.force_login(bob)
    data = {
        "title": "Acme ML screen",
        "total_minutes": "20",
        "sections-TOTAL_FORMS": "3",
        "sections-INITIAL_FORMS": "0",
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "10",
        "sections-0-title": "Numbers",
        "sections-0-draw_count": "1",
        "sections-0-draw_track": "ml_fundamentals",
        "sections-0-draw_kind": "numeric",
    }
    response = client.post("/templates/new/", data)
    assert response.status_code == 302
    template = InterviewTemplate.objects.get(title="Acme ML screen")
    assert template.organization == bob.organization and template.sections.get().draw_kind == "numeric"
    impossible = {**data, "title": "Too big", "sections-0-draw_count": "9"}
    page = client.post("/templates/new/", impossible).content.decode()
    assert "only 1 match" in page and not InterviewTemplate.objects.filter(title="Too big").exists()
    client.force_login(alice)
    assert client.get("/templates/new/").status_code == 404


def test_the_assessment_link_page_starts_the_assessment_once(client, bob, alice, template, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        _, token = services.assessment_invite_create(invited_by=bob, template=template, email="alice@example.test")
    anonymous = client.get(f"/assess/{token}/").content.decode()
    assert "Acme Robotics invites you" in anonymous and "Sign in" in anonymous
    client.force_login(alice)
    started = client.post(f"/assess/{token}/")
    session = InterviewSession.objects.get(candidate=alice)
    assert started.status_code == 302 and started["Location"] == f"/sessions/{session.id}/"
    assert client.get(f"/assess/{token}/").status_code == 410
    assert client.get("/assess/not-a-token/").status_code == 404


def test_an_assessment_belongs_to_the_inviting_organization(bob, alice, template, django_capture_on_commit_callbacks):
    # A public template, taken as Acme's assessment: the session is Acme's.
    with django_capture_on_commit_callbacks():
        _, token = services.assessment_invite_create(invited_by=bob, template=template, email="alice@example.test")
    session = services.assessment_start(token=token, candidate=alice)
    assert template.organization is None and session.organization == bob.organization
