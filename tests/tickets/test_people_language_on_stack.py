"""A contact's language set by an agent, on the real processes (gunicorn, worker, beat, a real
SMTP inbox), in Chromium: from the ticket the agent opens the requester's profile, picks German
with the keyboard and saves; the change is on the page and in the contact's events; the agent's
next reply reaches the customer with German mail chrome.

Screenshots go to ``$KB_SCREENSHOTS`` when set (docs/img is made from them), else a temp dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from customers.models import Customer, CustomerEvent
from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible
from tickets.models import Status

pytestmark = [pytest.mark.browser]


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_agent_sets_german_and_the_next_reply_is_in_german(browser, stack, tmp_path):
    shots = Path(os.environ.get("KB_SCREENSHOTS") or tmp_path)
    team = factories.TeamFactory(name="Support")
    agent = factories.AgentFactory(name="Dana Reyes", email="dana@staff.example.com", teams=[team])
    pat = factories.CustomerFactory(email="pat@example.org", name="Pat Lee", locale="en")
    ticket = factories.TicketFactory(
        team=team, requester=pat, subject="Drucker druckt nicht", status=Status.OPEN
    )
    base = stack.start()

    page = stack.sign_in(browser, agent, viewport=DESKTOP)
    page.goto(f"{base}/agent/tickets/{ticket.pk}/")
    page.locator(".ticket-side").get_by_role("link", name="Pat Lee").click()
    page.get_by_role("heading", name="Pat Lee", level=1).wait_for()
    language = page.get_by_label("Portal and mail language")
    assert language.input_value() == "en"
    language.focus()
    language.select_option("de")
    page.keyboard.press("Tab")  # the hint is text; the next stop is the button
    page.keyboard.press("Enter")
    page.get_by_text("Language set to Deutsch.").wait_for()
    assert page.get_by_label("Portal and mail language").input_value() == "de"
    page.get_by_role("list", name="Language changes").get_by_text(
        "Deutsch, set by Dana Reyes"
    ).wait_for()
    assert_accessible(page)
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=shots / f"kb-agent-customer-language-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    assert Customer.objects.get(pk=pat.pk).locale == "de"
    event = CustomerEvent.objects.get(customer=pat)
    assert event.by_id == agent.pk and event.data == {"old": "en", "new": "de"}

    page.goto(f"{base}/agent/tickets/{ticket.pk}/")
    page.get_by_role("radio", name="Public reply").check()
    page.get_by_label("Message").fill("Bitte starten Sie den Drucker neu.")
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Reply sent.").wait_for()
    reply = stack.wait_for(
        lambda: stack.inbox.to("pat@example.org"), timeout=30, what="the German reply"
    )[0]
    body = _text(reply)
    assert "Bitte starten Sie den Drucker neu." in body
    assert "antworten Sie auf diese E-Mail" in body
    stack.wait_for(
        lambda: CustomerEvent.objects.filter(pk=event.pk, dispatched_at__isnull=False).exists(),
        timeout=30,
        what="the language event dispatched by the worker",
    )
