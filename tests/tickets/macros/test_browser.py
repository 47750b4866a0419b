"""A macro applied from the composer in Chromium: it fills the reply and shows the header
changes before anything is saved; undo puts everything back; one Send replies, tags and solves."""

from __future__ import annotations

import os

import pytest

from tests import factories
from tests.browser import sign_in
from tickets import services
from tickets.macros import services as macros
from tickets.macros.models import MacroScope
from tickets.models import MessageKind, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SCREENSHOT_DIR")


@pytest.fixture
def world(transactional_db):
    team = factories.TeamFactory(name="Billing")
    agent = factories.AgentFactory(teams=[team], name="Dana Reyes", email="dana@example.com")
    admin = factories.AdminFactory()
    ada = factories.CustomerFactory(name="Ada Lovelace")
    ticket = services.ticket_create(
        requester=ada, subject="Refund for order 1042", body="Please refund me.", team=team
    )
    macro = macros.macro_save(
        agent=admin,
        title="Refund issued — solve",
        scope=MacroScope.SHARED,
        actions={
            "reply": "Hi {{ customer.first_name }}, your refund for {{ ticket.reference }} is "
            "on its way.",
            "note": "Refunded in the billing tool.",
            "status": "solved",
            "priority": "low",
            "tags_add": ["refund"],
        },
    )
    macros.macro_save(
        agent=admin,
        title="Need more info — pending",
        scope="shared",
        actions={"reply": "Could you send a screenshot?", "status": "pending"},
    )
    return {"agent": agent, "ticket": ticket, "macro": macro}


def _pick(page, words: str, title: str) -> None:
    page.fill("#macro-search", words)
    page.wait_for_selector(f".macro-suggest li >> text={title}")
    page.keyboard.press("Enter")
    try:
        page.wait_for_selector(".macro-pending:not([hidden])", timeout=20000)
    except Exception as exc:  # say what the page said
        alert = page.locator("#ws-alert").text_content()
        raise AssertionError(f"macro not applied; alert: {alert!r}") from exc


def test_a_macro_fills_the_composer_then_one_send_replies_tags_and_solves(
    browser, live_server, world
):
    ticket = world["ticket"]
    page = sign_in(browser, live_server.url, world["agent"])
    page.goto(f"{live_server.url}/agent/tickets/{ticket.pk}/")
    page.fill("#composer-body", "")

    _pick(page, "refund", "Refund issued — solve")
    body = page.locator("#composer-body")
    assert body.input_value() == f"Hi Ada, your refund for #{ticket.pk} is on its way."
    changes = page.locator("[data-macro-changes]").inner_text()
    assert "Status: New → Solved" in changes
    assert "Priority: Normal → Low" in changes
    assert "Tags: +refund" in changes
    assert page.locator("#macro-note").input_value() == "Refunded in the billing tool."
    assert page.locator("#ticket-header .macro-mark", has_text="→ Solved").count() == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW  # nothing saved yet
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/composer-macro-1366.png", full_page=False)

    # Undo puts the composer and the header back.
    page.click("[data-macro-undo]")
    assert body.input_value() == ""
    assert page.locator(".macro-pending").is_hidden()
    assert page.locator("#ticket-header .macro-mark").count() == 0

    # Again, edit the text, and one Send does everything.
    _pick(page, "refund iss", "Refund issued — solve")
    body.fill("Hi Ada, the refund is on its way (edited).")
    page.click("#composer button[value='']")
    page.wait_for_selector("text=Macro “Refund issued — solve” applied.")
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    assert ticket.priority == "low"
    assert list(ticket.tags.values_list("name", flat=True)) == ["refund"]
    reply = ticket.messages.get(kind=MessageKind.REPLY, author_user=world["agent"])
    assert reply.body_text == "Hi Ada, the refund is on its way (edited)."
    assert ticket.messages.filter(kind=MessageKind.NOTE).count() == 1
    assert page.locator("#composer-body").input_value() == ""  # the draft is gone
    page.context.close()


