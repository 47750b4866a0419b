"""Merging on the real processes (gunicorn, worker, beat; ``tests/stack.py``): an agent merges a
ticket into another from the ticket page after the preview, and the customer sees the merged
message marked in the portal; nobody is mailed the old conversation again."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible
from tickets.models import Status, Ticket

pytestmark = [pytest.mark.browser]

LINK = re.compile(r"https?://\S+")


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_agent_merges_after_the_preview_and_the_customer_sees_it_marked(browser, stack):
    team = factories.TeamFactory(name="Billing")
    agent = factories.AgentFactory(name="Dana Reyes", email="dana@staff.example.com", teams=[team])
    email = "pat@example.org"
    pat = factories.CustomerUserFactory(email=email).customer
    target = factories.TicketFactory(
        team=team, requester=pat, subject="Invoice shows the wrong VAT", status=Status.OPEN
    )
    source = factories.TicketFactory(
        team=team, requester=pat, subject="VAT again", first_message=None, status=Status.OPEN
    )
    factories.MessageFactory(
        ticket=source, author_customer=pat, body_text="The March invoice has 19% VAT too."
    )
    base = stack.start()

    desk = stack.sign_in(browser, agent, viewport=DESKTOP)
    desk.goto(f"{base}/agent/tickets/{source.pk}/")
    desk.get_by_role("link", name="Merge into…").click()
    # The requester's other open ticket is offered; the preview says what moves.
    desk.get_by_role("link", name=f"#{target.pk} Invoice shows the wrong VAT").click()
    preview = desk.locator(".merge-preview")
    preview.get_by_text("1 public reply and 0 attachments").wait_for()
    assert f"both tickets are from {pat.display_name}" in preview.inner_text()
    assert_accessible(desk)
    desk.get_by_role("button", name=f"Merge into #{target.pk}").click()
    desk.wait_for_url(re.compile(rf"/agent/tickets/{target.pk}/$"))
    marked = desk.locator(".msg", has_text="The March invoice has 19% VAT too.")
    assert marked.locator(".merged-from").inner_text() == f"From #{source.pk}, merged"
    assert Ticket.objects.get(pk=source.pk).merged_into_id == target.pk

    # The customer signs in by link and sees the message in the merged ticket, marked.
    customer = browser.new_context(viewport=PHONE).new_page()
    customer.goto(f"{base}/portal/sign-in/")
    customer.get_by_label("Email address").fill(email)
    customer.get_by_role("button", name="Email me a sign-in link").click()
    link_mail = stack.wait_for(
        lambda: [m for m in stack.inbox.to(email) if "/portal/sign-in/" in _text(m)],
        timeout=20,
        what="the sign-in link by mail",
    )[0]
    (link,) = [u for u in LINK.findall(_text(link_mail)) if "/portal/sign-in/" in u]
    customer.goto(link)
    customer.get_by_role("button", name="Sign in").click()
    customer.get_by_role("heading", name="My tickets").wait_for()
    customer.goto(f"{base}/portal/tickets/{target.pk}/")
    message = customer.locator(".portal-msg", has_text="The March invoice has 19% VAT too.")
    assert message.locator(".portal-merged").inner_text() == f"From #{source.pk}, merged"
    assert customer.get_by_text("was merged into this ticket").count() == 0  # the note is internal
    assert_accessible(customer)
    # The copy went out to nobody: the only mail Pat got is the sign-in link.
    assert not [m for m in stack.inbox.to(email) if "March invoice" in _text(m)]
