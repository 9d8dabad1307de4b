"""Rotating a webhook's secret with a grace period: during it every delivery is signed
with the new and the old secret (two ``v1=``), after it with the new one only; without
grace the old one stops at once. Verified with the receiver algorithm of docs/api.md."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts import webhook_services, webhook_transport
from accounts.models import WebhookEndpoint
from accounts.tasks import webhook_deliveries_send_due, webhook_delivery_send
from tests.accounts.test_webhooks import BOTH, Receiver, _emit
from tests.conftest import error_code

TOLERANCE_SECONDS = 300


def mockloop_signature_valid(secret: str, header: str, body: bytes) -> bool:
    """The receiver's check exactly as docs/api.md gives it (the test below keeps them equal)."""
    try:
        pairs = [part.split("=", 1) for part in header.split(",")]
        timestamp = int(dict(pairs)["t"])
        signatures = [value for key, value in pairs if key == "v1"]
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    # Two v1 values during a secret rotation's grace period: one matches whichever secret you hold.
    return any(hmac.compare_digest(expected, signature) for signature in signatures)


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def endpoint(carol, receiver, settings) -> WebhookEndpoint:
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    return webhook_services.webhook_endpoint_create(user=carol, url=receiver.url, events=BOTH)


def _send(endpoint, receiver, callbacks) -> tuple[str, bytes]:
    delivery = _emit(endpoint.organization_id, callbacks)
    assert webhook_delivery_send(delivery.id) == "delivered"
    request = receiver.requests[-1]
    return request["headers"]["Mockloop-Signature"], request["body"]


def test_the_documented_receiver_algorithm_is_the_one_tested_here():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    import inspect

    source = inspect.getsource(mockloop_signature_valid)
    body = source.split('"""', 2)[2]
    assert body.strip() in docs


