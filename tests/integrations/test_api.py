"""/api/v1/webhooks and /api/v1/webhook-deliveries: admins subscribe and read the log."""

from __future__ import annotations

import pytest

from integrations.models import WebhookDelivery, WebhookSubscription
from tickets import services

pytestmark = pytest.mark.django_db


def test_admin_subscribes_over_the_api_and_gets_the_secret_once(
    api, admin_user, receiver, customer, django_capture_on_commit_callbacks
):
    client = api(admin_user)
    created = client.post(
        "/api/v1/webhooks",
        {"name": "CRM", "url": receiver.url, "event_types": ["ticket.created"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["secret"].startswith("whsec_")
    subscription_id = created.json()["id"]
    assert "secret" not in client.get(f"/api/v1/webhooks/{subscription_id}").json()

    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_create(requester=customer, subject="Hi", body="there")
    log = client.get("/api/v1/webhook-deliveries", {"subscription": subscription_id})
    assert [d["status"] for d in log.json()["results"]] == ["delivered"]
    delivery_id = log.json()["results"][0]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/api/v1/webhook-deliveries/{delivery_id}/resend")
    assert again.status_code == 201
    assert len(receiver.requests) == 2

    off = client.patch(f"/api/v1/webhooks/{subscription_id}", {"is_active": False}, format="json")
    assert off.json()["is_active"] is False
    assert client.delete(f"/api/v1/webhooks/{subscription_id}").status_code == 204
    assert not WebhookSubscription.objects.exists() and not WebhookDelivery.objects.exists()


def test_webhooks_api_is_for_admins_only(api, agent):
    assert api(agent).get("/api/v1/webhooks").status_code == 404
    assert api(agent).get("/api/v1/webhook-deliveries").status_code == 404


def test_subscription_input_is_validated(api, admin_user):
    client = api(admin_user)
    response = client.post(
        "/api/v1/webhooks",
        {"url": "https://example.com/x", "event_types": ["ticket.exploded"]},
        format="json",
    )
    assert response.status_code == 400
    assert "event_types.0" in response.json()["error"]["fields"]
    response = client.post(
        "/api/v1/webhooks",
        {"url": "ftp://example.com/x", "event_types": ["ticket.created"]},
        format="json",
    )
    assert response.status_code == 400
    assert "url" in response.json()["error"]["fields"]
