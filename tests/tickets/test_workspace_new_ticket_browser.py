"""The New ticket page driven through Chromium with the keyboard alone: from the workspace to a
new ticket's page, the requester picked by type-ahead."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.browser import sign_in
from tickets.models import MessageKind, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tab_to(page, name: str, *, limit: int = 60) -> None:
    """Press Tab until the element with this id or text has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => [document.activeElement.id, (document.activeElement.innerText || '').trim()]"
        )
        if name in focused:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_an_agent_opens_a_ticket_with_the_keyboard(browser, live_server, tmp_path):
    team = factories.TeamFactory(name="Billing")
    agent = factories.AgentFactory(teams=[team], name="Dana Reyes", email="dana@example.com")
    ada = factories.CustomerFactory(name="Ada Lovelace", email="countess@analytical.example")
    factories.CustomerFactory(name="Adam Smith", email="adam@wealth.example")

    page = sign_in(browser, live_server.url, agent)
    _tab_to(page, "New ticket")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/agent/tickets/new/$"))

    # The requester: the radio group is one stop, then the type-ahead suggests matches.
    _tab_to(page, "nt-requester")
    page.keyboard.type("ada")
    page.wait_for_function(
        "() => document.querySelectorAll('#nt-requester-list option').length == 2"
    )
    options = page.locator("#nt-requester-list option")
    assert options.first.get_attribute("value") == "Ada Lovelace <countess@analytical.example>"
    page.keyboard.press("Control+a")
    page.keyboard.type("Ada Lovelace <countess@analytical.example>")

    page.keyboard.press("Tab")  # the new contact's fields are hidden: next are the CCs
    assert page.evaluate("document.activeElement.id") == "nt-cc"
    page.keyboard.type("bookkeeper@analytical.example")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "nt-subject"
    page.keyboard.type("Invoice question by phone")
    page.keyboard.press("Tab")  # the first message's kind
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "nt-body"
    page.keyboard.type("She asked why the invoice shows VAT twice; I said we would check.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "nt-priority"
    page.keyboard.type("h")  # High
    page.screenshot(path=str(tmp_path / "new-ticket-1366.png"))
    _tab_to(page, "Create ticket")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/agent/tickets/\d+/$"))
    ticket = Ticket.objects.get()
    assert page.url.endswith(f"/agent/tickets/{ticket.pk}/")
    assert ticket.cc == ["bookkeeper@analytical.example"]
    page.wait_for_selector(f"text=Ticket #{ticket.pk} created.")
    assert (ticket.requester, ticket.team, ticket.assignee) == (ada, team, agent)
    assert ticket.subject == "Invoice question by phone"
    assert ticket.priority == "high"
    assert ticket.messages.get().kind == MessageKind.REPLY
    page.context.close()


def test_the_page_at_phone_size_keeps_what_was_typed_on_an_error(browser, live_server, tmp_path):
    team = factories.TeamFactory(name="Billing")
    agent = factories.AgentFactory(teams=[team], name="Dana Reyes", email="dana@example.com")
    page = sign_in(browser, live_server.url, agent, width=390, height=844)
    page.goto(f"{live_server.url}/agent/tickets/new/")
    page.check("input[name=requester_kind][value=new]")
    assert page.locator("#nt-requester").is_hidden()
    page.fill("#nt-new-name", "Grace Hopper")
    page.fill("#nt-new-email", "grace-at-navy")
    page.fill("#nt-subject", "Follow-up from the chat")
    page.check("#mk-note")
    page.fill("#nt-body", "Chat transcript is in the CRM.")
    page.click(".nt-actions button[type=submit]")
    page.wait_for_selector("#e-new-email")
    assert page.input_value("#nt-new-name") == "Grace Hopper"
    assert page.input_value("#nt-body") == "Chat transcript is in the CRM."
    assert page.is_checked("#mk-note")
    page.screenshot(path=str(tmp_path / "new-ticket-390-error.png"), full_page=True)
    assert Ticket.objects.count() == 0
    page.context.close()
