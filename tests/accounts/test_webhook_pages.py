"""The webhooks pages (/organization/webhooks/): admins list, add (the
secret shown once), rotate with or without grace, read the delivery log and redeliver,
delete; recruiters read only; candidates and other organizations get 404s."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from accounts import webhook_services
from accounts.models import User, WebhookDelivery, WebhookEndpoint
from tests.accounts.test_webhooks import BOTH, Receiver


@pytest.fixture
def page_for(db):
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def endpoint(carol, receiver, settings) -> WebhookEndpoint:
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    return webhook_services.webhook_endpoint_create(user=carol, url=receiver.url, events=BOTH)


def _delivery(endpoint, status="failed", **fields) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id=uuid.uuid4(),
        event="session.graded",
        payload={"id": "x"},
        status=status,
        attempts=fields.pop("attempts", 8),
        last_status_code=fields.pop("last_status_code", 500),
        last_error=fields.pop("last_error", "HTTP 500"),
        **fields,
    )


def test_a_recruiter_adds_an_endpoint_and_sees_its_secret_once(page_for, carol, receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    client = page_for(carol)
    assert "No endpoint yet" in client.get("/organization/webhooks/").content.decode()
    response = client.post("/organization/webhooks/", {"url": receiver.url, "events": ["session.graded"]})
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/organization/webhooks/{endpoint.id}/"
    assert endpoint.events == ["session.graded"] and endpoint.created_by_id == carol.id
    shown = client.get(response["Location"]).content.decode()
    assert endpoint.secret in shown and "it is not shown again" in shown
    assert endpoint.secret not in client.get(response["Location"]).content.decode()
    listing = client.get("/organization/webhooks/").content.decode()
    assert receiver.url in listing and "An assessment session got its score" in listing and endpoint.secret not in listing


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"url": "ftp://example.com/x", "events": BOTH}, "url", "must start with http:// or https://"),
        ({"url": "not a url", "events": BOTH}, "url", "Enter a full URL"),
        ({"url": "http://127.0.0.1:9/hook", "events": BOTH}, "url", "private or reserved address"),
        ({"url": "https://example.com/hook"}, "events", "Choose at least one event."),
    ],
)
def test_a_bad_endpoint_is_refused_next_to_its_field(page_for, carol, data, field, message):
    response = page_for(carol).post("/organization/webhooks/", data)
    assert response.status_code == 400
    html = response.content.decode()
    error_id = "id_url_error" if field == "url" else "events-error"
    assert f'id="{error_id}"' in html and message in html
    assert data["url"] in html  # nothing lost
    assert not WebhookEndpoint.objects.exists()


def test_rotating_with_grace_keeps_the_old_secret_signing_until_the_shown_end(page_for, carol, endpoint):
    client = page_for(carol)
    old = endpoint.secret
    response = client.post(f"/organization/webhooks/{endpoint.id}/rotate/", {"grace_hours": "24"}, follow=True)
    endpoint.refresh_from_db()
    html = response.content.decode()
    assert endpoint.secret != old and endpoint.previous_secret == old and endpoint.grace_ends_at is not None
    assert endpoint.secret in html and old not in html
    assert f"The old one keeps working until {endpoint.grace_ends_at:%Y-%m-%d %H:%M} UTC" in html
    assert "signed with the new and the old secret" in html


def test_rotate_now_drops_the_old_secret(page_for, carol, endpoint):
    page_for(carol).post(f"/organization/webhooks/{endpoint.id}/rotate/", {"grace_hours": "24"})
    response = page_for(carol).post(f"/organization/webhooks/{endpoint.id}/rotate/", {"grace_hours": "0"}, follow=True)
    endpoint.refresh_from_db()
    assert endpoint.previous_secret == "" and endpoint.grace_ends_at is None
    assert "The old one stopped working at once" in response.content.decode()


@pytest.mark.parametrize("value", ["73", "-1", "soon", ""])
def test_a_bad_grace_period_is_refused_next_to_the_field(page_for, carol, endpoint, value):
    response = page_for(carol).post(f"/organization/webhooks/{endpoint.id}/rotate/", {"grace_hours": value})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_grace_hours_error"' in html and "from 0 to 72" in html
    assert WebhookEndpoint.objects.get(id=endpoint.id).secret == endpoint.secret


def test_the_delivery_log_shows_words_and_pages(page_for, carol, endpoint):
    for _ in range(26):
        _delivery(endpoint, status="delivered", attempts=1, last_status_code=200, last_error="")
    failed = _delivery(endpoint, last_error="connection error: refused")
    client = page_for(carol)
    html = client.get(f"/organization/webhooks/{endpoint.id}/").content.decode()
    assert "Failed" in html and "Delivered" in html and "connection error: refused" in html and "HTTP 500" in html
    assert f'id="redeliver-{failed.id}"' in html and "page 1 of 2" in html
    assert "An assessment session got its score" in html and ">failed<" not in html
    second = client.get(f"/organization/webhooks/{endpoint.id}/?page=2").content.decode()
    assert "page 2 of 2" in second and f'data-delivery="{failed.id}"' not in second


def test_redeliver_queues_a_failed_delivery_again(page_for, carol, endpoint, django_capture_on_commit_callbacks):
    failed = _delivery(endpoint)
    with django_capture_on_commit_callbacks() as callbacks:
        response = page_for(carol).post(f"/organization/webhooks/deliveries/{failed.id}/redeliver/", follow=True)
    assert response.redirect_chain[-1][0] == f"/organization/webhooks/{endpoint.id}/"
    assert "queued to be sent again" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == "pending" and failed.attempts == 0 and len(callbacks) == 1
    again = page_for(carol).post(f"/organization/webhooks/deliveries/{failed.id}/redeliver/", follow=True)
    assert "only a failed delivery can be sent again" in again.content.decode().lower()


def test_deleting_an_endpoint(page_for, carol, endpoint):
    response = page_for(carol).post(f"/organization/webhooks/{endpoint.id}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == "/organization/webhooks/"
    assert not WebhookEndpoint.objects.exists() and "deleted" in response.content.decode()


def test_another_organization_and_candidates_get_404s(page_for, erin, alice, endpoint):
    failed = _delivery(endpoint)
    for user in (erin, alice):
        client = page_for(user)
        assert client.get(f"/organization/webhooks/{endpoint.id}/").status_code == 404
        assert client.post(f"/organization/webhooks/{endpoint.id}/rotate/", {"grace_hours": "0"}).status_code == 404
        assert client.post(f"/organization/webhooks/{endpoint.id}/delete/").status_code == 404
        assert client.post(f"/organization/webhooks/deliveries/{failed.id}/redeliver/").status_code == 404
    assert endpoint.url not in page_for(erin).get("/organization/webhooks/").content.decode()
    assert page_for(alice).get("/organization/webhooks/").status_code == 404
    endpoint.refresh_from_db()
    assert WebhookDelivery.objects.get(id=failed.id).status == "failed"
    assert WebhookEndpoint.objects.get(id=endpoint.id).secret == endpoint.secret


def test_a_recruiter_reads_the_endpoints_and_the_log_but_changes_nothing(page_for, bob, endpoint, receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    failed = _delivery(endpoint)
    client = page_for(bob)
    listing = client.get("/organization/webhooks/")
    assert listing.status_code == 200 and endpoint.url in listing.content.decode()
    listing_html = listing.content.decode()
    assert 'id="webhook-form"' not in listing_html and f'id="delete-{endpoint.id}"' not in listing_html
    assert "Only an organization admin" in listing_html
    detail = client.get(f"/organization/webhooks/{endpoint.id}/").content.decode()
    assert f'data-delivery="{failed.id}"' in detail and "HTTP 500" in detail
    for control in ('id="rotate-form"', 'id="rotate-now"', 'id="delete-endpoint"', f'id="redeliver-{failed.id}"'):
        assert control not in detail

    assert client.post("/organization/webhooks/", {"url": receiver.url, "events": BOTH}).status_code == 403
    assert client.post(f"/organization/webhooks/{endpoint.id}/rotate/", {"grace_hours": "0"}).status_code == 403
    assert client.post(f"/organization/webhooks/{endpoint.id}/delete/").status_code == 403
    assert client.post(f"/organization/webhooks/deliveries/{failed.id}/redeliver/").status_code == 403
    assert list(WebhookEndpoint.objects.values_list("id", "secret")) == [(endpoint.id, endpoint.secret)]
    assert WebhookDelivery.objects.get(id=failed.id).status == "failed"


def test_the_page_showing_a_secret_is_never_cached(page_for, carol, endpoint):
    client = page_for(carol)
    response = client.post(f"/organization/webhooks/{endpoint.id}/rotate/", {"grace_hours": "0"}, follow=True)
    endpoint.refresh_from_db()
    assert endpoint.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_an_endpoint_of_a_removed_member_is_marked_and_stays_the_admins(page_for, carol, bob, receiver, settings):
    from accounts import services

    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    bob.role = "org_admin"
    bob.save(update_fields=["role"])
    endpoint = webhook_services.webhook_endpoint_create(user=bob, url=receiver.url, events=BOTH)
    services.organization_member_remove(removed_by=carol, member=bob)
    html = page_for(carol).get("/organization/webhooks/").content.decode()
    assert 'by bob@acme.test <span class="removed-member">(removed)</span>' in html
    assert "(removed)" in page_for(carol).get(f"/organization/webhooks/{endpoint.id}/").content.decode()
    assert WebhookEndpoint.objects.get(id=endpoint.id).is_active
    assert page_for(carol).post(f"/organization/webhooks/{endpoint.id}/delete/").status_code == 302


def test_a_private_host_is_refused_without_naming_its_address(page_for, carol, caplog):
    response = page_for(carol).post("/organization/webhooks/", {"url": "http://127.0.0.1:9/hook", "events": BOTH})
    html = response.content.decode()
    assert response.status_code == 400 and "This URL points to a private or reserved address." in html
    assert "(127.0.0.1)" not in html and "resolves to" not in html
    assert any("127.0.0.1" in record.getMessage() for record in caplog.records)  # for operators
