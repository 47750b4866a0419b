"""The workspace driven through Debian's Chromium: sign in, work a queue with the keyboard, open a
ticket, reply, add a note, change status, bulk-assign, search, see a colleague's presence."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.browser import sign_in
from tickets import services
from tickets.models import MessageKind, Status, Ticket
from tickets.workspace import canned, search

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    team = factories.TeamFactory(name="Billing")
    agent = factories.AgentFactory(teams=[team], name="Dana Reyes", email="dana@example.com")
    colleague = factories.AgentFactory(teams=[team], name="Sam Okafor", email="sam@example.com")
    org = factories.OrganizationFactory(name="Globex")
    customers = [
        factories.CustomerFactory(name=f"Customer {n}", organization=org) for n in range(4)
    ]
    tickets = [
        services.ticket_create(
            requester=customers[n],
            subject=subject,
            body=f"Body of {subject}",
            team=team,
        )
        for n, subject in enumerate(
            ["Invoice shows the wrong VAT", "Refund please", "Login loop", "Export times out"]
        )
    ]
    search.documents_rebuild_all()
    canned.canned_save(
        agent=agent, title="Refund policy", shortcut="refund", body="Hi {{ customer.first_name }}"
    )
    return {"team": team, "agent": agent, "colleague": colleague, "tickets": tickets}


def test_work_a_ticket_from_the_queue_with_the_keyboard(browser, live_server, world):
    page = sign_in(browser, live_server.url, world["agent"])
    page.goto(f"{live_server.url}/agent/queues/teams/")
    assert page.locator("tr[data-href]").count() == 4
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    current = page.locator("tr.is-current")
    href = current.get_attribute("data-href")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(href) + "$"))
    ticket = Ticket.objects.get(pk=int(re.search(r"/tickets/(\d+)/", href).group(1)))

    # r: public reply, sent and set pending
    page.keyboard.press("r")
    page.keyboard.type("We are on it.")
    page.click("button[value=pending]")
    page.wait_for_selector("text=Reply sent.")
    assert page.locator(".msg-agent", has_text="We are on it.").count() == 1

    # n: internal note, shown differently
    page.keyboard.press("n")
    page.keyboard.type("Checked the logs.")
    page.click("#composer button[value='']")
    page.wait_for_selector(".msg-note >> text=Checked the logs.")
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert ticket.messages.filter(kind=MessageKind.NOTE).count() == 1

    # status in place (htmx), the timeline shows the change as a sentence
    page.select_option("#f-status", "on_hold")
    page.wait_for_selector("text=changed status from pending to on hold")
    ticket.refresh_from_db()
    assert ticket.status == Status.ON_HOLD
    page.context.close()


def test_draft_survives_a_reload_and_canned_responses_insert(browser, live_server, world):
    ticket = world["tickets"][0]
    page = sign_in(browser, live_server.url, world["agent"])
    page.goto(f"{live_server.url}/agent/tickets/{ticket.pk}/")
    page.click("#composer-body")
    page.keyboard.type("Half-written answer ;ref")
    page.wait_for_selector(".canned-suggest li >> text=Refund policy")
    page.keyboard.press("Enter")
    first_name = ticket.requester.first_name
    assert page.input_value("#composer-body") == f"Half-written answer Hi {first_name}"
    page.wait_for_timeout(600)  # the draft is saved after a short pause in typing
    page.reload()
    assert page.input_value("#composer-body") == f"Half-written answer Hi {first_name}"
    # An empty reply is refused with a message; what was typed is still there
    page.fill("#composer-body", "   ")
    page.click("#composer button[value='']")
    page.wait_for_selector("text=The message is empty.")
    page.context.close()


def test_bulk_assign_and_search(browser, live_server, world):
    page = sign_in(browser, live_server.url, world["agent"])
    page.goto(f"{live_server.url}/agent/queues/unassigned/")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.wait_for_selector("text=2 selected")
    page.select_option("#bulk-form select[name=assignee]", "me")
    page.click("#bulk-form button[value=assign]")
    page.wait_for_selector("text=Updated 2 ticket(s).")
    assert Ticket.objects.filter(assignee=world["agent"]).count() == 2

    page.keyboard.press("/")
    page.keyboard.type("VAT")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/agent/search/\?q=VAT"))
    results = page.locator(".search-results li[data-href]")
    assert results.count() == 1
    assert "Invoice shows the wrong VAT" in results.first.inner_text()
    page.keyboard.press("?")
    assert page.locator("#shortcuts").is_visible()
    page.context.close()


def test_a_colleague_viewing_and_typing_is_shown(browser, live_server, world):
    ticket = world["tickets"][1]
    url = f"{live_server.url}/agent/tickets/{ticket.pk}/"
    sam = sign_in(browser, live_server.url, world["colleague"])
    sam.goto(url)
    sam.click("#composer-body")
    sam.keyboard.type("Typing something")
    dana = sign_in(browser, live_server.url, world["agent"])
    dana.goto(url)
    dana.wait_for_selector("#presence >> text=Sam Okafor is typing", timeout=15000)
    sam.context.close()
    dana.context.close()


def test_sending_after_a_new_customer_reply_warns_first(browser, live_server, world):
    ticket = world["tickets"][2]
    page = sign_in(browser, live_server.url, world["agent"])
    page.goto(f"{live_server.url}/agent/tickets/{ticket.pk}/")
    page.fill("#composer-body", "Please try again")
    services.ticket_reply(ticket=ticket, body="Never mind, fixed it", by=ticket.requester)
    page.click("#composer button[value='']")
    page.wait_for_selector("text=New activity arrived")
    # The new message is shown once, in the timeline, marked New; the notice links to it.
    assert page.locator(".ticket-main").get_by_text("Never mind, fixed it").count() == 1
    assert page.locator(".msg-new", has_text="Never mind, fixed it").count() == 1
    assert page.locator(".new-activity a", has_text="Reply from").count() == 1
    assert page.input_value("#composer-body") == "Please try again"
    page.click("#composer button[value='']")
    page.wait_for_selector("text=Reply sent.")
    page.context.close()
