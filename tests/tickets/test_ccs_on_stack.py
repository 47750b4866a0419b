"""CCs and forwarding on the real processes (gunicorn, worker, beat; ``tests/stack.py``): an
agent copies someone in from the ticket header and replies; the worker mails the reply to the
requester with the CC, over SMTP. Then the agent forwards the customer's message to a supplier;
the note says so and the supplier gets it. Internal notes reach neither."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.a11y import DESKTOP, assert_accessible
from tickets.models import MessageKind, Status, Ticket

pytestmark = [pytest.mark.browser]


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_agent_copies_someone_in_replies_and_forwards(browser, stack):
    team = factories.TeamFactory(name="Billing")
    agent = factories.AgentFactory(name="Dana Reyes", email="dana@staff.example.com", teams=[team])
    pat = factories.CustomerFactory(email="pat@example.org", name="Pat Lee")
    ticket = factories.TicketFactory(
        team=team,
        requester=pat,
        subject="Invoice shows the wrong VAT",
        status=Status.OPEN,
        first_message=None,
    )
    factories.MessageFactory(
        ticket=ticket, author_customer=pat, body_text="The March invoice has 19% VAT twice."
    )
    base = stack.start()

    page = stack.sign_in(browser, agent, viewport=DESKTOP)
    page.goto(f"{base}/agent/tickets/{ticket.pk}/")
    cc_input = page.get_by_label("Copy someone in: their email address")
    cc_input.fill("finance@pat-company.example")
    cc_input.press("Enter")
    page.get_by_role("button", name="Stop copying finance@pat-company.example").wait_for()
    page.locator(".composer-recipients", has_text="CC finance@pat-company.example").wait_for()
    assert_accessible(page)

    # An internal note first: it must reach nobody.
    page.get_by_role("radio", name="Internal note").check()
    page.get_by_label("Message").fill("Finance is slow; chase them.")
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Note added.").wait_for()
    page.get_by_role("radio", name="Public reply").check()
    page.get_by_label("Message").fill("We have corrected the invoice; a new one is attached.")
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Reply sent.").wait_for()

    reply = stack.wait_for(
        lambda: [m for m in stack.inbox.to("finance@pat-company.example")],
        timeout=20,
        what="the reply at the CC's address",
    )[0]
    assert "corrected the invoice" in _text(reply)
    assert "pat@example.org" in reply["To"] and "finance@pat-company.example" in reply["Cc"]

    # Forward the customer's message to the supplier.
    message = page.locator(".msg", has_text="The March invoice has 19% VAT twice.")
    message.get_by_role("link", name="Forward").click()
    page.get_by_role("heading", name="Forward a message by mail").wait_for()
    assert_accessible(page)
    page.get_by_label("To").fill("ledger@supplier.example")
    page.get_by_label("Your comment").fill("Your export doubled the VAT line.")
    page.get_by_role("button", name="Forward").click()
    page.wait_for_url(re.compile(rf"/agent/tickets/{ticket.pk}/$"))
    page.locator(".msg-note", has_text="to ledger@supplier.example").wait_for()
    forwarded = stack.wait_for(
        lambda: stack.inbox.to("ledger@supplier.example"),
        timeout=20,
        what="the forwarded message at the supplier",
    )[0]
    body = _text(forwarded)
    assert "Your export doubled the VAT line." in body
    assert "The March invoice has 19% VAT twice." in body

    everyone = [_text(m) for _, m in stack.inbox.messages]
    assert not any("chase them" in text for text in everyone)
    assert Ticket.objects.get(pk=ticket.pk).cc == ["finance@pat-company.example"]
    assert ticket.messages.filter(kind=MessageKind.NOTE).count() == 2
