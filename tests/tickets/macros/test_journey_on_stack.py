"""A macro on the real processes (gunicorn, a Celery worker and beat on the embedded broker), in
Chromium: picked in the composer, it fills the reply and shows its header changes; one Send
replies, tags and solves, and the reply reaches the customer over SMTP."""

from __future__ import annotations

import pytest

from tests import factories
from tests.a11y import DESKTOP, assert_accessible
from tickets import services
from tickets.macros import services as macros
from tickets.macros.models import MacroScope
from tickets.models import Status

pytestmark = [pytest.mark.browser]


def test_a_macro_replies_tags_and_solves_in_one_send(browser, stack):
    team = factories.TeamFactory(name="Billing")
    agent = factories.AgentFactory(teams=[team], name="Dana Reyes", email="dana@example.com")
    ada = factories.CustomerFactory(name="Ada Lovelace", email="ada@example.org")
    ticket = services.ticket_create(
        requester=ada, subject="Refund for order 1042", body="Please refund me.", team=team
    )
    macros.macro_save(
        agent=factories.AdminFactory(),
        title="Refund issued — solve",
        scope=MacroScope.SHARED,
        actions={
            "reply": "Hi {{ customer.first_name }}, your refund for {{ ticket.reference }} is "
            "on its way.",
            "status": "solved",
            "tags_add": ["refund"],
        },
    )
    base = stack.start()

    page = stack.sign_in(browser, agent, viewport=DESKTOP)
    page.goto(f"{base}/agent/tickets/{ticket.pk}/")
    page.fill("#macro-search", "refund")
    page.wait_for_selector(".macro-suggest li >> text=Refund issued — solve")
    page.keyboard.press("Enter")
    page.wait_for_selector(".macro-pending:not([hidden])")
    assert page.locator("#composer-body").input_value() == (
        f"Hi Ada, your refund for #{ticket.pk} is on its way."
    )
    assert "Status: New → Solved" in page.locator("[data-macro-changes]").inner_text()
    assert_accessible(page)
    page.click("#composer button[value='']")
    page.wait_for_selector("text=Macro “Refund issued — solve” applied.")
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    assert list(ticket.tags.values_list("name", flat=True)) == ["refund"]
    mail = stack.wait_for(
        lambda: stack.inbox.to("ada@example.org"), timeout=20, what="the reply by mail"
    )[0]
    assert "your refund for" in mail.get_body(preferencelist=("plain",)).get_content()
