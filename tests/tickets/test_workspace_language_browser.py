"""An agent switches the workspace to German from Settings → Your language, with the keyboard,
in headless Chromium: the navigation, the queue (its rows: statuses, priorities, SLA clocks) and
the ticket page (its timeline's sentences and dates) read in German, axe-clean and without
sideways scrolling from the longer German words at 1366×768 and 390×844.

Screenshots go to ``$KB_SCREENSHOTS`` when set (docs/img is made from them), else a temp dir."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from accounts.models import User
from support import clock
from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible
from tests.kb.test_browser import signed_in_page
from tickets.models import EventKind, Ticket, TicketEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_reads_the_workspace_in_german(browser, live_server, tmp_path):
    shots = Path(os.environ.get("KB_SCREENSHOTS") or tmp_path)
    team = factories.TeamFactory(name="Support")
    agent = factories.AgentFactory(name="Dana Reyes", teams=[team])
    ticket = factories.TicketFactory(
        team=team, subject="Rechnung fehlt", status="on_hold", priority="urgent"
    )
    due = clock.now() + timedelta(hours=3, minutes=20)
    Ticket.objects.filter(pk=ticket.pk).update(first_response_due_at=due)
    factories.TicketFactory(
        team=team,
        subject="Zahlungsbestätigungsbenachrichtigungen kommen nicht an",
        status="pending",
        assignee=agent,
    )
    breached = clock.now() - timedelta(hours=1)
    TicketEvent.objects.create(
        ticket=ticket,
        kind=EventKind.SLA_BREACHED,
        field="resolution",
        old=f"due {breached.isoformat()}",
        new=f"breach at {breached.isoformat()}",
    )
    TicketEvent.objects.create(
        ticket=ticket, kind=EventKind.PRIORITY_CHANGED, actor=agent, field="priority",
        old="normal", new="urgent",
    )  # fmt: skip
    page = signed_in_page(browser, live_server, agent)
    page.goto(f"{live_server.url}/agent/settings/canned/")
    page.get_by_role("link", name="Your language").click()
    language = page.get_by_label("The workspace's language")
    language.focus()
    language.select_option("de")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text("Ihre Sprache ist gespeichert.").wait_for()
    assert User.objects.get(pk=agent.pk).locale == "de"
    assert_accessible(page)

    page.get_by_role("link", name="Alle Tickets").click()
    page.get_by_role("heading", name="Alle Tickets", level=1).wait_for()
    assert page.get_by_role("link", name="Neues Ticket").is_visible()
    assert page.get_by_text("2 angezeigt").is_visible()
    rows = page.locator("tbody").inner_text()
    for german in ("Zurückgestellt", "Dringend", "Wartend", "erste Antwort in 3 Std."):
        assert german in rows, german
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        assert_accessible(page)
        _no_sideways_scrolling(page)
        page.screenshot(path=shots / f"workspace-queue-de-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)

    page.get_by_role("link", name="Rechnung fehlt").click()
    page.get_by_role("radio", name="Öffentliche Antwort").wait_for()
    assert page.get_by_role("button", name="Senden", exact=True).is_visible()
    body = page.get_by_label("Nachricht")
    assert body.get_attribute("placeholder").startswith("Antwort schreiben")
    page.get_by_role("radio", name="Interne Notiz").check()
    assert body.get_attribute("placeholder") == "Interne Notiz schreiben (nur für Agenten) …"
    timeline = page.locator("ol.timeline").inner_text()
    assert "SLA verletzt: Lösung (war fällig heute " in timeline
    assert "Dana Reyes hat die Priorität von Normal auf Dringend geändert" in timeline
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        assert_accessible(page)
        _no_sideways_scrolling(page)
        page.screenshot(path=shots / f"workspace-ticket-de-{label}.png", full_page=True)


def _no_sideways_scrolling(page) -> None:
    """Nothing wider than the window: the page doesn't scroll sideways (German words are long)."""
    wide = page.evaluate("""() => [document.documentElement.scrollWidth, window.innerWidth]""")
    assert wide[0] <= wide[1], wide


def test_the_scripts_notices_the_panels_and_an_admin_page_read_german(
    browser, live_server, tmp_path
):
    """What the workspace's JavaScript writes comes from the German catalog (a live-region
    notice in the queue, the composer's draft notice), the other apps' panels on the ticket page
    are German, and so is an admin page: axe-clean, no sideways scrolling, at both sizes."""
    shots = Path(os.environ.get("KB_SCREENSHOTS") or tmp_path)
    team = factories.TeamFactory(name="Support")
    admin = factories.AdminFactory(name="Dana Reyes", teams=[team], locale="de")
    ticket = factories.TicketFactory(team=team, subject="Rechnung fehlt")
    factories.TicketFactory(team=team, subject="Zugang gesperrt")
    page = signed_in_page(browser, live_server, admin)

    page.goto(f"{live_server.url}/agent/queues/all/")
    page.locator(f'input[name=ids][value="{ticket.pk}"]').check()
    status = page.locator("#bulk-status")
    said = "1 Ticket ausgewählt. Die Sammelaktionen stehen über der Liste."
    status.filter(has_text=said).wait_for(state="attached")
    assert page.locator("[data-selected-count]").inner_text() == "1 ausgewählt"

    page.goto(f"{live_server.url}/agent/tickets/{ticket.pk}/")
    page.get_by_role("heading", name="Produkt-Feedback").wait_for()
    page.get_by_role("heading", name="Kundenzufriedenheit").wait_for()
    assert page.get_by_placeholder("Artikel zum Senden suchen").is_visible()
    page.get_by_role("heading", name="E-Mail-Zustellung").wait_for()
    page.get_by_text("Für dieses Ticket wurde noch keine E-Mail gesendet.").wait_for()
    page.get_by_label("Nachricht").fill("Die Rechnung kommt heute.")
    page.locator(".draft-state", has_text="Entwurf gespeichert").wait_for()
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        assert_accessible(page)
        _no_sideways_scrolling(page)
        page.screenshot(path=shots / f"workspace-ticket-panels-de-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)

    page.goto(f"{live_server.url}/automation/")
    page.get_by_role("heading", name="Routing, Trigger und Automatisierungen", level=1).wait_for()
    assert page.get_by_role("link", name="Neue Regel").is_visible()
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        assert_accessible(page)
        _no_sideways_scrolling(page)
        page.screenshot(path=shots / f"workspace-admin-de-{label}.png", full_page=True)


def test_spanish_admin_pages_fit_a_phone(browser, live_server, tmp_path):
    """Spanish words are the longest: the users and SLA pages in Spanish, axe-clean and without
    sideways scrolling at both sizes."""
    shots = Path(os.environ.get("KB_SCREENSHOTS") or tmp_path)
    team = factories.TeamFactory(name="Soporte")
    admin = factories.AdminFactory(name="Lucía Gómez", teams=[team], locale="es")
    factories.AgentFactory(name="Dana Reyes", teams=[team])
    page = signed_in_page(browser, live_server, admin)
    page.goto(f"{live_server.url}/agent/admin/users/")
    page.get_by_role("button", name="Enviar invitación").wait_for()
    page.goto(f"{live_server.url}/sla/")
    page.get_by_role("link", name="Nuevo calendario").wait_for()
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        assert_accessible(page)
        _no_sideways_scrolling(page)
        page.screenshot(path=shots / f"workspace-sla-es-{label}.png", full_page=True)
