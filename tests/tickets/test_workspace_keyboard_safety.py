"""Keyboard safety in the agent workspace, driven through Debian's Chromium: a key meant for the
composer or a dropdown is never read as something else. Esc in the canned list keeps the note a
note, letters typed after it never switch the mode, a note turned into a public reply asks before
it is sent, and browsing a header dropdown with the keyboard saves nothing until Enter."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests import factories
from tickets import services
from tickets.models import EventKind, MessageKind, Priority, Status
from tickets.workspace import canned

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-keyboard"))  # noqa: S108 - screenshots only
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture
def world(transactional_db):
    team = factories.TeamFactory(name="Billing")
    agent = factories.AgentFactory(teams=[team], name="Dana Reyes", email="dana@example.com")
    factories.AgentFactory(teams=[team], name="Sam Okafor", email="sam@example.com")
    customer = factories.CustomerFactory(name="Ada Lovelace")
    ticket = services.ticket_create(
        requester=customer, subject="Invoice shows the wrong VAT", body="Please fix.", team=team
    )
    canned.canned_save(
        agent=agent, title="Refund policy", shortcut="refund", body="Refunds take 5 days."
    )
    return {"agent": agent, "ticket": ticket}


def _ticket_page(browser, live_server, world, *, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", world["agent"].email)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/agent/queues/mine/"))
    page.goto(f"{live_server.url}/agent/tickets/{world['ticket'].pk}/")
    return page


def _posts(page, pattern):
    """The POST requests the page sends whose URL matches ``pattern``, recorded as they go."""
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    return lambda: [url for url in sent if re.search(pattern, url)]


def _shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"))


def _mode(page):
    return page.eval_on_selector("#composer", "f => f.querySelector('[name=kind]:checked').value")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366x768", "390x844"])
def test_esc_in_the_canned_list_keeps_focus_and_letters_never_switch_a_note(
    browser, live_server, world, viewport
):
    page = _ticket_page(browser, live_server, world, viewport=viewport)
    page.click("#composer label:has-text('Internal note')")
    page.click("#composer-body")
    page.keyboard.type("Customer is on the old plan ;ref")
    page.wait_for_selector(".canned-suggest li >> text=Refund policy")

    page.keyboard.press("Escape")
    assert page.locator(".canned-suggest").is_hidden()
    _wait_for_focus(page, "composer-body")
    page.keyboard.type("rn and more")
    assert _mode(page) == "note"
    assert page.input_value("#composer-body") == "Customer is on the old plan ;refrn and more"

    # A second Esc leaves the field on purpose; r and n then go back to the composer, but a
    # composer with text keeps its mode: only the mode control changes it.
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") != "composer-body"
    page.keyboard.press("r")
    _wait_for_focus(page, "composer-body")
    assert _mode(page) == "note"
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    page.keyboard.press("r")
    assert _mode(page) == "note"
    assert page.locator("#composer").get_attribute("class").split().count("is-note") == 1
    assert page.input_value("#composer-body") == "Customer is on the old plan ;refrn and morer"
    _shoot(page, "keyboard-note")
    page.context.close()


def test_r_and_n_still_choose_the_mode_of_an_empty_composer(browser, live_server, world):
    page = _ticket_page(browser, live_server, world)
    page.keyboard.press("n")
    assert _mode(page) == "note"
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    assert _mode(page) == "reply"
    _wait_for_focus(page, "composer-body")
    page.context.close()


def test_a_typed_note_switched_to_a_public_reply_asks_before_sending(browser, live_server, world):
    ticket = world["ticket"]
    page = _ticket_page(browser, live_server, world)
    page.click("#composer label:has-text('Internal note')")
    page.click("#composer-body")
    page.keyboard.type("Between us: they still owe two invoices.")
    page.click("#composer label:has-text('Public reply')")
    page.click("#composer button[value='']")

    dialog = page.locator("dialog.confirm-send")
    assert dialog.is_visible()
    assert "customer" in dialog.inner_text()
    _shoot(page, "keyboard-confirm")
    page.set_viewport_size(PHONE)
    _shoot(page, "keyboard-confirm")
    page.set_viewport_size(DESKTOP)
    # Keep editing is the default: Enter right away cancels, it never publishes.
    page.keyboard.press("Enter")
    assert dialog.is_hidden()
    page.wait_for_timeout(300)
    assert not ticket.messages.filter(kind=MessageKind.REPLY, body_text__contains="owe").exists()
    assert page.input_value("#composer-body") == "Between us: they still owe two invoices."

    # Esc cancels too.
    page.click("#composer button[value=pending]")
    assert dialog.is_visible()
    page.keyboard.press("Escape")
    assert dialog.is_hidden()
    page.wait_for_timeout(300)
    assert not ticket.messages.filter(body_text__contains="owe").exists()

    # Confirming sends it, with the button that was pressed.
    page.click("#composer button[value=pending]")
    page.click("dialog.confirm-send button:has-text('Send public reply')")
    page.wait_for_selector("text=Reply sent.")
    ticket.refresh_from_db()
    assert ticket.messages.filter(kind=MessageKind.REPLY, body_text__contains="owe").count() == 1
    assert ticket.status == Status.PENDING
    page.context.close()


def test_a_reply_written_as_a_reply_is_sent_without_asking(browser, live_server, world):
    page = _ticket_page(browser, live_server, world)
    # Switching to a note and back to a reply before any text is typed is not a risk either.
    page.click("#composer label:has-text('Internal note')")
    page.click("#composer label:has-text('Public reply')")
    page.click("#composer-body")
    page.keyboard.type("We have corrected the VAT.")
    page.click("#composer button[value='']")
    page.wait_for_selector("text=Reply sent.")
    assert page.locator("dialog.confirm-send[open]").count() == 0
    page.context.close()


def test_the_question_survives_a_reload_of_the_draft(browser, live_server, world):
    ticket = world["ticket"]
    page = _ticket_page(browser, live_server, world)
    page.click("#composer label:has-text('Internal note')")
    page.click("#composer-body")
    page.keyboard.type("Internal only")
    page.click("#composer label:has-text('Public reply')")
    page.wait_for_timeout(100)
    page.reload()
    assert _mode(page) == "reply"
    page.click("#composer button[value='']")
    assert page.locator("dialog.confirm-send").is_visible()
    page.click("dialog.confirm-send button:has-text('Keep editing')")
    _wait_for_focus(page, "composer-body")
    assert not ticket.messages.filter(body_text__contains="Internal only").exists()
    page.context.close()


def test_arrow_keys_on_the_status_select_save_nothing_until_enter(browser, live_server, world):
    ticket = world["ticket"]
    assert ticket.status == Status.NEW
    page = _ticket_page(browser, live_server, world)
    posts = _posts(page, r"/edit/status/")
    page.focus("#f-status")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.input_value("#f-status") == Status.PENDING
    page.wait_for_timeout(500)
    assert posts() == []
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
    assert not ticket.events.filter(kind=EventKind.STATUS_CHANGED).exists()
    _shoot(page, "keyboard-held-select")

    with page.expect_response(re.compile(r"/edit/status/")):
        page.keyboard.press("Enter")
    page.wait_for_selector("text=changed status from new to pending")
    assert len(posts()) == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert ticket.events.filter(kind=EventKind.STATUS_CHANGED).count() == 1
    # The keyboard stays where it was: on the (re-rendered) Status select.
    _wait_for_focus(page, "f-status")
    page.context.close()


def test_esc_or_leaving_a_header_select_puts_the_saved_value_back(browser, live_server, world):
    ticket = world["ticket"]
    page = _ticket_page(browser, live_server, world)
    posts = _posts(page, r"/edit/")
    saved = page.input_value("#f-priority")
    page.focus("#f-priority")
    page.keyboard.press("ArrowDown")
    assert page.input_value("#f-priority") != saved
    page.keyboard.press("Escape")
    assert page.input_value("#f-priority") == saved
    _wait_for_focus(page, "f-priority")

    page.keyboard.press("End")
    page.keyboard.press("Tab")
    assert page.input_value("#f-priority") == saved
    page.wait_for_timeout(500)
    assert posts() == []
    ticket.refresh_from_db()
    assert ticket.priority == Priority(saved)
    page.context.close()


@pytest.mark.parametrize(
    "selector",
    [
        "#f-status",
        "#f-priority",
        "#f-type",
        "#f-assignee",
        "#f-team",
        "select[aria-label='Add a follower']",
        "#availability-select",
    ],
)
def test_no_select_that_saves_on_change_saves_while_browsing(browser, live_server, world, selector):
    agent = world["agent"]
    page = _ticket_page(browser, live_server, world)
    agent.refresh_from_db()
    availability_before = agent.availability
    posts = _posts(page, r"/(edit/|availability/)")
    page.focus(selector)
    for key in ("ArrowDown", "ArrowDown", "ArrowUp", "End", "Home", "PageDown", "s"):
        page.keyboard.press(key)
    page.wait_for_timeout(400)
    assert posts() == []
    assert not world["ticket"].events.exclude(kind=EventKind.CREATED).exists()
    agent.refresh_from_db()
    assert agent.availability == availability_before
    page.context.close()


def test_a_mouse_pick_on_a_header_select_still_saves_at_once(browser, live_server, world):
    ticket = world["ticket"]
    page = _ticket_page(browser, live_server, world)
    page.select_option("#f-status", "on_hold")
    page.wait_for_selector("text=changed status from new to on hold")
    ticket.refresh_from_db()
    assert ticket.status == Status.ON_HOLD
    page.context.close()


def _wait_for_focus(page, element_id: str) -> None:
    """Focus moves in an event handler (a dialog's ``close`` fires after the click): wait for it,
    and fail if it never arrives."""
    page.wait_for_function(
        "id => document.activeElement && document.activeElement.id === id",
        arg=element_id,
        timeout=5000,
    )
