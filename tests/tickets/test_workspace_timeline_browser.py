"""The ticket page's timeline in Chromium: the Conversation/Everything filter (remembered, no
reload), collapsed runs of changes that open by click and Enter, merging from the ticket page
after a preview, and the collision notice that stays in view while writing."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.a11y import assert_accessible
from tests.browser import sign_in
from tickets import services
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    team = factories.TeamFactory(name="Billing")
    dana = factories.AgentFactory(teams=[team], name="Dana Reyes", email="dana@example.com")
    sam = factories.AgentFactory(teams=[team], name="Sam Okafor", email="sam@example.com")
    ann = factories.CustomerFactory(name="Ann Lee", email="ann@example.org")
    ticket = services.ticket_create(
        requester=ann,
        subject="Invoice shows the wrong VAT",
        body="The VAT on #88 is 19%.",
        team=team,
    )
    services.ticket_reply(ticket=ticket, body="Looking into it.", by=dana)
    services.ticket_update(
        ticket=ticket,
        by=sam,
        changes={"priority": "high", "type": "incident", "tags_add": ["billing"]},
    )
    services.ticket_reply(ticket=ticket, body="It should be 7%.", by=ann)
    services.ticket_update(ticket=ticket, by=dana, changes={"assignee": sam})
    return {"team": team, "dana": dana, "sam": sam, "ann": ann, "ticket": ticket}


def test_the_filter_shows_the_conversation_only_and_is_remembered(browser, live_server, world):
    ticket = world["ticket"]
    page = sign_in(browser, live_server.url, world["dana"])
    page.goto(f"{live_server.url}/agent/tickets/{ticket.pk}/")
    change = page.locator(".timeline .event").first
    assert change.is_visible()
    assert_accessible(page)
    conversation = page.get_by_role("button", name="Conversation")
    conversation.focus()
    page.keyboard.press("Enter")  # a button: Enter works as a click
    assert conversation.get_attribute("aria-pressed") == "true"
    assert not change.is_visible()
    assert page.locator(".timeline .msg", has_text="It should be 7%.").is_visible()
    # Remembered for this agent: still messages only after a reload.
    page.reload()
    assert page.get_by_role("button", name="Conversation").get_attribute("aria-pressed") == "true"
    assert not page.locator(".timeline .event").first.is_visible()
    page.get_by_role("button", name="Everything").click()
    assert page.locator(".timeline .event").first.is_visible()
    page.context.close()


def test_consecutive_changes_collapse_and_open_by_click_and_enter(browser, live_server, world):
    ticket = world["ticket"]
    page = sign_in(browser, live_server.url, world["dana"])
    page.goto(f"{live_server.url}/agent/tickets/{ticket.pk}/")
    summary = page.locator(
        ".event-group summary", has_text="4 changes by Dana Reyes and Sam Okafor"
    )
    item = page.locator(
        ".event-group-items li", has_text="Sam Okafor changed type from Question to Incident"
    )
    assert summary.is_visible() and not item.is_visible()
    summary.click()
    assert item.is_visible()
    summary.focus()
    page.keyboard.press("Enter")
    assert not item.is_visible()
    page.keyboard.press("Enter")
    assert item.is_visible()
    # The latest change stands alone, visible, in words.
    assert page.locator(
        ".timeline > .event", has_text="Dana Reyes assigned this to Sam Okafor"
    ).is_visible()
    page.context.close()


def test_merge_from_the_ticket_page_after_a_preview(browser, live_server, world):
    ticket = world["ticket"]
    older = services.ticket_create(
        requester=world["ann"],
        subject="VAT rate wrong on invoice",
        body="Same problem, 19% again.",
        team=world["team"],
    )
    page = sign_in(browser, live_server.url, world["dana"])
    page.goto(f"{live_server.url}/agent/tickets/{older.pk}/")
    page.get_by_role("link", name="Merge into…").click()
    page.get_by_role("heading", name=f"Merge #{older.pk} into another ticket").wait_for()
    # The requester's other open tickets are suggested; a search by number finds it too.
    page.get_by_label("Find the ticket to merge into: number or subject").fill(f"#{ticket.pk}")
    page.keyboard.press("Enter")
    page.get_by_role("link", name=f"#{ticket.pk} Invoice shows the wrong VAT").click()
    preview = page.locator(".merge-preview")
    preview.get_by_text("1 public reply and 0 attachments").wait_for()
    assert "set to Solved" in preview.inner_text()
    assert_accessible(page)
    assert Ticket.objects.get(pk=older.pk).merged_into_id is None  # a preview changes nothing
    page.get_by_role("button", name=f"Merge into #{ticket.pk}").click()
    page.wait_for_url(re.compile(rf"/agent/tickets/{ticket.pk}/$"))
    page.get_by_text(f"#{older.pk} was merged into #{ticket.pk}.").wait_for()
    copy = page.locator(".msg", has_text="Same problem, 19% again.")
    assert copy.locator(".merged-from").inner_text() == f"From #{older.pk}, merged"
    assert Ticket.objects.get(pk=older.pk).merged_into_id == ticket.pk
    page.context.close()


def test_the_collision_notice_stays_in_view_while_writing(browser, live_server, world):
    ticket = world["ticket"]
    for n in range(12):
        services.ticket_reply(ticket=ticket, body=f"Long conversation, part {n}.", by=world["ann"])
    url = f"{live_server.url}/agent/tickets/{ticket.pk}/"
    sam = sign_in(browser, live_server.url, world["sam"])
    sam.goto(url)
    sam.click("#composer-body")
    sam.keyboard.type("Typing something")
    dana = sign_in(browser, live_server.url, world["dana"])
    dana.goto(url)
    dana.click("#composer-body")
    dana.keyboard.type("My answer")
    notice = dana.locator("#presence", has_text="Sam Okafor is typing")
    notice.wait_for(timeout=15000)

    def in_view() -> bool:
        box = notice.bounding_box()
        return box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 768

    assert in_view()
    for y in (0, 400, 10_000):  # reading the timeline above, or down at the composer
        dana.evaluate(f"window.scrollTo(0, {y})")
        assert in_view(), y
    sam.context.close()
    dana.context.close()
