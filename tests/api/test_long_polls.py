"""Long polls are pushed, not polled (config/notify.py): ``GET /api/submissions/{id}/?wait=N``
answers as soon as a worker stores the result, and ``GET /api/sessions/{id}/results/?wait=N``
as soon as a grade changes, each reading the database once before waiting and once after
(no re-reading on a timer); without Redis both fall back to reading once a second."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config import notify
from grading import rubric_services
from grading import services as grading_services
from grading.models import AnswerGrade, Submission
from interview.models import Answer
from interview.services.scoring import answer_rubric_grade, answer_rubric_grade_apply, session_grading_channel
from questions.models import Question
from tests.conftest import error_code
from tests.interview.conftest import position_of, start
from tests.interview.results_session import TEXT, results_template

__all__ = ["results_template"]

RIGHT = "def count_pairs(nums, target):\n    seen = {}\n    total = 0\n    for v in nums:\n        total += seen.get(target - v, 0)\n        seen[v] = seen.get(v, 0) + 1\n    return total\n"
UNREACHABLE = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _fresh_notify_state():
    notify._down_until.clear()
    yield
    notify._down_until.clear()


def _in_a_thread(delay: float, action) -> tuple[threading.Thread, dict]:
    """Runs ``action`` after ``delay`` seconds on a thread of its own (with its own database
    connection, closed after), as a worker would; what it did and when is in the dict."""
    done: dict = {}

    def run() -> None:
        try:
            time.sleep(delay)
            done["value"] = action()
            done["at"] = timezone.now()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            done["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, done


def _reads_of(queries: CaptureQueriesContext, table: str) -> int:
    return sum(
        1 for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT") and f'FROM "{table}"' in q["sql"]
    )


def _queued_submission(alice) -> Submission:
    return grading_services.submission_create(
        user=alice, question=Question.objects.get(slug="sum-pairs"), source=RIGHT, mode=Submission.Mode.SUBMIT
    )


# -- the submission's long poll ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_submission_long_poll_answers_as_soon_as_a_worker_stores_the_result(client_for, alice, bank):
    submission = _queued_submission(alice)
    api = client_for(alice)
    thread, worker = _in_a_thread(1.0, lambda: grading_services.submission_run(submission_id=submission.id, worker="test-thread"))
    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        body = api.get(f"/api/submissions/{submission.id}/?wait=20").json()
    answered_at = timezone.now()
    elapsed = time.monotonic() - started
    thread.join(60)
    assert "error" not in worker, worker.get("error")
    assert body["status"] == "finished" and body["verdict"] == "accepted" and body["score"] == 100
    stored_at = Submission.objects.get(id=submission.id).finished_at
    # Answered on the store's heels, long before the wait's 20 s were up...
    assert (answered_at - stored_at).total_seconds() < 1.0
    assert elapsed >= 1.0 and elapsed < 20
    # ...and the row was read before the wait and once after the news, not every 0.2 s.
    assert _reads_of(queries, "grading_submission") <= 3, [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db
def test_a_submission_long_poll_with_nothing_happening_reads_twice_in_its_wait(client_for, alice, bank):
    submission = _queued_submission(alice)
    api = client_for(alice)
    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        body = api.get(f"/api/submissions/{submission.id}/?wait=2").json()
    assert 2 <= time.monotonic() - started < 5
    assert body["status"] == "queued"
    # A read loop at 0.2 s would read the row 10 times in 2 s.
    assert _reads_of(queries, "grading_submission") == 2
    assert len(queries) <= 4, [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db(transaction=True)
def test_without_redis_the_submission_long_poll_reads_once_a_second(client_for, alice, bank, settings):
    settings.NOTIFY_URL = UNREACHABLE
    submission = _queued_submission(alice)
    api = client_for(alice)
    thread, worker = _in_a_thread(1.5, lambda: grading_services.submission_run(submission_id=submission.id, worker="test-thread"))
    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        body = api.get(f"/api/submissions/{submission.id}/?wait=20").json()
    elapsed = time.monotonic() - started
    thread.join(60)
    assert "error" not in worker, worker.get("error")
    assert body["status"] == "finished"
    stored_at = Submission.objects.get(id=submission.id).finished_at
    assert (timezone.now() - stored_at).total_seconds() < 2.5  # found at the next read, a second at most
    reads = _reads_of(queries, "grading_submission")
    assert 2 <= reads <= elapsed / notify.FALLBACK_INTERVAL_SECONDS + 2, (reads, elapsed)


@pytest.mark.django_db
def test_the_submission_long_poll_still_refuses_a_bad_wait(client_for, alice, bank):
    submission = _queued_submission(alice)
    api = client_for(alice)
    for wait in ("-1", "nan", "soon"):
        response = api.get(f"/api/submissions/{submission.id}/?wait={wait}")
        assert response.status_code == 400 and error_code(response) == "invalid"


# -- the results page's long poll ---------------------------------------------------------


def _finished_practice_with_a_written_answer_pending(client, template) -> tuple[int, int]:
    """Objective answers graded at once, no code written (graded 0 at once), the written
    answer waiting for the rubric grader: (session id, the written answer's position)."""
    session = start(client, template)
    sid = session["id"]
    written = position_of(session, "free_text")
    for position, payload in (
        (position_of(session, "coding"), {"source": ""}),
        (position_of(session, "multiple_choice"), {"selected": []}),
        (position_of(session, "numeric"), {"value": 0.5}),
        (written, {"text": TEXT}),
    ):
        response = client.put(f"/api/sessions/{sid}/answers/{position}/", {"payload": payload, "revision": 1}, format="json")
        assert response.status_code == 200, response.json()
    assert client.post(f"/api/sessions/{sid}/finish/").status_code == 200
    return sid, written


def _written_answer(sid: int, position: int) -> Answer:
    return Answer.objects.get(session_question__session_id=sid, session_question__position=position)


@pytest.mark.django_db(transaction=True)
def test_the_results_long_poll_answers_as_soon_as_a_grade_arrives(client_for, alice, results_template, settings):
    settings.OPENAI_API_KEY = settings.OPENAI_BASE_URL = ""  # the local grader
    client = client_for(alice)
    sid, written = _finished_practice_with_a_written_answer_pending(client, results_template)
    before = client.get(f"/api/sessions/{sid}/results/").json()
    assert before["graded"] is False and before["grading_state"]
    answer_id = _written_answer(sid, written).id
    thread, grader = _in_a_thread(1.0, lambda: answer_rubric_grade(answer_id=answer_id))
    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        after = client.get(f"/api/sessions/{sid}/results/?wait=20&since={before['grading_state']}").json()
    answered_at = timezone.now()
    elapsed = time.monotonic() - started
    thread.join(60)
    assert "error" not in grader, grader.get("error")
    assert after["graded"] is True and after["score"] is not None
    assert after["grading_state"] != before["grading_state"]
    assert next(q for q in after["questions"] if q["position"] == written)["grade_status"] == "graded"
    assert 1.0 <= elapsed < 20
    assert (answered_at - grader["at"]).total_seconds() < 1.0
    # Read before the wait and after the news; not on a timer.
    assert _reads_of(queries, "interview_sessionquestion") <= 3


@pytest.mark.django_db
def test_the_results_long_poll_holds_while_nothing_changes_and_answers_a_stale_state_at_once(client_for, alice, results_template):
    client = client_for(alice)
    sid, _ = _finished_practice_with_a_written_answer_pending(client, results_template)
    state = client.get(f"/api/sessions/{sid}/results/").json()["grading_state"]

    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        held = client.get(f"/api/sessions/{sid}/results/?wait=1.5&since={state}").json()
    assert 1.5 <= time.monotonic() - started < 5
    assert held["grading_state"] == state and held["graded"] is False
    assert _reads_of(queries, "interview_sessionquestion") == 2

    # The caller saw an older state: what changed since is answered at once.
    started = time.monotonic()
    stale = client.get(f"/api/sessions/{sid}/results/?wait=20&since=0000000000000000").json()
    assert time.monotonic() - started < 1.0
    assert stale["grading_state"] == state

    # No wait: at once, as before.
    started = time.monotonic()
    assert client.get(f"/api/sessions/{sid}/results/").status_code == 200
    assert time.monotonic() - started < 1.0


@pytest.mark.django_db
def test_the_results_long_poll_answers_at_once_once_everything_is_graded(client_for, alice, results_template, settings):
    settings.OPENAI_API_KEY = settings.OPENAI_BASE_URL = ""
    client = client_for(alice)
    sid, written = _finished_practice_with_a_written_answer_pending(client, results_template)
    answer_rubric_grade(answer_id=_written_answer(sid, written).id)
    graded = client.get(f"/api/sessions/{sid}/results/").json()
    assert graded["graded"] is True
    started = time.monotonic()
    again = client.get(f"/api/sessions/{sid}/results/?wait=20&since={graded['grading_state']}").json()
    assert time.monotonic() - started < 1.0
    assert again["grading_state"] == graded["grading_state"]


@pytest.mark.django_db
def test_the_results_long_poll_refuses_a_bad_wait(client_for, alice, results_template):
    client = client_for(alice)
    sid, _ = _finished_practice_with_a_written_answer_pending(client, results_template)
    for wait in ("-1", "inf", "later"):
        response = client.get(f"/api/sessions/{sid}/results/?wait={wait}")
        assert response.status_code == 400 and error_code(response) == "invalid"


# -- who publishes ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_grade_published_on_the_session_channel_only_once_committed(
    client_for, alice, results_template, settings, django_capture_on_commit_callbacks
):
    settings.OPENAI_API_KEY = settings.OPENAI_BASE_URL = ""
    client = client_for(alice)
    sid, written = _finished_practice_with_a_written_answer_pending(client, results_template)
    answer = _written_answer(sid, written)
    with notify.notify_listen(session_grading_channel(sid)) as listener:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            answer_rubric_grade(answer_id=answer.id)
        assert listener.wait(0.3) is False
        for callback in callbacks:
            callback()
        assert listener.wait(5) is True


