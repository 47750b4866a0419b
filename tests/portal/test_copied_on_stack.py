"""A customer copied on someone else's ticket, on the real processes (gunicorn, worker, beat;
``tests/stack.py``): the agent's public reply reaches them by mail, they sign in to the portal
with a mailed link, find the ticket in their list, read the reply but not the internal note,
answer from the portal, and the agent sees the answer. axe at phone and desktop widths;
screenshots (``SHOTS_DIR``)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible
from tickets.models import Message, MessageKind

pytestmark = [pytest.mark.browser]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-copied"))  # noqa: S108 - screenshots only
LINK = re.compile(r"https?://\S+")
WITHIN = 20


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_copied_customer_reads_and_answers_in_the_portal_without_the_notes(browser, stack):
    team = factories.TeamFactory(name="Billing")
    agent = factories.AgentFactory(name="Sam Agent", email="sam@staff.example.com", teams=[team])
    rita = factories.CustomerFactory(name="Rita Requester", email="rita@example.org")
    factories.CustomerFactory(name="Pat Copied", email="pat@example.org")
    ticket = factories.TicketFactory(
        team=team, requester=rita, subject="Invoice 9 charged twice", cc=["pat@example.org"]
    )
    base = stack.start()

    desk = stack.sign_in(browser, agent, viewport=DESKTOP)
    desk.goto(f"{base}/agent/tickets/{ticket.pk}/")
    desk.fill("#composer-body", "We refunded the second charge; it shows in 3 days.")
    desk.click("#composer button[value='']")
    desk.wait_for_selector("text=Reply sent.")
    desk.get_by_role("radio", name="Internal note").check()
    desk.fill("#composer-body", "INTERNAL: Stripe dispute 77 still open")
    desk.click("#composer button[value='']")
    desk.wait_for_selector(".msg-note >> text=INTERNAL: Stripe dispute 77")

    copy = stack.wait_for(
        lambda: [m for m in stack.inbox.to("pat@example.org") if "refunded" in _text(m)],
        timeout=WITHIN,
        what="the reply's copy to the CC",
    )[0]
    assert "Stripe" not in _text(copy)

    pat = browser.new_context(viewport=PHONE).new_page()
    pat.goto(f"{base}/portal/sign-in/")
    pat.get_by_label("Email address").fill("pat@example.org")
    pat.get_by_role("button", name="Email me a sign-in link").click()
    pat.get_by_role("heading", name="Check your email").wait_for()
    link_mail = stack.wait_for(
        lambda: [m for m in stack.inbox.to("pat@example.org") if "/portal/sign-in/" in _text(m)],
        timeout=WITHIN,
        what="the sign-in link",
    )[0]
    (link,) = [u for u in LINK.findall(_text(link_mail)) if "/portal/sign-in/" in u]
    pat.goto(link)
    pat.get_by_role("button", name="Sign in").click()
    pat.get_by_role("heading", name="My tickets").wait_for()
    pat.get_by_role("link", name=re.compile("Invoice 9 charged twice")).click()
    pat.get_by_text("We refunded the second charge").wait_for()
    pat.get_by_text("You're copied on this request").wait_for()
    assert pat.get_by_text("Stripe dispute").count() == 0
    assert pat.get_by_role("button", name="Mark as solved").count() == 0
    assert_accessible(pat)
    SHOTS.mkdir(parents=True, exist_ok=True)
    pat.screenshot(path=str(SHOTS / "portal-copied-phone.png"), full_page=True)
    pat.set_viewport_size(DESKTOP)
    pat.screenshot(path=str(SHOTS / "portal-copied.png"), full_page=True)

    pat.get_by_label("Your reply").fill("Thanks, I see it now.")
    pat.get_by_role("button", name="Send reply").click()
    pat.get_by_text("Your reply was sent.").wait_for()
    answer = Message.objects.get(ticket=ticket, body_text="Thanks, I see it now.")
    assert answer.kind == MessageKind.REPLY and answer.author_customer.email == "pat@example.org"
    desk.goto(f"{base}/agent/tickets/{ticket.pk}/")
    desk.locator("#timeline").get_by_text("Thanks, I see it now.").wait_for()
