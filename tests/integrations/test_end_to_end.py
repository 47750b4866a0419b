"""An integrator's whole journey over real HTTP: a live server, a Bearer token, and a local HTTP
server receiving signed webhooks for every change."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from accounts.tokens import api_token_create
from integrations.signing import verify
from tests import factories


@pytest.fixture
def integrator(transactional_db, receiver):
    team = factories.TeamFactory(name="Billing")
    agent = factories.AgentFactory(teams=[team])
    admin = factories.AdminFactory()
    _, admin_raw = api_token_create(user=admin, name="CRM setup")
    _, raw = api_token_create(user=agent, name="CRM sync")
    return {"team": team, "token": raw, "admin_token": admin_raw}


def test_integrator_journey_over_http_with_signed_webhooks(live_server, integrator, receiver):
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {integrator['token']}"
    base = f"{live_server.url}/api/v1"

    # An admin subscribes the integration's endpoint; the answer carries the signing secret.
    subscribed = requests.post(
        f"{base}/webhooks",
        json={
            "name": "CRM",
            "url": receiver.url,
            "event_types": [
                "ticket.created",
                "ticket.updated",
                "ticket.status_changed",
                "message.created",
            ],
        },
        headers={"Authorization": f"Bearer {integrator['admin_token']}"},
        timeout=10,
    )
    assert subscribed.status_code == 201, subscribed.text
    secret = subscribed.json()["secret"]

    started = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()

    customer = api.post(f"{base}/customers", json={"email": "ada@example.org", "name": "Ada"})
    assert customer.status_code == 201, customer.text
    customer_id = customer.json()["id"]

    filed = api.post(
        f"{base}/tickets",
        json={
            "requester_id": customer_id,
            "subject": "Invoice charged twice",
            "body": "My card was charged twice.",
            "team_id": integrator["team"].pk,
        },
        headers={"Idempotency-Key": "crm-42"},
    )
    assert filed.status_code == 201, filed.text
    ticket_id = filed.json()["id"]
    retried = api.post(
        f"{base}/tickets",
        json={
            "requester_id": customer_id,
            "subject": "Invoice charged twice",
            "body": "My card was charged twice.",
            "team_id": integrator["team"].pk,
        },
        headers={"Idempotency-Key": "crm-42"},
    )
    assert retried.json()["id"] == ticket_id and retried.headers["Idempotent-Replayed"] == "true"

    reply = api.post(f"{base}/tickets/{ticket_id}/messages", json={"body": "Sorry! Refunding now."})
    assert reply.status_code == 201, reply.text

    attached = api.post(
        f"{base}/tickets/{ticket_id}/messages",
        data={"body": "Here is the refund receipt."},
        files={"attachments": ("receipt.txt", b"refund 42.00 EUR", "text/plain")},
    )
    assert attached.status_code == 201, attached.text
    download = api.get(attached.json()["attachments"][0]["download_url"])
    assert download.status_code == 200 and download.content == b"refund 42.00 EUR"

    etag = api.get(f"{base}/tickets/{ticket_id}").headers["ETag"]
    solved = api.patch(
        f"{base}/tickets/{ticket_id}", json={"status": "solved"}, headers={"If-Match": etag}
    )
    assert solved.status_code == 200, solved.text
    stale = api.patch(
        f"{base}/tickets/{ticket_id}", json={"priority": "high"}, headers={"If-Match": etag}
    )
    assert stale.status_code == 412

    changes = api.get(
        f"{base}/tickets", params={"updated_since": started, "ordering": "updated_at"}
    )
    assert changes.status_code == 200
    assert [t["id"] for t in changes.json()["results"]] == [ticket_id]
    assert changes.json()["results"][0]["status"] == "solved"
    assert "X-RateLimit-Remaining" in changes.headers

    # Webhooks are sent after each change commits; allow the worker a moment.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(receiver.requests) < 8:
        time.sleep(0.1)
    kinds = sorted(r.headers["X-Switchboard-Event"] for r in receiver.requests)
    # The agent's first reply also moved the ticket from new to open: two status changes.
    assert kinds == [
        "message.created",
        "message.created",
        "message.created",
        "ticket.created",
        "ticket.status_changed",
        "ticket.status_changed",
        "ticket.updated",
        "ticket.updated",
    ]
    moves = [r.json["data"]["change"] for r in receiver.of_type("ticket.status_changed")]
    assert {(m["old"], m["new"]) for m in moves} == {("new", "open"), ("open", "solved")}
    for received in receiver.requests:
        assert verify(
            secret=secret,
            body=received.body,
            header=received.headers["X-Switchboard-Signature"],
        )
        assert received.json["data"]["ticket"]["id"] == ticket_id
    bodies = [r.json["data"]["message"]["body_text"] for r in receiver.of_type("message.created")]
    assert "Here is the refund receipt." in bodies
    with_file = next(
        r.json
        for r in receiver.of_type("message.created")
        if r.json["data"]["message"]["attachments"]
    )
    assert with_file["data"]["message"]["attachments"][0]["name"] == "receipt.txt"