@pytest.mark.django_db
def test_a_coding_follow_ups_grade_is_published_on_the_session_channel(
    client_for, alice, results_template, django_capture_on_commit_callbacks
):
    # Never in the score, but the results page waits for it (follow_ups_pending).
    client = client_for(alice)
    sid, _ = _finished_practice_with_a_written_answer_pending(client, results_template)
    coding = Answer.objects.get(session_question__session_id=sid, session_question__question_version__question__kind="coding")
    grade = AnswerGrade.objects.create(
        answer=coding,
        question_version=coding.session_question.question_version,
        part=rubric_services.FOLLOW_UP_PART,
        grader="local",
        prompt_version="test",
        rubric_hash="test",
        cache_key=uuid.uuid4().hex,
        status=AnswerGrade.Status.values[0],
    )
    with notify.notify_listen(session_grading_channel(sid)) as listener:
        with django_capture_on_commit_callbacks(execute=True):
            answer_rubric_grade_apply(answer_id=coding.id, grade_id=grade.id)
        assert listener.wait(5) is True
    coding.refresh_from_db()
    assert coding.score == 0.0  # the tests' score (no code) stands


@pytest.mark.django_db
def test_a_runs_end_is_published_on_its_submission_channel(alice, bank, django_capture_on_commit_callbacks):
    submission = grading_services.submission_create(
        user=alice, question=Question.objects.get(slug="sum-pairs"), source=RIGHT, mode=Submission.Mode.RUN
    )
    with notify.notify_listen(grading_services.submission_channel(submission.id)) as listener:
        with django_capture_on_commit_callbacks(execute=True):
            grading_services.submission_fail(submission_id=submission.id, reason="test")
        assert listener.wait(5) is True
