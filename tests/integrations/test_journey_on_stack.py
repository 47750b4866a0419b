"""An integration's journey on the real processes (gunicorn, a Celery worker and beat on the
embedded broker): an admin makes a token in the browser, the integration subscribes a webhook
and files a ticket over HTTP with it, the worker delivers signed webhooks to the integration's
endpoint (never the internal note), and the agent sees the ticket in the team queue."""

from __future__ import annotations

import pytest
import requests

from integrations.signing import verify
from tests import factories
from tests.a11y import DESKTOP, assert_accessible

pytestmark = [pytest.mark.browser]

WITHIN = 20


def test_token_from_the_browser_files_over_http_and_webhooks_arrive_signed(
    browser, stack, receiver
):
    team = factories.TeamFactory(name="Billing")
    admin = factories.AdminFactory(email="ops@staff.example.com", name="Ops Admin", teams=[team])
    stack.extra_env["WEBHOOKS_ALLOW_LOOPBACK"] = "true"
    base = stack.start()

    page = stack.sign_in(browser, admin, viewport=DESKTOP)
    page.click(".topbar-nav >> text=API tokens")
    page.fill("input[name=name]", "CRM sync")
    page.click("text=Create token")
    raw = page.input_value("#new-token")
    assert_accessible(page)

    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {raw}"
    subscribed = api.post(
        f"{base}/api/v1/webhooks",
        json={
            "name": "CRM",
            "url": receiver.url,
            "event_types": ["ticket.created", "message.created"],
        },
        timeout=10,
    )
    assert subscribed.status_code == 201, subscribed.text
    secret = subscribed.json()["secret"]
    customer = api.post(
        f"{base}/api/v1/customers", json={"email": "ada@example.org", "name": "Ada"}, timeout=10
    )
    assert customer.status_code == 201, customer.text
    filed = api.post(
        f"{base}/api/v1/tickets",
        json={
            "requester_id": customer.json()["id"],
            "subject": "Charged twice for invoice 9",
            "body": "My card was charged twice.",
            "team_id": team.pk,
        },
        timeout=10,
    )
    assert filed.status_code == 201, filed.text
    ticket_id = filed.json()["id"]
    noted = api.post(
        f"{base}/api/v1/tickets/{ticket_id}/messages",
        json={"body": "Internal: check the payment provider", "kind": "note"},
        timeout=10,
    )
    assert noted.status_code == 201, noted.text
    replied = api.post(
        f"{base}/api/v1/tickets/{ticket_id}/messages",
        json={"body": "Sorry! Refunding now."},
        timeout=10,
    )
    assert replied.status_code == 201, replied.text

    stack.wait_for(
        lambda: (
            len(receiver.of_type("message.created")) >= 2 and receiver.of_type("ticket.created")
        ),
        timeout=WITHIN,
        what="the worker to deliver the webhooks",
    )
    for received in receiver.requests:
        assert verify(
            secret=secret, body=received.body, header=received.headers["X-Switchboard-Signature"]
        )
        assert received.json["data"]["ticket"]["id"] == ticket_id
        assert b"payment provider" not in received.body  # the note: not for this subscription
    # The agent's reply reaches the customer over SMTP.
    stack.wait_for(
        lambda: [
            m
            for m in stack.inbox.to("ada@example.org")
            if "Refunding now" in m.get_body(preferencelist=("plain",)).get_content()
        ],
        timeout=WITHIN,
        what="the reply by mail",
    )

    page.goto(f"{base}/agent/queues/teams/")
    page.get_by_role("link", name="Charged twice for invoice 9").click()
    page.wait_for_selector("text=Internal: check the payment provider")
