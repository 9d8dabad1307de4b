"""Integrity events: the assessment page's batches of pastes and focus changes, and the
recruiter's summary of them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from interview import selectors, services
from interview.models import IntegrityEvent, InterviewSession
from tests.conftest import error_code

PASTED_SECRET = "def count_pairs(nums, target): return SECRET_PASTED_TEXT"


@pytest.fixture
def assessment(bob, alice, template, django_capture_on_commit_callbacks) -> InterviewSession:
    """Alice's assessment for Acme (bob invited her): coding 1, choice 2, numeric 3, text 4."""
    with django_capture_on_commit_callbacks():
        _, token = services.assessment_invite_create(invited_by=bob, template=template, email=alice.email)
    return services.assessment_start(token=token, candidate=alice)


def _url(session: InterviewSession) -> str:
    return f"/api/sessions/{session.id}/events/"


def _at(seconds: float = 0.0) -> str:
    return (timezone.now() + timedelta(seconds=seconds)).isoformat()


def _event(kind: str = "focus_lost", position: int | None = 1, chars: int = 0, at: str | None = None) -> dict:
    return {"kind": kind, "position": position, "chars": chars, "at": at or _at()}


def test_it_stores_a_batch_by_size_without_the_pasted_text(client_for, alice, assessment):
    batch = [
        {**_event("paste", 1, len(PASTED_SECRET)), "text": PASTED_SECRET},  # a chatty client: the text is ignored
        _event("focus_lost", 1, chars=999),
        _event("focus_back", None),
        _event("copy", 4, 12),
    ]
    response = client_for(alice).post(_url(assessment), {"events": batch}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"recorded": 4, "dropped": 0}
    rows = list(IntegrityEvent.objects.filter(session=assessment).order_by("id").values())
    assert [(r["kind"], r["position"], r["chars"]) for r in rows] == [
        ("paste", 1, len(PASTED_SECRET)),
        ("focus_lost", 1, 0),  # sizes belong to pastes and copies only
        ("focus_back", None, 0),
        ("copy", 4, 12),
    ]
    assert "SECRET_PASTED_TEXT" not in str(rows)
    assert all(r["received_at"] >= r["at"] - timedelta(seconds=5) for r in rows)


@pytest.mark.parametrize(
    ("events", "field_path"),
    [
        ([{"kind": "screenshot"}], ("0", "kind")),
        ([{"kind": "focus_lost"}, {"kind": "paste", "position": 99, "chars": 5}], ("1", "position")),
        ([{"kind": "paste", "position": 0, "chars": 5}], ("0", "position")),
        ([{"kind": "paste", "chars": -1}], ("0", "chars")),
        ([{"kind": "focus_lost", "at": "2001-01-01T00:00:00Z"}], ("0", "at")),
        ([{"kind": "focus_lost", "at": "not a time"}], ("0", "at")),
        ([{"kind": "focus_lost"}] * 101, ()),
        ([], ()),
    ],
)
def test_bad_batches_are_refused_whole_with_field_errors(client_for, alice, assessment, events, field_path):
    events = [{"position": 1, "at": _at(), **e} for e in events]
    response = client_for(alice).post(_url(assessment), {"events": events}, format="json")
    assert response.status_code == 400 and error_code(response) == "invalid"
    fields = response.json()["error"]["fields"]["events"]
    for key in field_path:
        fields = fields[key]
    assert fields
    assert not IntegrityEvent.objects.exists()


def test_an_event_from_the_future_is_refused(client_for, alice, assessment):
    response = client_for(alice).post(_url(assessment), {"events": [_event(at=_at(3600))]}, format="json")
    assert response.status_code == 400 and "at" in response.json()["error"]["fields"]["events"]["0"]


def test_only_the_candidate_may_post(client_for, alice, bob, dave, assessment, django_user_model):
    other = django_user_model.objects.create_user("mallory@example.test", "x-correct-horse-9")
    # bob (the inviting recruiter) may read the session, but he is not the candidate.
    for user in (other, dave, bob):
        response = client_for(user).post(_url(assessment), {"events": [_event()]}, format="json")
        assert response.status_code == 404 and error_code(response) == "not_found"
    assert not IntegrityEvent.objects.exists()


