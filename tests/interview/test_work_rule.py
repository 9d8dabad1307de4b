"""One rule decides whether a session takes work for a question now (services.session_accepts_work):
save, run, submit, finish and the expiry sweep each follow it, section deadlines included.
And a submitted program is the answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from grading.models import Submission
from interview import services
from interview.models import Answer, InterviewSession, SessionQuestion
from tests.conftest import error_code
from tests.interview.conftest import position_of, start

pytestmark = pytest.mark.django_db

RIGHT = "def count_pairs(nums, target):\n    return sum(1 for i in range(len(nums)) for j in range(i) if nums[i] + nums[j] == target)\n"


def _coding(session: dict) -> int:
    return position_of(session, "coding")


def _answer(session: dict, position: int) -> Answer:
    return Answer.objects.get(session_question__session_id=session["id"], session_question__position=position)


def _section_over(session: dict, position: int, seconds_ago: float) -> None:
    SessionQuestion.objects.filter(session_id=session["id"], position=position).update(
        section_deadline=timezone.now() - timedelta(seconds=seconds_ago)
    )


@pytest.mark.parametrize("mode", ["practice", "assessment"])
def test_submit_stores_the_submitted_source_as_the_answer(
    client_for, alice, bob, template, mode, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    if mode == "practice":
        session = start(client, template)
    else:
        with django_capture_on_commit_callbacks():
            _, token = services.assessment_invite_create(invited_by=bob, template=template, email="alice@example.test")
        session = client.post("/api/assessments/start/", {"token": token}).json()
    position = _coding(session)
    with django_capture_on_commit_callbacks():
        response = client.post(f"/api/sessions/{session['id']}/answers/{position}/submit/", {"source": RIGHT}, format="json")
    assert response.status_code == (202 if mode == "practice" else 204)
    answer = _answer(session, position)
    assert (answer.payload, answer.revision) == ({"source": RIGHT}, 1)
    # It is what the interview grades: finishing grades that source, not "no code was written".
    with django_capture_on_commit_callbacks():
        client.post(f"/api/sessions/{session['id']}/finish/")
    answer.refresh_from_db()
    assert answer.submission is not None and answer.submission.source == RIGHT
    assert answer.feedback != {"message": "no code was written"}


def test_a_submit_with_an_older_revision_leaves_the_newer_saved_answer(
    client_for, alice, template, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    session = start(client, template)
    position = _coding(session)
    url = f"/api/sessions/{session['id']}/answers/{position}/"
    newer = RIGHT + "\n# newer\n"
    assert client.put(url, {"payload": {"source": newer}, "revision": 5}, format="json").status_code == 200
    with django_capture_on_commit_callbacks():
        client.post(url + "submit/", {"source": RIGHT, "revision": 4}, format="json")
    assert (_answer(session, position).payload, _answer(session, position).revision) == ({"source": newer}, 5)
    with django_capture_on_commit_callbacks():
        client.post(url + "submit/", {"source": RIGHT, "revision": 6}, format="json")
    assert (_answer(session, position).payload, _answer(session, position).revision) == ({"source": RIGHT}, 6)


@pytest.mark.parametrize("action", ["save", "run", "submit"])
def test_save_run_and_submit_refuse_work_after_the_sections_deadline(client_for, alice, template, action):
    client = client_for(alice)
    session = start(client, template)
    position = _coding(session)
    _section_over(session, position, seconds_ago=services.GRACE_SECONDS + 5)
    url = f"/api/sessions/{session['id']}/answers/{position}/"
    if action == "save":
        response = client.put(url, {"payload": {"source": RIGHT}, "revision": 1}, format="json")
    else:
        response = client.post(url + f"{action}/", {"source": RIGHT}, format="json")
    assert response.status_code == 409 and error_code(response) == "section_closed"
    assert "section" in response.json()["error"]["message"]
    assert not Submission.objects.filter(user=alice).exists()
    assert _answer(session, position).revision == 0


@pytest.mark.parametrize("action", ["save", "run", "submit"])
def test_work_within_the_grace_of_a_sections_deadline_counts(
    client_for, alice, template, action, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    session = start(client, template)
    position = _coding(session)
    _section_over(session, position, seconds_ago=services.GRACE_SECONDS - 3)
    url = f"/api/sessions/{session['id']}/answers/{position}/"
    with django_capture_on_commit_callbacks():
        if action == "save":
            response = client.put(url, {"payload": {"source": RIGHT}, "revision": 1}, format="json")
        else:
            response = client.post(url + f"{action}/", {"source": RIGHT}, format="json")
    assert response.status_code in (200, 202)
    if action != "run":
        assert _answer(session, position).payload == {"source": RIGHT}


def test_finishing_after_time_is_up_is_an_expiry(alice, template):
    session = services.practice_start(candidate=alice, template=template)
    InterviewSession.objects.filter(id=session.id).update(deadline=timezone.now() - timedelta(seconds=services.GRACE_SECONDS + 1))
    session.refresh_from_db()
    assert services.session_candidate_finish(session=session).finish_reason == "expired"


def test_finishing_in_time_is_the_candidates(alice, template):
    session = services.practice_start(candidate=alice, template=template)
    InterviewSession.objects.filter(id=session.id).update(deadline=timezone.now() - timedelta(seconds=services.GRACE_SECONDS - 3))
    session.refresh_from_db()
    assert services.session_candidate_finish(session=session).finish_reason == "candidate"


def test_the_expiry_sweep_waits_for_the_grace_like_every_other_caller(alice, template):
    session = services.practice_start(candidate=alice, template=template)
    InterviewSession.objects.filter(id=session.id).update(deadline=timezone.now() - timedelta(seconds=services.GRACE_SECONDS - 3))
    assert services.sessions_finalize_expired() == []
    session.refresh_from_db()
    # The rule agrees: work is still taken.
    services.session_accepts_work(session)
    InterviewSession.objects.filter(id=session.id).update(deadline=timezone.now() - timedelta(seconds=services.GRACE_SECONDS + 1))
    session.refresh_from_db()
    with pytest.raises(services.SessionClosed):
        services.session_accepts_work(session)
    assert services.sessions_finalize_expired() == [session.id]
