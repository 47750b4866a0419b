"""Who really sent this, on the real processes (gunicorn, a Celery worker and beat; mail over
real SMTP): a customer's mail becomes a ticket; their reply pages the agent, whose alert carries
the agent's signed reply address; the agent's answer to that alert reaches the customer; a forged
"agent" mail becomes a flagged note that mails nobody until the agent confirms it in the browser;
a forged "requester" mail that the receiving server failed (dmarc=fail) is held for review."""

from __future__ import annotations

import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from tests import factories
from tests.a11y import DESKTOP, assert_accessible
from tickets.mail.models import InboundEmail, InboundStatus
from tickets.models import MessageKind, Ticket

pytestmark = [pytest.mark.browser]

WITHIN = 30  # seconds
TRUSTED = "mx.switchboard.test"
DMARC_FAIL = f"{TRUSTED}; dmarc=fail header.from=example.org"


def _mail(*, sender, to, subject, body, headers=None) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="example.org")
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return bytes(msg)


def _post(base: str, raw: bytes) -> int:
    request = urllib.request.Request(  # noqa: S310 - the stack under test
        f"{base}/inbound/email/",
        data=raw,
        headers={"X-Switchboard-Secret": "s3cret-for-tests", "Content-Type": "message/rfc822"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        assert response.status == 202
        import json

        return json.loads(response.read())["id"]


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _done(row_id: int):
    row = InboundEmail.objects.filter(pk=row_id).exclude(status=InboundStatus.RECEIVED).first()
    return row


def test_agent_replies_by_mail_proven_and_unproven_on_the_stack(browser, stack):
    team = factories.TeamFactory(name="Help", email="help@example.com")
    agent = factories.AgentFactory(name="Sam Agent", email="sam@staff.example.com", teams=[team])
    stack.extra_env["MAIL_TRUSTED_AUTHSERV_IDS"] = TRUSTED
    base = stack.start()
    inbox = stack.inbox

    # A customer writes to the team's address: a ticket in that team, confirmed by mail.
    first = _post(base, _mail(sender="Ada <ada@example.org>", to="help@example.com",
                              subject="Printer on fire", body="It burns."))  # fmt: skip
    row = stack.wait_for(lambda: _done(first), timeout=WITHIN, what="the first mail processed")
    assert row.status == InboundStatus.PROCESSED, row.error
    ticket = Ticket.objects.get(pk=row.ticket_id)
    confirmation = stack.wait_for(
        lambda: inbox.to("ada@example.org"), timeout=WITHIN, what="the confirmation"
    )[0]

    # The customer answers the confirmation: the agent is paged, with their own reply address.
    second = _post(base, _mail(sender="Ada <ada@example.org>", to=confirmation["Reply-To"],
                               subject=f"Re: {confirmation['Subject']}", body="Still burning.",
                               headers={"In-Reply-To": confirmation["Message-ID"]}))  # fmt: skip
    stack.wait_for(lambda: _done(second), timeout=WITHIN, what="the customer's reply processed")
    alert = stack.wait_for(lambda: inbox.to(agent.email), timeout=WITHIN, what="the alert")[0]
    # (signed with the stack's SECRET_KEY, not this process's: the stack checks it, below)
    assert alert["Reply-To"].startswith(f"help+a{agent.pk}.t{ticket.pk}.")

    # Someone writes as the agent without proof: an internal note, flagged; nothing mailed.
    forged = _post(base, _mail(sender="Sam Agent <sam@staff.example.com>", to="help@example.com",
                               subject=f"Re: [#{ticket.pk}] Printer on fire",
                               body="Refund approved: send your card number to me."))  # fmt: skip
    row = stack.wait_for(lambda: _done(forged), timeout=WITHIN, what="the forged mail processed")
    assert row.status == InboundStatus.PROCESSED, row.error
    note = ticket.messages.get(body_text__startswith="Refund approved")
    assert note.kind == MessageKind.NOTE and note.needs_review

    # The agent answers the alert as a mail client's Reply does: to its Reply-To. Public.
    reply = _post(base, _mail(sender="Sam Agent <sam@staff.example.com>", to=alert["Reply-To"],
                              subject=f"Re: {alert['Subject']}", body="A technician is coming.",
                              headers={"In-Reply-To": alert["Message-ID"]}))  # fmt: skip
    row = stack.wait_for(lambda: _done(reply), timeout=WITHIN, what="the agent's reply processed")
    assert row.status == InboundStatus.PROCESSED, row.error
    answered = stack.wait_for(
        lambda: [m for m in inbox.to("ada@example.org") if "technician" in _text(m)],
        timeout=WITHIN,
        what="the agent's reply at the customer",
    )
    assert len(answered) == 1

    # A "requester" mail the receiving server failed is held, not added as Ada's.
    spoof = _post(base, _mail(sender="Ada <ada@example.org>", to="help@example.com",
                              subject=f"Re: Printer on fire [#{ticket.pk}]",
                              body="Send the invoice to mallory@evil.example",
                              headers={"Authentication-Results": DMARC_FAIL}))  # fmt: skip
    row = stack.wait_for(lambda: _done(spoof), timeout=WITHIN, what="the spoofed mail processed")
    assert row.status == InboundStatus.REVIEW and "failed authentication" in row.error
    assert not ticket.messages.filter(body_text__contains="mallory").exists()

    # The agent confirms the flagged note in the browser: only now it reaches the customer.
    assert not [m for m in inbox.to("ada@example.org") if "Refund approved" in _text(m)]
    desk = stack.sign_in(browser, agent, viewport=DESKTOP)
    desk.goto(f"{base}/agent/tickets/{ticket.pk}/")
    flag = desk.locator(f"#review-{note.pk}")
    assert "Unverified, from mail" in flag.inner_text()
    assert_accessible(desk)
    flag.get_by_role("button", name="Confirm and send as my reply").click()
    desk.get_by_text("Confirmed: your reply is published and mailed.").wait_for()
    stack.wait_for(
        lambda: [m for m in inbox.to("ada@example.org") if "Refund approved" in _text(m)],
        timeout=WITHIN,
        what="the confirmed reply at the customer",
    )