def test_a_finished_session_records_nothing(client_for, alice, assessment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        services.session_finish(session_id=assessment.id, reason="candidate")
    response = client_for(alice).post(_url(assessment), {"events": [_event()]}, format="json")
    assert response.status_code == 409 and error_code(response) == "session_closed"
    assert not IntegrityEvent.objects.exists()


def test_a_session_past_its_deadline_records_nothing(client_for, alice, assessment, django_capture_on_commit_callbacks):
    InterviewSession.objects.filter(id=assessment.id).update(deadline=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks():
        response = client_for(alice).post(_url(assessment), {"events": [_event()]}, format="json")
    assert response.status_code == 409 and error_code(response) == "session_closed"


def test_practice_sessions_record_nothing(client_for, alice, template):
    client = client_for(alice)
    session = client.post(f"/api/templates/{template.id}/start/").json()
    response = client.post(f"/api/sessions/{session['id']}/events/", {"events": [_event()]}, format="json")
    assert response.status_code == 409 and error_code(response) == "events_not_recorded"
    assert not IntegrityEvent.objects.exists()


def test_beyond_the_cap_events_are_accepted_dropped_and_counted(client_for, alice, assessment):
    already = services.MAX_EVENTS_PER_SESSION - 3
    IntegrityEvent.objects.bulk_create(
        IntegrityEvent(session=assessment, kind="focus_lost", at=assessment.started_at) for _ in range(already)
    )
    client = client_for(alice)
    first = client.post(_url(assessment), {"events": [_event("paste", chars=i + 1) for i in range(10)]}, format="json")
    assert first.status_code == 200 and first.json() == {"recorded": 3, "dropped": 7}
    second = client.post(_url(assessment), {"events": [_event()] * 5}, format="json")
    assert second.status_code == 200 and second.json() == {"recorded": 0, "dropped": 5}
    assert IntegrityEvent.objects.filter(session=assessment).count() == services.MAX_EVENTS_PER_SESSION
    # The first ones of a batch are kept.
    assert sorted(IntegrityEvent.objects.filter(kind="paste").values_list("chars", flat=True)) == [1, 2, 3]
    assessment.refresh_from_db()
    assert assessment.integrity_events_dropped == 12
    assert selectors.session_integrity_summary(assessment)["dropped"] == 12


# -- the summary -----------------------------------------------------------------------


def _events(session: InterviewSession, *items: tuple[float, str, int | None, int]) -> None:
    """(seconds after the start, kind, position, chars)"""
    IntegrityEvent.objects.bulk_create(
        IntegrityEvent(session=session, kind=kind, position=position, chars=chars, at=session.started_at + timedelta(seconds=s))
        for s, kind, position, chars in items
    )


def _finish_at(session: InterviewSession, seconds: float, score: float | None) -> InterviewSession:
    InterviewSession.objects.filter(id=session.id).update(
        status="finished", finished_at=session.started_at + timedelta(seconds=seconds), score=score
    )
    session.refresh_from_db()
    return session


def test_the_summary_counts_pastes_per_question_and_time_away(assessment):
    code = "total = 0\n" * 30
    text = "Consistent hashing with virtual nodes. " * 7
    assert (len(code), len(text)) == (300, 273)
    services.answer_save(session=assessment, position=1, payload={"source": code}, revision=1)
    services.answer_save(session=assessment, position=4, payload={"text": text}, revision=1)
    _events(
        assessment,
        (10, "paste", 1, 12),
        (60, "focus_lost", 1, 0),
        (61, "focus_lost", 1, 0),  # blur and hidden of one tab switch: one absence
        (90, "focus_back", 1, 0),  # away 30 s
        (95, "focus_back", 1, 0),  # a second return changes nothing
        (120, "paste", 1, 250),  # 250 of 300: most of the final code
        (200, "focus_lost", 4, 0),
        (230, "paste", 4, 100),  # back by then (no return seen): away 30 s
        (240, "focus_back", 4, 0),
        (250, "copy", 2, 40),
        (400, "focus_lost", 4, 0),  # never came back: away until the end, 100 s
    )
    summary = selectors.session_integrity_summary(_finish_at(assessment, 500, score=40.0))
    assert summary["recorded"] is True and summary["count"] == 11 and summary["dropped"] == 0
    assert summary["focus_losses"] == 3
    assert summary["seconds_away"] == 160.0
    assert summary["pastes"] == 3
    by_position = {q["position"]: q for q in summary["questions"]}
    assert by_position[1] == {
        "position": 1,
        "seconds": 0,
        "pastes": 2,
        "largest_paste_chars": 250,
        "pasted_chars": 262,
        "copies": 0,
    }
    assert by_position[4] == {
        "position": 4,
        "seconds": 0,
        "pastes": 1,
        "largest_paste_chars": 100,
        "pasted_chars": 100,
        "copies": 0,
    }
    assert summary["timed"] is False  # no question_shown events: time per question unknown
    assert by_position[2]["copies"] == 1 and by_position[3]["pastes"] == 0
    # Only the code was mostly one paste (250 >= 0.8 * 300); the text was not (100 of 273).
    assert summary["signals"] == [
        {"kind": "answer_mostly_pasted", "position": 1, "answer_chars": len(code), "largest_paste_chars": 250}
    ]


def test_time_per_question_runs_from_opening_it_to_opening_the_next(assessment, client_for, bob):
    _events(
        assessment,
        (0, "question_shown", 1, 0),
        (300, "question_shown", 4, 0),
        (330, "paste", 4, 10),  # other events do not interrupt the question's time
        (900, "question_shown", 1, 0),
        (960, "question_shown", 2, 0),
    )
    session = _finish_at(assessment, 1200, score=50.0)
    summary = selectors.session_integrity_summary(session)
    seconds = {q["position"]: q["seconds"] for q in summary["questions"]}
    assert summary["timed"] is True and seconds == {1: 360, 2: 240, 3: 0, 4: 600}
    assert summary["pastes"] == 1 and summary["focus_losses"] == 0
    report = client_for(bob).get(f"/api/reports/{session.id}/").json()
    assert [q["minutes_spent"] for q in report["questions"]] == [6.0, 4.0, 0.0, 10.0]


def test_an_open_absence_of_a_running_session_lasts_until_now(assessment):
    InterviewSession.objects.filter(id=assessment.id).update(started_at=timezone.now() - timedelta(seconds=100))
    assessment.refresh_from_db()
    _events(assessment, (10, "focus_lost", None, 0))
    summary = selectors.session_integrity_summary(assessment)
    assert summary["focus_losses"] == 1 and 89 <= summary["seconds_away"] <= 100


@pytest.mark.parametrize(
    ("answer_chars", "paste_chars", "flagged"),
    [(300, 240, True), (300, 239, False), (200, 200, True), (199, 199, False)],
)
def test_a_long_answer_mostly_pasted_is_signalled_at_the_thresholds(assessment, answer_chars, paste_chars, flagged):
    services.answer_save(session=assessment, position=4, payload={"text": "x" * answer_chars}, revision=1)
    _events(assessment, (30, "paste", 4, paste_chars))
    summary = selectors.session_integrity_summary(_finish_at(assessment, 1200, score=50.0))
    assert bool(summary["signals"]) is flagged


@pytest.mark.parametrize(
    ("minutes", "score", "flagged"),
    [(4, 85.0, True), (4, 79.0, False), (5, 100.0, False), (4, None, False)],
)
def test_a_very_fast_high_score_is_signalled(assessment, minutes, score, flagged):
    # 30 minutes allotted: under 15 % is under 4.5 minutes.
    summary = selectors.session_integrity_summary(_finish_at(assessment, minutes * 60, score=score))
    fast = [s for s in summary["signals"] if s["kind"] == "fast_high_score"]
    assert bool(fast) is flagged
    if flagged:
        assert fast[0] == {"kind": "fast_high_score", "minutes_used": 4.0, "minutes_allotted": 30.0, "score": score}


def test_the_recruiters_report_includes_the_summary(client_for, alice, bob, assessment, django_capture_on_commit_callbacks):
    client = client_for(alice)
    events = [_event("paste", 1, 80), _event("focus_lost", 1), _event("focus_back", 1), _event("paste", 1, 20)]
    assert client.post(_url(assessment), {"events": events}, format="json").status_code == 200
    with django_capture_on_commit_callbacks():
        services.session_finish(session_id=assessment.id, reason="candidate")
    report = client_for(bob).get(f"/api/reports/{assessment.id}/")
    assert report.status_code == 200
    summary = report.json()["integrity"]["events"]
    assert summary["count"] == 4 and summary["pastes"] == 2 and summary["focus_losses"] == 1
    assert summary["questions"][0] == {
        "position": 1,
        "seconds": 0,
        "pastes": 2,
        "largest_paste_chars": 80,
        "pasted_chars": 100,
        "copies": 0,
    }


def test_the_session_page_tells_assessment_candidates_what_is_recorded(client, alice, assessment, template):
    client.force_login(alice)
    page = client.get(f"/sessions/{assessment.id}/").content.decode()
    assert 'id="integrity-note"' in page and "never the text" in page
    practice = services.practice_start(candidate=alice, template=template)
    assert 'id="integrity-note"' not in client.get(f"/sessions/{practice.id}/").content.decode()