def test_composer_with_a_macro_on_a_phone(browser, live_server, world):
    ticket = world["ticket"]
    page = sign_in(browser, live_server.url, world["agent"], width=390, height=844)
    page.goto(f"{live_server.url}/agent/tickets/{ticket.pk}/")
    _pick(page, "more info", "Need more info — pending")
    assert page.locator("#composer-body").input_value() == "Could you send a screenshot?"
    assert "Status: New → Pending" in page.locator("[data-macro-changes]").inner_text()
    page.locator(".macro-pending").scroll_into_view_if_needed()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/composer-macro-390.png", full_page=False)
    page.context.close()


def test_an_agent_makes_a_personal_macro_on_the_settings_page(browser, live_server, world):
    page = sign_in(browser, live_server.url, world["agent"])
    page.goto(f"{live_server.url}/agent/macros/")
    assert page.locator(".macro-table td", has_text="Refund issued — solve").count() == 1
    page.fill("#m-title", "Take it")
    page.select_option("#m-assignee", "me")
    page.select_option("#m-status", "open")
    page.fill("#m-tags-add", "mine")
    page.click(".macro-form button[type=submit]")
    page.wait_for_selector("text=Saved macro “Take it”.")
    assert page.locator(".macro-table td", has_text="Take it").count() == 1
    # Test it on a ticket: what it would do, nothing changed.
    page.click(".macro-table tr:has-text('Take it') a:text('Edit')")
    page.fill("#m-try", f"#{world['ticket'].pk}")
    page.click(".macro-try button[type=submit]")
    page.wait_for_selector(".macro-try li:has-text('Assignee: nobody → Dana Reyes')")
    world["ticket"].refresh_from_db()
    assert world["ticket"].assignee is None
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/macros-page-1366.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=f"{SHOTS}/macros-page-390.png", full_page=False)
    page.context.close()


def test_a_macro_from_the_bulk_bar_on_two_tickets(browser, live_server, world):
    team = world["ticket"].team
    other = services.ticket_create(
        requester=factories.CustomerFactory(), subject="Second refund", body="Me too.", team=team
    )
    page = sign_in(browser, live_server.url, world["agent"])
    page.goto(f"{live_server.url}/agent/queues/teams/")
    for ticket in (world["ticket"], other):
        page.check(f"input[name=ids][value='{ticket.pk}']")
    page.hover("select[name=macro]")
    page.wait_for_selector(
        "select[name=macro] option:has-text('Refund issued — solve')", state="attached"
    )
    page.select_option("select[name=macro]", label="Refund issued — solve")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button[value=macro]")
    page.wait_for_selector("text=Applied “Refund issued — solve” to 2 ticket(s).")
    for ticket in (world["ticket"], other):
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED
        assert not ticket.messages.filter(
            author_user=world["agent"], kind=MessageKind.REPLY
        ).exists()
    page.context.close()


def test_new_activity_stops_the_send_and_keeps_the_macro_pending(browser, live_server, world):
    ticket = world["ticket"]
    page = sign_in(browser, live_server.url, world["agent"])
    page.goto(f"{live_server.url}/agent/tickets/{ticket.pk}/")
    _pick(page, "refund", "Refund issued — solve")
    page.fill("#composer-body", "Refund done, Ada.")
    services.ticket_reply(ticket=ticket, body="Any news?", by=ticket.requester)
    page.click("#composer button[value='']")
    page.wait_for_selector("text=New activity arrived while you were writing.")
    page.wait_for_selector(".macro-pending:not([hidden])")
    assert page.locator("#composer-body").input_value() == "Refund done, Ada."
    assert "Status: New → Solved" in page.locator("[data-macro-changes]").inner_text()
    assert page.locator("#macro-note").input_value() == "Refunded in the billing tool."
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and not ticket.tags.exists()
    page.click("#composer button[value='']")
    page.wait_for_selector("text=Macro “Refund issued — solve” applied.")
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    assert ticket.messages.filter(body_text="Refund done, Ada.").count() == 1
    page.context.close()