def test_the_header_carries_one_v1_per_secret_the_current_first():
    header = webhook_transport.signature_header(secret="new", body=b"{}", timestamp=1700000000, extra_secrets=["old"])
    assert re.fullmatch(r"t=1700000000,v1=[0-9a-f]{64},v1=[0-9a-f]{64}", header)
    new_digest = hmac.new(b"new", b"1700000000.{}", hashlib.sha256).hexdigest()
    old_digest = hmac.new(b"old", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={new_digest},v1={old_digest}"
    assert webhook_transport.signature_header(secret="new", body=b"{}", timestamp=1700000000) == f"t=1700000000,v1={new_digest}"


def test_during_the_grace_both_secrets_verify_and_after_it_only_the_new(
    carol, endpoint, receiver, django_capture_on_commit_callbacks
):
    old = endpoint.secret
    rotated = webhook_services.webhook_endpoint_secret_rotate(user=carol, endpoint=endpoint, grace_hours=24)
    new = rotated.secret
    assert new != old and rotated.previous_secret == old
    assert abs((rotated.grace_ends_at - timezone.now()) - timedelta(hours=24)) < timedelta(minutes=1)

    header, body = _send(endpoint, receiver, django_capture_on_commit_callbacks)
    assert header.count("v1=") == 2
    assert mockloop_signature_valid(new, header, body)
    assert mockloop_signature_valid(old, header, body)
    assert not mockloop_signature_valid("whsec_someone-else", header, body)
    assert not mockloop_signature_valid(old, header, body.replace(b'"session":1', b'"session":2'))

    # The grace period ends.
    WebhookEndpoint.objects.filter(id=endpoint.id).update(previous_secret_expires_at=timezone.now() - timedelta(seconds=1))
    header, body = _send(endpoint, receiver, django_capture_on_commit_callbacks)
    assert header.count("v1=") == 1
    assert mockloop_signature_valid(new, header, body)
    assert not mockloop_signature_valid(old, header, body)
    assert WebhookEndpoint.objects.get(id=endpoint.id).grace_ends_at is None
    # ...and the expired secret, used no more, is erased when the delivery is signed.
    assert WebhookEndpoint.objects.get(id=endpoint.id).previous_secret == ""


def test_the_sweep_erases_replaced_secrets_whose_grace_ended(carol, endpoint):
    webhook_services.webhook_endpoint_secret_rotate(user=carol, endpoint=endpoint, grace_hours=24)
    in_grace = webhook_services.webhook_endpoint_create(user=carol, url=endpoint.url, events=BOTH)
    webhook_services.webhook_endpoint_secret_rotate(user=carol, endpoint=in_grace, grace_hours=24)
    WebhookEndpoint.objects.filter(id=endpoint.id).update(previous_secret_expires_at=timezone.now() - timedelta(seconds=1))

    webhook_deliveries_send_due()

    expired = WebhookEndpoint.objects.get(id=endpoint.id)
    assert expired.previous_secret == "" and expired.previous_secret_expires_at is None
    assert WebhookEndpoint.objects.get(id=in_grace.id).previous_secret != ""  # still in its grace


def test_rotating_with_no_grace_drops_the_old_secret_at_once(carol, endpoint, receiver, django_capture_on_commit_callbacks):
    webhook_services.webhook_endpoint_secret_rotate(user=carol, endpoint=endpoint, grace_hours=24)
    during = WebhookEndpoint.objects.get(id=endpoint.id)
    leaked = webhook_services.webhook_endpoint_secret_rotate(user=carol, endpoint=during, grace_hours=0)
    assert leaked.previous_secret == "" and leaked.grace_ends_at is None
    header, body = _send(endpoint, receiver, django_capture_on_commit_callbacks)
    assert header.count("v1=") == 1
    assert mockloop_signature_valid(leaked.secret, header, body)
    assert not mockloop_signature_valid(during.secret, header, body)
    assert not mockloop_signature_valid(endpoint.secret, header, body)


def test_a_second_rotation_in_the_grace_keeps_only_the_secret_it_replaces(
    carol, endpoint, receiver, django_capture_on_commit_callbacks
):
    first = endpoint.secret
    second = webhook_services.webhook_endpoint_secret_rotate(user=carol, endpoint=endpoint, grace_hours=24).secret
    third = webhook_services.webhook_endpoint_secret_rotate(user=carol, endpoint=endpoint, grace_hours=24).secret
    header, body = _send(endpoint, receiver, django_capture_on_commit_callbacks)
    assert header.count("v1=") == 2
    assert mockloop_signature_valid(third, header, body) and mockloop_signature_valid(second, header, body)
    assert not mockloop_signature_valid(first, header, body)


@pytest.mark.parametrize("data", [None, {}, {"grace_hours": None}])
def test_the_api_rotation_revokes_the_old_secret_at_once_by_default(client_for, carol, endpoint, settings, data):
    # As before grace periods existed: a client rotating after a leak must not leave the
    # leaked secret valid, whatever WEBHOOK_SECRET_GRACE_HOURS (the page's default) says.
    settings.WEBHOOK_SECRET_GRACE_HOURS = 24
    old = endpoint.secret
    response = client_for(carol).post(f"/api/organization/webhooks/{endpoint.id}/rotate-secret/", data, format="json")
    assert response.status_code == 200 and response.json()["grace_ends_at"] is None
    stored = WebhookEndpoint.objects.get(id=endpoint.id)
    assert stored.secret == response.json()["secret"] != old
    assert stored.previous_secret == "" and stored.signing_secrets() == [stored.secret]
    assert "no-store" in response["Cache-Control"]


def test_the_api_takes_grace_hours_and_answers_with_the_grace_end(client_for, carol, bob, endpoint, settings):
    url = f"/api/organization/webhooks/{endpoint.id}/rotate-secret/"
    six = client_for(carol).post(url, {"grace_hours": 6}, format="json")
    assert six.status_code == 200
    body = six.json()
    ends = timezone.datetime.fromisoformat(body["grace_ends_at"])
    assert abs((ends - timezone.now()) - timedelta(hours=6)) < timedelta(minutes=1)
    assert body["secret"] == WebhookEndpoint.objects.get(id=endpoint.id).secret

    longer = client_for(carol).post(url, {"grace_hours": 72}, format="json").json()
    ends = timezone.datetime.fromisoformat(longer["grace_ends_at"])
    assert abs((ends - timezone.now()) - timedelta(hours=72)) < timedelta(minutes=1)
    listed = client_for(bob).get("/api/organization/webhooks/").json()
    assert listed[0]["grace_ends_at"] == longer["grace_ends_at"] and "secret" not in listed[0]

    none = client_for(carol).post(url, {"grace_hours": 0}, format="json").json()
    assert none["grace_ends_at"] is None

    for bad in (73, -1, "soon"):
        refused = client_for(carol).post(url, {"grace_hours": bad}, format="json")
        assert refused.status_code == 400 and "grace_hours" in refused.json()["error"]["fields"]
    assert WebhookEndpoint.objects.get(id=endpoint.id).secret == none["secret"]


def test_another_organization_cannot_rotate(client_for, erin, endpoint):
    response = client_for(erin).post(
        f"/api/organization/webhooks/{endpoint.id}/rotate-secret/", {"grace_hours": 0}, format="json"
    )
    assert response.status_code == 404 and error_code(response) == "not_found"
    assert WebhookEndpoint.objects.get(id=endpoint.id).secret == endpoint.secret


def test_the_page_form_offers_the_grace_setting_as_its_default(client, carol, endpoint, settings):
    settings.WEBHOOK_SECRET_GRACE_HOURS = 12
    client.force_login(carol)
    html = client.get(f"/organization/webhooks/{endpoint.id}/").content.decode()
    assert 'name="grace_hours" value="12"' in html
