"""Queues in Chromium (issue 18): no sideways scrolling at 1366×768 or on a phone with long
subjects and names, the SLA column in view, the sort control, the bulk bar only with a selection,
"Send and next ticket" and Ctrl+Enter in the composer, availability kept across sign-ins."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest

from support import clock
from tests import factories
from tests.a11y import assert_accessible
from tickets import services
from tickets.models import MessageKind, Priority, Ticket
from tickets.workspace import queues

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-queues"))  # noqa: S108 - screenshots only
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
LONG = (
    "Our whole accounting department cannot export the quarterly VAT report to the new "
    "spreadsheet format since Tuesday and the auditors arrive on Monday morning"
)


def filed(team, *, minutes_ago: int, subject: str, priority: str = Priority.NORMAL, **kwargs):
    with clock.travel(clock.now() - timedelta(minutes=minutes_ago)):
        return services.ticket_create(
            requester=kwargs.pop("requester", None) or factories.CustomerFactory(),
            subject=subject,
            body="Details inside.",
            team=team,
            priority=priority,
            **kwargs,
        )


@pytest.fixture
def world(transactional_db):
    """A team with an SLA (first response in an hour, warning at 75%): tickets breached, at
    risk, fresh and paused, with very long subjects and names."""
    factories.SlaPolicyFactory(
        calendar=factories.BusinessCalendarFactory(always_open=True),
        first_response_minutes=60,
        resolution_minutes=24 * 60,
        warning_percent=75,
    )
    team = factories.TeamFactory(name="Billing and invoicing escalations (EMEA)")
    agent = factories.AgentFactory(
        teams=[team], name="Maximiliana Featherstonehaugh-Wolfeschlegel", email="max@example.com"
    )
    org = factories.OrganizationFactory(name="Consolidated Intercontinental Widgets Holdings")
    requester = factories.CustomerFactory(
        name="Bartholomew Ignatius Worthington-Smythe the Third",
        email="bartholomew.worthington-smythe@consolidated-intercontinental.example.com",
        organization=org,
    )
    tickets = {
        "breached_long_ago": filed(team, minutes_ago=600, subject=f"Long breached: {LONG}"),
        "breached": filed(team, minutes_ago=70, subject="Breached ten minutes ago"),
        "at_risk": filed(team, minutes_ago=50, subject=f"At risk: {LONG}", requester=requester),
        "fresh_urgent": filed(
            team, minutes_ago=5, subject="Fresh but urgent", priority=Priority.URGENT
        ),
        "fresh": filed(team, minutes_ago=4, subject="Fresh and normal"),
    }
    return {"team": team, "agent": agent, "tickets": tickets}


def sign_in(browser, base_url: str, user, *, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/agent/queues/mine/"))
    return page


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def refs(page) -> list[int]:
    return [
        int(text.lstrip("#"))
        for text in page.locator("tbody tr[data-href] td.ref").all_inner_texts()
    ]


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


@pytest.mark.parametrize("slug", [v.slug for v in queues.BUILTIN_VIEWS])
def test_no_queue_scrolls_sideways_and_the_sla_column_shows(browser, live_server, world, slug):
    """Every built-in queue fits 1366×768 (the SLA column in view) and 390×844 (cards)."""
    world["agent"].refresh_from_db()
    page = sign_in(browser, live_server.url, world["agent"])
    page.goto(f"{live_server.url}/agent/queues/{slug}/")
    if slug in ("open", "all", "teams", "unassigned"):
        assert page.locator("tbody tr[data-href]").count() == 5
    assert scroll_width(page) <= DESKTOP["width"], f"{slug} scrolls sideways at 1366"
    header = page.locator("th.col-sla")
    assert header.is_visible()
    box = header.bounding_box()
    assert box["x"] + box["width"] <= DESKTOP["width"]
    if page.locator("tbody tr[data-href]").count():
        # The long subject is cut, with the whole of it on hover.
        link = page.locator("td.subject a").first
        assert link.get_attribute("title") == link.inner_text()
        # j moves through the rows without moving the page sideways.
        page.keyboard.press("j")
        page.keyboard.press("j")
        assert page.evaluate("window.scrollX") == 0
    page.set_viewport_size(PHONE)
    assert scroll_width(page) <= PHONE["width"], f"{slug} scrolls sideways on a phone"
    page.context.close()


def test_long_subjects_are_cut_with_the_full_text_on_hover(browser, live_server, world):
    page = sign_in(browser, live_server.url, world["agent"])
    page.goto(f"{live_server.url}/agent/queues/open/")
    link = page.locator("td.subject a", has_text="At risk:")
    assert link.get_attribute("title") == f"At risk: {LONG}"
    assert link.evaluate("el => el.scrollWidth > el.clientWidth")  # cut, with an ellipsis
    assert link.evaluate("el => getComputedStyle(el).textOverflow") == "ellipsis"
    # Requester and organization fold under the subject when their column is hidden.
    assert not page.locator("th.col-requester").is_visible()
    meta = page.locator("tr", has=link).locator(".meta-requester")
    assert meta.is_visible() and "Bartholomew" in meta.inner_text()
    shot(page, "agent-queue-1366.png")
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert link.is_visible()
    shot(page, "agent-queue-phone.png")
    page.context.close()


def test_sort_control_orders_and_pages_each_sort(browser, live_server, world):
    t = world["tickets"]
    page = sign_in(browser, live_server.url, world["agent"])
    # "Unassigned" opens most urgent first: the nearest due time first, no clock last.
    page.goto(f"{live_server.url}/agent/queues/unassigned/")
    assert page.locator(".sort-choices a[aria-current=true]").inner_text().startswith("SLA due")
    assert refs(page) == [
        t["breached_long_ago"].pk,
        t["breached"].pk,
        t["at_risk"].pk,
        t["fresh_urgent"].pk,
        t["fresh"].pk,
    ]
    assert page.locator("caption").inner_text().endswith("SLA due soonest first")
    # Another view starts with the latest update first; the control changes it, without JS too.
    page.goto(f"{live_server.url}/agent/queues/open/")
    assert refs(page)[0] == t["fresh"].pk
    page.click(".sort-choices a:has-text('Priority')")
    page.wait_for_url(re.compile(r"sort=-priority"))
    assert refs(page)[0] == t["fresh_urgent"].pk
    page.click(".sort-choices a:has-text('Created')")
    page.wait_for_url(re.compile(r"sort=-created"))
    assert refs(page) == [t[k].pk for k in ("fresh", "fresh_urgent", "at_risk", "breached")] + [
        t["breached_long_ago"].pk
    ]
    # The current choice flips the direction.
    page.click(".sort-choices a[aria-current=true]")
    page.wait_for_url(re.compile(r"sort=created"))
    assert refs(page)[0] == t["breached_long_ago"].pk
    # Keyset pages in the SLA sort: two at a time, every ticket once, in order.
    page.goto(f"{live_server.url}/agent/queues/open/?sort=sla&size=25")
    expected = refs(page)
    seen = []
    url = f"{live_server.url}/agent/queues/open/?sort=sla&size=2"
    page.goto(url)
    while True:
        seen += refs(page)
        more = page.locator("a[rel=next]")
        if not more.count():
            break
        more.click()
        page.wait_for_load_state()
    assert seen == expected
    assert_accessible(page)
    page.context.close()


def test_sla_board_shows_at_risk_before_breached(browser, live_server, world):
    t = world["tickets"]
    page = sign_in(browser, live_server.url, world["agent"])
    page.goto(f"{live_server.url}/sla/at-risk/")
    headings = page.locator(".sla-page h2").all_inner_texts()
    assert headings[0].startswith("At risk") and headings[1].startswith("Breached")
    breached = page.locator("section[aria-labelledby=breached-title] tbody tr")
    assert "Breached ten minutes ago" in breached.nth(0).inner_text()
    assert f"#{t['breached_long_ago'].pk}" in breached.nth(1).inner_text()
    assert scroll_width(page) <= DESKTOP["width"]
    shot(page, "agent-sla-board-1366.png")
    page.set_viewport_size(PHONE)
    assert scroll_width(page) <= PHONE["width"]
    shot(page, "agent-sla-board-phone.png")
    assert_accessible(page)
    page.context.close()


def test_bulk_bar_appears_only_with_a_selection(browser, live_server, world):
    page = sign_in(browser, live_server.url, world["agent"])
    page.goto(f"{live_server.url}/agent/queues/open/")
    bar = page.locator("#bulk-form")
    assert not bar.is_visible()
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert bar.is_visible()
    assert page.locator("#bulk-status").inner_text().startswith("1 ticket selected")
    assert page.locator("#bulk-status").get_attribute("role") == "status"
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert page.locator("[data-selected-count]").inner_text() == "2 selected"
    shot(page, "agent-queue-bulk-1366.png")
    assert_accessible(page)
    # Keyboard reachable: the bar comes just before the list (Shift+Tab from its first box).
    page.focus("[data-select-all]")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.closest('#bulk-form') !== null")
    # ...and Tab from the sort control goes into it before the list.
    page.locator(".sort-choices a").last.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#bulk-form') !== null")
    page.set_viewport_size(PHONE)
    assert bar.is_visible() and scroll_width(page) <= PHONE["width"]
    shot(page, "agent-queue-bulk-phone.png")
    page.set_viewport_size(DESKTOP)
    page.click("[data-clear-selection]")
    assert not bar.is_visible()
    assert page.locator("#bulk-status").inner_text().startswith("Selection cleared")
    page.context.close()


def test_send_and_next_ticket_opens_the_next_in_the_queue(browser, live_server, world):
    t = world["tickets"]
    page = sign_in(browser, live_server.url, world["agent"])
    page.goto(f"{live_server.url}/agent/queues/unassigned/")
    page.click(f"td.subject a[href*='/tickets/{t['breached'].pk}/']")
    page.wait_for_url(re.compile(rf"/tickets/{t['breached'].pk}/\?from="))
    assert page.locator(".back-to-queue a").inner_text() == "← Unassigned in my teams"
    page.fill("#composer-body", "Looking into it now.")
    page.wait_for_timeout(500)  # the draft is saved
    page.click("#composer button[name=next]")
    # The reply moved the ticket down the SLA order; the next one is the one after its old place.
    page.wait_for_url(re.compile(rf"/tickets/{t['at_risk'].pk}/\?from="))
    assert "Reply sent" in page.locator(".flash").inner_text()
    assert t["breached"].messages.filter(body_text__contains="Looking into it").count() == 1
    draft = page.evaluate(f"localStorage.getItem('draft:ticket:{t['breached'].pk}')")
    assert draft is None  # the answered ticket's draft is gone
    assert "done=" not in page.url
    shot(page, "agent-send-and-next-1366.png")
    page.set_viewport_size(PHONE)
    assert scroll_width(page) <= PHONE["width"]
    page.locator("#composer .composer-actions").scroll_into_view_if_needed()
    shot(page, "agent-send-and-next-phone.png")
    assert_accessible(page)
    page.context.close()


def test_ctrl_enter_sends_with_the_same_confirmations(browser, live_server, world):
    ticket = world["tickets"]["fresh"]
    page = sign_in(browser, live_server.url, world["agent"])
    page.goto(f"{live_server.url}/agent/tickets/{ticket.pk}/")
    # Written as a note, switched to a public reply: Ctrl+Enter asks first, like Send.
    page.check("#composer input[name=kind][value=note]")
    page.fill("#composer-body", "Customer seems annoyed, careful.")
    page.check("#composer input[name=kind][value=reply]")
    page.focus("#composer-body")
    page.keyboard.press("Control+Enter")
    dialog = page.locator("dialog.confirm-send")
    assert dialog.is_visible()
    page.keyboard.press("Escape")  # keep editing: nothing sent
    assert not ticket.messages.filter(body_text__contains="annoyed").exists()
    # New activity since the page was loaded: the server stops a Ctrl+Enter send too.
    page.check("#composer input[name=kind][value=note]")
    services.ticket_reply(ticket=ticket, body="Any news?", by=ticket.requester)
    page.focus("#composer-body")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("text=New activity arrived")
    assert page.input_value("#composer-body") == "Customer seems annoyed, careful."
    # Read it; now Ctrl+Enter sends the note.
    page.focus("#composer-body")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("text=Note added.")
    note = ticket.messages.get(body_text__contains="annoyed")
    assert note.kind == MessageKind.NOTE
    page.context.close()


def test_availability_is_kept_across_sign_ins_and_shown_in_the_top_bar(browser, live_server, world):
    agent = world["agent"]
    page = sign_in(browser, live_server.url, agent)
    select = page.locator("#availability-select")
    assert select.input_value() == "offline"
    select.select_option("online")
    page.wait_for_selector("#availability-select.availability-online")
    agent.refresh_from_db()
    assert agent.availability == "online"
    page.click("form[action='/logout/'] button")
    page.context.close()
    page = sign_in(browser, live_server.url, agent)
    assert page.locator("#availability-select").input_value() == "online"
    assert page.locator("#availability-select.availability-online").is_visible()
    # With the keyboard: arrows browse, Enter saves (the top bar's select saves on a choice).
    page.focus("#availability-select")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector("#availability-select.availability-away")
    agent.refresh_from_db()
    assert agent.availability == "away"
    page.reload()
    assert page.locator("#availability-select").input_value() == "away"
    shot(page, "agent-availability-1366.png")
    page.context.close()


def test_a_ticket_with_a_queue_that_is_gone_has_no_send_and_next(browser, live_server, world):
    ticket = world["tickets"]["fresh"]
    page = sign_in(browser, live_server.url, world["agent"])
    page.goto(f"{live_server.url}/agent/tickets/{ticket.pk}/?from=https://evil.example.com/x")
    assert page.locator("#composer button[name=next]").count() == 0
    page.goto(f"{live_server.url}/agent/tickets/{ticket.pk}/?from=/agent/queues/nope/")
    assert page.locator("#composer button[name=next]").count() == 0
    assert Ticket.objects.count() == 5
    page.context.close()
