"""Webhooks administered in the browser, on the real processes (gunicorn, worker, beat;
``tests/stack.py``): an admin creates a subscription (keyboard only), copies the secret shown
once, sends a test event that the worker delivers, signed, to a real local receiver, and sees it
in the log; a failing receiver shows its code and a retry that succeeds. axe on every page;
screenshots at 1366×768 and 390×844 (``SHOTS_DIR``)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from integrations.signing import verify
from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-webhooks"))  # noqa: S108 - screenshots only


def _shots(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}{suffix}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_admin_creates_a_webhook_and_the_worker_delivers_a_test_event(browser, stack, receiver):
    admin = factories.AdminFactory(name="Ada Admin", email="ada@staff.example.com")
    stack.extra_env["WEBHOOKS_ALLOW_LOOPBACK"] = "true"
    base = stack.start()

    page = stack.sign_in(browser, admin, viewport=DESKTOP)
    page.goto(f"{base}/agent/")
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Webhooks").click()
    page.get_by_role("heading", name="Webhooks", level=1).wait_for()
    page.get_by_role("link", name="New webhook").click()
    page.get_by_role("heading", name="New webhook", level=1).wait_for()

    # Keyboard only: a bad URL first, then the error keeps what was typed.
    page.get_by_label(re.compile("^Name")).focus()
    page.keyboard.type("CRM sync")
    page.keyboard.press("Tab")
    page.keyboard.type("not a url")
    page.get_by_label("Ticket created").focus()
    page.keyboard.press("Space")  # was checked by default: now nothing is chosen
    page.get_by_role("button", name="Create webhook").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Choose at least one event type.").wait_for()
    assert page.get_by_label(re.compile("^Name")).input_value() == "CRM sync"
    assert page.get_by_label("URL", exact=True).input_value() == "not a url"
    assert_accessible(page)
    _shots(page, "webhook-form-errors")

    page.get_by_label("URL", exact=True).fill(receiver.url)
    page.get_by_label("SLA breached").check()
    page.get_by_role("button", name="Create webhook").click()
    page.get_by_role("heading", name="CRM sync", level=1).wait_for()
    secret = page.get_by_label(re.compile("Signing secret")).input_value()
    assert secret.startswith("whsec_")
    _shots(page, "webhook-created")

    page.get_by_role("button", name="Send a test event").click()
    page.get_by_text("Test event queued").wait_for()
    # The log polls while the worker owes the delivery; it shows the answer without a reload.
    page.get_by_role("cell", name="200", exact=True).wait_for(timeout=20_000)
    row = page.get_by_role("row").filter(has_text="webhook.test")
    assert "Delivered" in row.inner_text() and "Send again" in row.inner_text()
    (received,) = receiver.of_type("webhook.test")
    assert verify(
        secret=secret, body=received.body, header=received.headers["X-Switchboard-Signature"]
    )
    assert_accessible(page)
    _shots(page, "webhook-detail")

    page.reload()  # the secret was shown once
    assert page.get_by_label(re.compile("Signing secret")).count() == 0

    # A receiver that fails: the log shows its code; Retry sends it again (as a new delivery).
    receiver.script = [503]
    page.get_by_role("button", name="Send a test event").click()
    page.get_by_role("cell", name="503", exact=True).wait_for(timeout=20_000)
    page.get_by_role("button", name=re.compile("^Retry webhook.test")).click()
    stack.wait_for(lambda: len(receiver.of_type("webhook.test")) == 3, timeout=20, what="the retry")
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Send internal notes too").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Webhook saved.").wait_for()
    page.get_by_role("button", name="Disable").click()
    page.get_by_role("button", name="Enable again").wait_for()
    assert page.get_by_role("button", name="Send a test event").count() == 0
    page.goto(f"{base}/integrations/webhooks/")
    page.get_by_role("cell", name="Disabled").wait_for()
    assert_accessible(page)
    _shots(page, "webhooks")

    agent = factories.AgentFactory(email="ann@staff.example.com")
    other = stack.sign_in(browser, agent, viewport=PHONE)
    assert other.goto(f"{base}/integrations/webhooks/").status == 403
    assert other.get_by_role("link", name="Webhooks").count() == 0
