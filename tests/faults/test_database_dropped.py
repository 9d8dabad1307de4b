"""Fault: the web server's database connection is dropped during a candidate's save.

The app is a real gunicorn process with a persistent connection (CONN_MAX_AGE). The
save is held on a row lock taken from a second connection, and the app's backend is
then killed with pg_terminate_backend: the drop lands in the middle of the save.
"""

from __future__ import annotations

import threading

import psycopg
import pytest
import requests
from django.db import connection
from rest_framework.authtoken.models import Token

from grading.models import AnswerGrade
from interview import services as interview_services
from interview.models import Answer, InterviewSession
from interview.services import answer_rubric_grade
from tests.faults.conftest import interview_template, subprocess_database_url, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

FIRST = "Shard keys with consistent hashing."
SECOND = "Shard keys with consistent hashing and virtual nodes."
THIRD = "Shard keys with consistent hashing and virtual nodes. Evict with LRU eviction and a TTL per key."
FOURTH = THIRD + " Replicate each shard to a follower."


def _app_backends(admin: psycopg.Connection, *, ours: set[int], waiting: bool) -> list[int]:
    """Backends of the test database that are not this test's own: the web server's."""
    condition = "AND wait_event_type = 'Lock'" if waiting else ""
    rows = admin.execute(
        f"SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> ALL(%s) {condition}",  # noqa: S608
        [list(ours)],
    ).fetchall()
    return [pid for (pid,) in rows]


def test_a_save_cut_off_by_a_dropped_connection_is_a_json_503_and_the_next_save_lands(alice, bank, start_web):
    session = interview_services.practice_start(candidate=alice, template=interview_template("design-cache"))
    base = start_web()
    http = requests.Session()
    http.headers["Authorization"] = f"Token {Token.objects.create(user=alice).key}"
    url = f"{base}/api/sessions/{session.id}/answers/1/"

    def save(text: str, revision: int) -> requests.Response:
        return http.put(url, json={"payload": {"text": text}, "revision": revision}, timeout=30)

    assert save(FIRST, 1).status_code == 200

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (django_pid,) = cursor.fetchone()
    conninfo = subprocess_database_url()
    with psycopg.connect(conninfo, autocommit=True) as admin, psycopg.connect(conninfo) as locker:
        ours = {django_pid, admin.info.backend_pid, locker.info.backend_pid}
        # Hold the session's row: the next save waits on it, inside its transaction.
        locker.execute("SELECT id FROM interview_interviewsession WHERE id = %s FOR UPDATE", [session.id])
        cut: dict[str, requests.Response] = {}
        saving = threading.Thread(target=lambda: cut.setdefault("response", save(SECOND, 2)))
        saving.start()
        try:
            (app_pid,) = wait_for(
                "the save to wait on the row lock", lambda: _app_backends(admin, ours=ours, waiting=True), seconds=15
            )
            admin.execute("SELECT pg_terminate_backend(%s)", [app_pid])
        finally:
            locker.rollback()
            saving.join(timeout=30)
        response = cut["response"]
        # A clear, retryable error in the API's shape, not a crash page.
        assert response.status_code == 503, response.text[:500]
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["Retry-After"] == "2"
        assert response.json()["error"]["code"] == "database_unavailable"
        # The cut-off save changed nothing.
        answer = Answer.objects.get(session_question__session=session)
        assert (answer.revision, answer.payload) == (1, {"text": FIRST})

        # The page retries with its next revision: the server has reconnected.
        third = save(THIRD, 3)
        assert third.status_code == 200 and third.json()["revision"] == 3

        # A connection dropped between requests is not even seen: the health check
        # at the start of the next request replaces it.
        for pid in _app_backends(admin, ours=ours, waiting=False):
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        fourth = save(FOURTH, 4)
        assert fourth.status_code == 200 and fourth.json()["revision"] == 4

    # The cut-off save, sent again late, never takes the answer backwards.
    late = save(SECOND, 2)
    assert late.status_code == 200 and late.json() | {"saved_at": None} == {
        "revision": 4,
        "payload": {"text": FOURTH},
        "saved_at": None,
    }

    finish = http.post(f"{base}/api/sessions/{session.id}/finish/", timeout=30)
    assert finish.status_code == 200, finish.text[:500]
    answer = Answer.objects.get(session_question__session=session)
    assert (answer.revision, answer.payload) == (4, {"text": FOURTH})
    # Graded on the latest answer, once (the local grader: no LLM is configured here).
    grade = answer_rubric_grade(answer_id=answer.id)
    assert AnswerGrade.objects.filter(answer=answer).count() == 1 and grade.grader == "local"
    assert InterviewSession.objects.get(id=session.id).score is not None
