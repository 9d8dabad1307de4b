"""Organizations' webhooks: signed deliveries to a real local HTTP server, retries with
backoff, the delivery log, SSRF refusals, and which interview events are emitted.

Tasks run by calling them directly (no broker) except in the one test about queuing,
which uses a real Celery worker.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
import uuid
from collections import deque
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from accounts import webhook_services, webhook_transport
from accounts.models import WebhookDelivery, WebhookEndpoint
from accounts.tasks import webhook_delivery_send
from interview import services as interview_services
from interview.models import Answer, InterviewSession, InterviewTemplate, TemplateSection
from questions.models import Question
from tests.conftest import error_code

BOTH = ["session.finished", "session.graded"]


class Receiver:
    """A webhook receiver: scripted (status, delay) replies, every request recorded raw."""

    def __init__(self) -> None:
        self.replies: deque[tuple[int, float]] = deque()
        self.requests: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers.items()), "body": body})
                status, delay = receiver.replies.popleft() if receiver.replies else (200, 0.0)
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/mockloop"

    def reply(self, status: int, *, delay: float = 0.0) -> None:
        self.replies.append((status, delay))

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def signature_valid(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """What a receiver does (docs/api.md): recompute the HMAC, compare in constant time,
    refuse stale timestamps."""
    pairs = [part.split("=", 1) for part in header.split(",")]
    timestamp = int(dict(pairs)["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    # One v1 per secret in use (two during a rotation's grace period): any may match.
    return any(hmac.compare_digest(expected, value) for key, value in pairs if key == "v1")


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def allow_private(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    return settings


@pytest.fixture
def endpoint(carol, receiver, allow_private) -> WebhookEndpoint:
    return webhook_services.webhook_endpoint_create(user=carol, url=receiver.url, events=BOTH)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _emit(organization_id: int, django_capture_on_commit_callbacks, event: str = "session.finished") -> WebhookDelivery:
    with django_capture_on_commit_callbacks() as callbacks:
        deliveries = webhook_services.webhook_event_emit(organization_id=organization_id, event=event, data={"session": 1})
    assert len(deliveries) == 1 and len(callbacks) == 1
    return deliveries[0]


def _make_due(delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(id=delivery.id).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


# -- signing and delivering ------------------------------------------------------------


def test_it_signs_each_delivery_so_the_receiver_can_verify_it(endpoint, receiver, django_capture_on_commit_callbacks):
    delivery = _emit(endpoint.organization_id, django_capture_on_commit_callbacks)

    assert webhook_delivery_send(delivery.id) == "delivered"

    [request] = receiver.requests
    headers = request["headers"]
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "mockloop-webhooks/1"
    assert headers["Mockloop-Event"] == "session.finished"
    assert headers["Mockloop-Delivery"] == str(delivery.event_id)
    body = json.loads(request["body"])
    assert body["id"] == str(delivery.event_id) and body["type"] == "session.finished" and body["data"] == {"session": 1}
    assert signature_valid(endpoint.secret, headers["Mockloop-Signature"], request["body"])
    tampered = request["body"].replace(b'"session":1', b'"session":2')
    assert tampered != request["body"]
    assert not signature_valid(endpoint.secret, headers["Mockloop-Signature"], tampered)
    assert not signature_valid("whsec_someone-else", headers["Mockloop-Signature"], request["body"])

    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.last_status_code == 200 and delivery.delivered_at is not None
    assert [entry["status_code"] for entry in delivery.attempt_log] == [200]
    # Sent once: a duplicate task finds nothing to do.
    assert webhook_delivery_send(delivery.id) is None and len(receiver.requests) == 1


def test_a_500_is_retried_later_and_delivered_on_attempt_2_with_the_same_event_id(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.reply(500)
    receiver.reply(200)
    delivery = _emit(endpoint.organization_id, django_capture_on_commit_callbacks)

    assert webhook_delivery_send(delivery.id) == "pending"
    delivery.refresh_from_db()
    assert delivery.last_status_code == 500 and delivery.last_error == "HTTP 500"
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=20)
    # Not due yet: the sweeper leaves it, and a stray task sends nothing.
    assert delivery.id not in webhook_services.webhook_deliveries_due()
    assert webhook_delivery_send(delivery.id) is None and len(receiver.requests) == 1

    _make_due(delivery)
    assert webhook_services.webhook_deliveries_due() == [delivery.id]
    assert webhook_delivery_send(delivery.id) == "delivered"

    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.status == "delivered"
    assert [(e["attempt"], e["status_code"]) for e in delivery.attempt_log] == [(1, 500), (2, 200)]
    first, second = receiver.requests
    assert first["headers"]["Mockloop-Delivery"] == second["headers"]["Mockloop-Delivery"] == str(delivery.event_id)
    assert first["body"] == second["body"]
    assert all(signature_valid(endpoint.secret, r["headers"]["Mockloop-Signature"], r["body"]) for r in receiver.requests)


def test_an_endpoint_that_is_down_stays_pending_with_backoff_then_fails(
    bob, carol, allow_private, django_capture_on_commit_callbacks
):
    allow_private.WEBHOOK_MAX_ATTEMPTS = 3
    webhook_services.webhook_endpoint_create(user=carol, url=f"http://127.0.0.1:{_closed_port()}/hook", events=BOTH)
    delivery = _emit(bob.organization_id, django_capture_on_commit_callbacks)

    waits = []
    for attempt in (1, 2):
        before = timezone.now()
        assert webhook_delivery_send(delivery.id) == "pending"
        delivery.refresh_from_db()
        assert delivery.attempts == attempt and delivery.last_status_code is None
        assert delivery.last_error.startswith("connection error")
        assert delivery.next_attempt_at > timezone.now()
        waits.append((delivery.next_attempt_at - before).total_seconds())
        _make_due(delivery)
    assert 20 < waits[0] < 40 and 90 < waits[1] < 150  # 30 s then 2 min, with jitter

    assert webhook_delivery_send(delivery.id) == "failed"
    delivery.refresh_from_db()
    assert delivery.next_attempt_at is None and delivery.delivered_at is None
    assert [e["attempt"] for e in delivery.attempt_log] == [1, 2, 3]
    assert delivery.id not in webhook_services.webhook_deliveries_due(now=timezone.now() + timedelta(days=1))


def test_a_slow_endpoint_is_recorded_as_a_timeout_and_retried(endpoint, receiver, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.reply(200, delay=2.0)
    delivery = _emit(endpoint.organization_id, django_capture_on_commit_callbacks)

    assert webhook_delivery_send(delivery.id) == "pending"
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("timeout") and delivery.last_status_code is None
    # The attempt gave up at the timeout, long before the receiver would have answered.
    assert delivery.last_duration_ms < 2000

    _make_due(delivery)
    assert webhook_delivery_send(delivery.id) == "delivered"
    delivery.refresh_from_db()
    assert [e["error"][:7] for e in delivery.attempt_log] == ["timeout", ""]


def test_two_workers_never_send_the_same_attempt(transactional_db, carol, receiver, allow_private):
    receiver.reply(200, delay=0.5)
    endpoint = webhook_services.webhook_endpoint_create(user=carol, url=receiver.url, events=BOTH)
    # Made directly (no task queued): two "workers" below want its first attempt.
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id=uuid.uuid4(), event="session.graded", payload={}, next_attempt_at=timezone.now()
    )
    results: list[str | None] = []

    def worker() -> None:
        from django.db import connection

        try:
            results.append(webhook_services.webhook_delivery_attempt(delivery_id=delivery.id))
        finally:
            connection.close()

    first = threading.Thread(target=worker)
    first.start()
    deadline = time.monotonic() + 10
    while not receiver.requests:  # the first worker's request is in flight (the receiver is slow)
        assert time.monotonic() < deadline
        time.sleep(0.01)
    # A second worker (a duplicate message, the sweeper) finds the attempt taken.
    assert webhook_services.webhook_delivery_attempt(delivery_id=delivery.id) is None
    first.join()
    assert results == ["delivered"] and len(receiver.requests) == 1
    assert WebhookDelivery.objects.get(id=delivery.id).attempts == 1


@pytest.mark.django_db(transaction=True)
def test_an_event_is_delivered_by_a_worker_after_commit(bob, carol, receiver, allow_private, celery_worker):
    webhook_services.webhook_endpoint_create(user=carol, url=receiver.url, events=["session.graded"])
    with transaction.atomic():
        [delivery] = webhook_services.webhook_event_emit(
            organization_id=bob.organization_id, event="session.graded", data={"x": 1}
        )
        time.sleep(0.3)
        assert receiver.requests == []  # nothing leaves before the commit
    deadline = time.monotonic() + 15
    while WebhookDelivery.objects.get(id=delivery.id).status != "delivered":
        assert time.monotonic() < deadline, "the worker never delivered"
        time.sleep(0.05)
    assert len(receiver.requests) == 1


# -- SSRF ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://127.0.0.1:8000/hook", "webhook_url_not_allowed"),
        ("http://localhost/hook", "webhook_url_not_allowed"),
        ("http://169.254.169.254/latest/meta-data/", "webhook_url_not_allowed"),
        ("http://10.1.2.3/hook", "webhook_url_not_allowed"),
        ("http://[::1]:8080/hook", "webhook_url_not_allowed"),
        ("ftp://93.184.215.14/hook", "webhook_url_invalid"),
        ("file:///etc/passwd", "invalid"),
    ],
)
def test_private_and_non_http_urls_are_refused(client_for, carol, url, code):
    response = client_for(carol).post("/api/organization/webhooks/", {"url": url, "events": BOTH}, format="json")
    assert response.status_code == 400 and error_code(response) == code
    assert "url" in response.json()["error"]["fields"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url", ["http://[::ffff:127.0.0.1]/", "http://100.64.0.1/", "http://0.0.0.0/", "http://224.0.0.1/", "http://192.168.1.1/"]
)
def test_disguised_private_addresses_are_refused(url):
    with pytest.raises(webhook_transport.WebhookUrlRejected) as rejected:
        webhook_transport.url_addresses_check(url, allow_private=False)
    assert rejected.value.code == "webhook_url_not_allowed"


def test_public_addresses_pass_the_check():
    assert webhook_transport.url_addresses_check("https://93.184.215.14:8443/hook", allow_private=False) == ["93.184.215.14"]


def test_a_host_is_checked_again_at_send_time(endpoint, receiver, settings, django_capture_on_commit_callbacks):
    delivery = _emit(endpoint.organization_id, django_capture_on_commit_callbacks)
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False

    assert webhook_delivery_send(delivery.id) == "pending"
    delivery.refresh_from_db()
    assert "private" in delivery.last_error and receiver.requests == []


def test_the_connection_goes_to_the_checked_address_under_the_url_host_name(
    bob, carol, receiver, allow_private, django_capture_on_commit_callbacks
):
    webhook_services.webhook_endpoint_create(user=carol, url=f"http://localhost:{receiver.port}/hooks", events=BOTH)
    delivery = _emit(bob.organization_id, django_capture_on_commit_callbacks)
    assert webhook_delivery_send(delivery.id) == "delivered"
    assert receiver.requests[0]["headers"]["Host"] == f"localhost:{receiver.port}"


def test_the_retry_schedule_grows_and_is_capped():
    import random

    rng = random.Random(1)
    delays = [webhook_transport.retry_delay(n, rng) for n in range(1, 9)]
    for delay, nominal in zip(delays, [30, 120, 480, 1920, 7680, 14400, 14400, 14400], strict=True):
        assert nominal * 0.8 <= delay <= nominal * 1.2


# -- the API ---------------------------------------------------------------------------


def test_the_secret_is_shown_at_creation_and_rotation_only(client_for, carol, bob, receiver, allow_private):
    created = client_for(carol).post("/api/organization/webhooks/", {"url": receiver.url, "events": BOTH}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["events"] == BOTH and body["created_by"] == "carol@acme.test"

    listed = client_for(bob).get("/api/organization/webhooks/").json()
    assert [e["id"] for e in listed] == [body["id"]] and "secret" not in listed[0]
    assert body["secret"] not in json.dumps(listed)

    rotated = client_for(carol).post(f"/api/organization/webhooks/{body['id']}/rotate-secret/")
    assert rotated.status_code == 200 and rotated.json()["secret"] != body["secret"]
    assert WebhookEndpoint.objects.get(id=body["id"]).secret == rotated.json()["secret"]


def test_rotating_the_secret_without_grace_signs_the_next_attempts_with_the_new_one_only(
    endpoint, receiver, client_for, carol, django_capture_on_commit_callbacks
):
    old = endpoint.secret
    delivery = _emit(endpoint.organization_id, django_capture_on_commit_callbacks)
    new = (
        client_for(carol)
        .post(f"/api/organization/webhooks/{endpoint.id}/rotate-secret/", {"grace_hours": 0}, format="json")
        .json()["secret"]
    )
    webhook_delivery_send(delivery.id)
    request = receiver.requests[0]
    assert signature_valid(new, request["headers"]["Mockloop-Signature"], request["body"])
    assert not signature_valid(old, request["headers"]["Mockloop-Signature"], request["body"])


def test_a_recruiter_reads_webhooks_over_the_api_but_only_admins_change_them(
    endpoint, client_for, bob, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    delivery = _emit(endpoint.organization_id, django_capture_on_commit_callbacks)
    WebhookDelivery.objects.filter(id=delivery.id).update(status="failed")
    client = client_for(bob)
    assert [e["id"] for e in client.get("/api/organization/webhooks/").json()] == [endpoint.id]
    assert client.get(f"/api/organization/webhooks/{endpoint.id}/deliveries/").json()["count"] == 1
    changes = [
        client.post("/api/organization/webhooks/", {"url": receiver.url, "events": BOTH}, format="json"),
        client.post(f"/api/organization/webhooks/{endpoint.id}/rotate-secret/", {"grace_hours": 0}, format="json"),
        client.post(f"/api/organization/webhooks/deliveries/{delivery.id}/redeliver/"),
        client.delete(f"/api/organization/webhooks/{endpoint.id}/"),
    ]
    for response in changes:
        assert response.status_code == 403 and error_code(response) == "webhooks_admin_only"
    assert list(WebhookEndpoint.objects.values_list("id", "secret")) == [(endpoint.id, endpoint.secret)]
    assert WebhookDelivery.objects.get(id=delivery.id).status == "failed"


def test_answers_with_a_secret_are_never_cached(client_for, carol, receiver, allow_private):
    created = client_for(carol).post("/api/organization/webhooks/", {"url": receiver.url, "events": BOTH}, format="json")
    assert created.status_code == 201 and "no-store" in created["Cache-Control"]


def test_an_endpoint_outlives_its_removed_author_and_says_so(client_for, carol, bob, receiver, allow_private):
    from accounts import services

    bob = services.organization_member_role_change(changed_by=carol, member=bob, role="org_admin")
    endpoint = webhook_services.webhook_endpoint_create(user=bob, url=receiver.url, events=BOTH)
    assert client_for(carol).get("/api/organization/webhooks/").json()[0]["created_by_removed"] is False
    services.organization_member_remove(removed_by=carol, member=bob)
    listed = client_for(carol).get("/api/organization/webhooks/").json()
    assert listed[0]["created_by"] == "bob@acme.test" and listed[0]["created_by_removed"] is True
    assert WebhookEndpoint.objects.get(id=endpoint.id).is_active


def test_a_private_host_is_refused_without_naming_its_address(client_for, carol, monkeypatch):
    import socket

    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("172.18.0.5", 80))])
    response = client_for(carol).post(
        "/api/organization/webhooks/", {"url": "http://redis.internal.example/", "events": BOTH}, format="json"
    )
    assert response.status_code == 400 and error_code(response) == "webhook_url_not_allowed"
    assert "172.18" not in json.dumps(response.json())
    assert response.json()["error"]["message"].startswith("this URL points to a private or reserved address")


def test_unknown_events_are_refused(client_for, carol, allow_private, receiver):
    response = client_for(carol).post(
        "/api/organization/webhooks/", {"url": receiver.url, "events": ["session.deleted"]}, format="json"
    )
    assert response.status_code == 400 and error_code(response) == "invalid"


def test_an_organization_has_a_bounded_number_of_endpoints(client_for, carol, allow_private, receiver):
    client = client_for(carol)
    for _ in range(webhook_services.MAX_ENDPOINTS_PER_ORGANIZATION):
        assert client.post("/api/organization/webhooks/", {"url": receiver.url, "events": BOTH}, format="json").status_code == 201
    response = client.post("/api/organization/webhooks/", {"url": receiver.url, "events": BOTH}, format="json")
    assert response.status_code == 409 and error_code(response) == "too_many_webhooks"


def test_candidates_cannot_use_webhooks(client_for, alice, allow_private, receiver):
    client = client_for(alice)
    assert client.get("/api/organization/webhooks/").status_code == 403
    response = client.post("/api/organization/webhooks/", {"url": receiver.url, "events": BOTH}, format="json")
    assert response.status_code == 403 and error_code(response) == "permission_denied"


def test_another_organization_cannot_see_or_touch_the_endpoints_or_deliveries(
    endpoint, client_for, dave, erin, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    delivery = _emit(endpoint.organization_id, django_capture_on_commit_callbacks)
    WebhookDelivery.objects.filter(id=delivery.id).update(status="failed")
    for user in (dave, erin):
        client = client_for(user)
        assert client.get("/api/organization/webhooks/").json() == []
        assert client.get(f"/api/organization/webhooks/{endpoint.id}/deliveries/").status_code == 404
        assert client.post(f"/api/organization/webhooks/{endpoint.id}/rotate-secret/").status_code == 404
        assert client.post(f"/api/organization/webhooks/deliveries/{delivery.id}/redeliver/").status_code == 404
        response = client.delete(f"/api/organization/webhooks/{endpoint.id}/")
        assert response.status_code == 404 and error_code(response) == "not_found"
    assert WebhookEndpoint.objects.get(id=endpoint.id).secret == endpoint.secret
    assert WebhookDelivery.objects.get(id=delivery.id).status == "failed"


def test_the_delivery_log_is_newest_first_and_paginated(endpoint, client_for, bob, django_capture_on_commit_callbacks):
    ids = [_emit(endpoint.organization_id, django_capture_on_commit_callbacks).id for _ in range(3)]
    page = client_for(bob).get(f"/api/organization/webhooks/{endpoint.id}/deliveries/?page_size=2").json()
    assert page["count"] == 3 and [d["id"] for d in page["results"]] == [ids[2], ids[1]]
    assert page["results"][0]["status"] == "pending" and page["results"][0]["payload"]["type"] == "session.finished"
    rest = client_for(bob).get(page["next"]).json()
    assert [d["id"] for d in rest["results"]] == [ids[0]]


def test_a_failed_delivery_can_be_sent_again_with_the_same_event_id(
    endpoint, receiver, client_for, carol, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.reply(503)
    delivery = _emit(endpoint.organization_id, django_capture_on_commit_callbacks)
    assert webhook_delivery_send(delivery.id) == "failed"

    url = f"/api/organization/webhooks/deliveries/{delivery.id}/redeliver/"
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(carol).post(url)
    assert response.status_code == 202 and response.json()["status"] == "pending" and len(callbacks) == 1
    again = client_for(carol).post(url)
    assert again.status_code == 409 and error_code(again) == "delivery_not_failed"

    assert webhook_delivery_send(delivery.id) == "delivered"
    delivery.refresh_from_db()
    assert [e["status_code"] for e in delivery.attempt_log] == [503, 200]
    assert {r["headers"]["Mockloop-Delivery"] for r in receiver.requests} == {str(delivery.event_id)}


def test_deleting_an_endpoint_drops_its_pending_deliveries(
    endpoint, receiver, client_for, carol, django_capture_on_commit_callbacks
):
    delivery = _emit(endpoint.organization_id, django_capture_on_commit_callbacks)
    assert client_for(carol).delete(f"/api/organization/webhooks/{endpoint.id}/").status_code == 204
    assert webhook_delivery_send(delivery.id) is None and receiver.requests == []


# -- which events interviews emit ------------------------------------------------------


def _org_template(acme, *slugs: str) -> InterviewTemplate:
    template = InterviewTemplate.objects.create(organization=acme, slug="screen", title="Acme screen", total_minutes=30)
    section = TemplateSection.objects.create(template=template, position=1, title="All")
    for slug in slugs:
        section.questions.add(Question.objects.get(slug=slug))
    return template


def _assessment(bob, alice, template, django_capture_on_commit_callbacks) -> InterviewSession:
    with django_capture_on_commit_callbacks():
        _, token = interview_services.assessment_invite_create(invited_by=bob, template=template, email=alice.email)
    return interview_services.assessment_start(token=token, candidate=alice)


def _events() -> list[str]:
    return list(WebhookDelivery.objects.order_by("id").values_list("event", flat=True))


def test_finishing_an_assessment_emits_session_finished_once_and_grading_session_graded_once(
    endpoint, bob, alice, acme, bank, django_capture_on_commit_callbacks
):
    template = _org_template(acme, "pick-metric", "design-cache")
    session = _assessment(bob, alice, template, django_capture_on_commit_callbacks)
    answer = Answer.objects.get(session_question__session=session, session_question__position=2)
    answer.payload = {"text": "SECRET-ANSWER-TEXT: an LRU cache with a TTL"}
    answer.save()

    with django_capture_on_commit_callbacks():
        interview_services.session_finish(session_id=session.id, reason="candidate")
        interview_services.session_finish(session_id=session.id, reason="candidate")  # idempotent
    assert _events() == ["session.finished"]  # the written answer still waits for its grade
    finished = WebhookDelivery.objects.get()
    data = finished.payload["data"]
    assert data == {
        "session": session.id,
        "template": {"id": template.id, "title": "Acme screen"},
        "candidate": {"email": "alice@example.test", "name": "Alice"},
        "status": "finished",
        "finish_reason": "candidate",
        "finished_at": data["finished_at"],
        "score": None,
        "report_url": f"/api/reports/{session.id}/",
    }
    assert "SECRET-ANSWER-TEXT" not in json.dumps(finished.payload)

    Answer.objects.filter(id=answer.id).update(grade_status=Answer.GradeStatus.GRADED, score=50.0)
    with django_capture_on_commit_callbacks():
        interview_services.session_score_update(session_id=session.id)
        interview_services.session_score_update(session_id=session.id)  # a regrade: the score already exists
    assert _events() == ["session.finished", "session.graded"]
    graded = WebhookDelivery.objects.get(event="session.graded")
    assert graded.payload["data"]["score"] == InterviewSession.objects.get(id=session.id).score
    assert graded.event_id != finished.event_id


def test_an_assessment_graded_at_once_emits_both_events(endpoint, bob, alice, acme, bank, django_capture_on_commit_callbacks):
    session = _assessment(bob, alice, _org_template(acme, "pick-metric", "auc-value"), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks():
        interview_services.session_finish(session_id=session.id, reason="candidate")
    assert _events() == ["session.finished", "session.graded"]
    assert WebhookDelivery.objects.get(event="session.graded").payload["data"]["score"] is not None


def test_an_endpoint_only_gets_the_events_it_subscribed_to(
    bob, carol, alice, acme, bank, receiver, allow_private, django_capture_on_commit_callbacks
):
    only_graded = webhook_services.webhook_endpoint_create(user=carol, url=receiver.url, events=["session.graded"])
    session = _assessment(bob, alice, _org_template(acme, "pick-metric"), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks():
        interview_services.session_finish(session_id=session.id, reason="candidate")
    assert list(WebhookDelivery.objects.values_list("endpoint", "event")) == [(only_graded.id, "session.graded")]


def test_practice_sessions_emit_nothing(endpoint, bob, acme, bank, django_capture_on_commit_callbacks):
    template = InterviewTemplate.objects.create(slug="public-mini", title="Public mini", total_minutes=30)
    TemplateSection.objects.create(template=template, position=1, title="All").questions.add(
        Question.objects.get(slug="pick-metric")
    )
    session = interview_services.practice_start(candidate=bob, template=template)
    # Even a practice session somehow tied to the organization stays private.
    InterviewSession.objects.filter(id=session.id).update(organization=acme)
    with django_capture_on_commit_callbacks():
        interview_services.session_finish(session_id=session.id, reason="candidate")
    assert InterviewSession.objects.get(id=session.id).score is not None
    assert _events() == []


def test_a_rolled_back_transaction_emits_nothing(endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        with transaction.atomic():
            webhook_services.webhook_event_emit(organization_id=endpoint.organization_id, event="session.finished", data={})
            raise RuntimeError("the change that caused the event failed")
    assert callbacks == [] and not WebhookDelivery.objects.exists()
