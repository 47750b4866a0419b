"""An agent switches the workspace to German from Settings → Your language, with the keyboard,
in headless Chromium: the navigation, the queue and the ticket page read in German (axe-clean).

Screenshots go to ``$KB_SCREENSHOTS`` when set (docs/img is made from them), else a temp dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from accounts.models import User
from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible
from tests.kb.test_browser import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_reads_the_workspace_in_german(browser, live_server, tmp_path):
    shots = Path(os.environ.get("KB_SCREENSHOTS") or tmp_path)
    team = factories.TeamFactory(name="Support")
    agent = factories.AgentFactory(name="Dana Reyes", teams=[team])
    ticket = factories.TicketFactory(team=team, subject="Rechnung fehlt")
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
    assert page.get_by_text("1 angezeigt").is_visible()
    assert_accessible(page)
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=shots / f"workspace-queue-de-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)

    page.get_by_role("link", name="Rechnung fehlt").click()
    page.get_by_role("radio", name="Öffentliche Antwort").wait_for()
    assert page.get_by_role("button", name="Senden", exact=True).is_visible()
    body = page.get_by_label("Nachricht")
    assert body.get_attribute("placeholder").startswith("Antwort schreiben")
    page.get_by_role("radio", name="Interne Notiz").check()
    assert body.get_attribute("placeholder") == "Interne Notiz schreiben (nur für Agenten) …"
    assert_accessible(page)
    page.screenshot(path=shots / "workspace-ticket-de-desktop.png", full_page=True)
    assert ticket.pk
