"""An agent's unverified reply by mail, as agents meet it: it arrives over real HTTP at
/inbound/email/, shows on the ticket page as an internal note flagged "Unverified, from mail",
and only that agent's Confirm publishes it as their reply — which then reaches the customer over
SMTP."""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path

import pytest

from tests import factories
from tests.a11y import assert_accessible
from tests.tickets.mail.conftest import build_mail
from tickets.mail.models import InboundEmail, InboundStatus, OutboundEmail
from tickets.models import MessageKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-mail"))  # noqa: S108 - screenshots only


def _post_mail(base: str, raw: bytes) -> None:
    request = urllib.request.Request(  # noqa: S310 - the test's own live server
        f"{base}/inbound/email/",
        data=raw,
        headers={"X-Switchboard-Secret": "s3cret-for-tests", "Content-Type": "message/rfc822"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        assert response.status == 202


def _login(page, base, email):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def test_agent_confirms_an_unverified_reply_from_mail(live_server, browser, smtp_server):
    team = factories.TeamFactory()
    agent = factories.AgentFactory(email="sam@staff.example.com", teams=[team], name="Sam Agent")
    colleague = factories.AgentFactory(email="kim@staff.example.com", teams=[team])
    customer = factories.CustomerFactory(email="ada@example.org", name="Ada Lovelace")
    ticket = factories.TicketFactory(team=team, requester=customer, subject="Printer on fire")

    _post_mail(  # the requester (unverified) copies someone in: shown, not applied
        live_server.url,
        build_mail(
            sender="Ada Lovelace <ada@example.org>",
            to="support@localhost, mallory@evil.example",
            subject=f"Re: Printer on fire [#{ticket.pk}]",
            body="Copying my colleague.",
        ),
    )
    _post_mail(
        live_server.url,
        build_mail(
            sender="Sam <sam@staff.example.com>",
            subject=f"Re: [#{ticket.pk}] Printer on fire",
            body="A technician is on the way.",
        ),
    )
    for row in InboundEmail.objects.all():
        assert row.status == InboundStatus.PROCESSED, row.error
    note = ticket.messages.get(body_text="A technician is on the way.")
    assert note.kind == MessageKind.NOTE and note.needs_review
    assert not OutboundEmail.objects.filter(message=note).exists()

    page = browser.new_page()
    _login(page, live_server.url, colleague.email)
    page.goto(f"{live_server.url}/agent/tickets/{ticket.pk}/")
    flag = page.locator(f"#review-{note.pk}")
    assert "Unverified, from mail" in flag.inner_text()
    assert "waiting for" in flag.inner_text()
    assert flag.locator("button").count() == 0  # only Sam may confirm
    page.context.clear_cookies()

    _login(page, live_server.url, agent.email)
    page.goto(f"{live_server.url}/agent/tickets/{ticket.pk}/")
    flag = page.locator(f"#review-{note.pk}")
    assert "Unverified, from mail" in flag.inner_text()
    assert "CC not applied, the sender is not verified: mallory@evil.example" in page.inner_text(
        ".timeline"
    )
    assert_accessible(page)
    _shoot(page, "unverified-agent-note")
    confirm = flag.get_by_role("button", name="Confirm and send as my reply")
    confirm.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.wait_for_selector("text=Confirmed: your reply is published and mailed.")
    assert page.locator(f"#review-{note.pk}").count() == 0
    _shoot(page, "unverified-agent-note-confirmed")

    note.refresh_from_db()
    assert note.kind == MessageKind.REPLY and not note.needs_review
    sent = [
        m for m in smtp_server.messages() if "technician" in m.get_body(("plain",)).get_content()
    ]
    assert len(sent) == 1
    assert sent[0]["To"] == "ada@example.org" and sent[0]["Cc"] is None
