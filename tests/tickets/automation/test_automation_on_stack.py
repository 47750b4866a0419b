"""An admin enables "close solved tickets after 4 days" in the page, tries it on a ticket with
the test button, and the real beat sweep (``manage.py runstack``: gunicorn, worker, beat) closes
the ticket solved five days ago — and only that one — naming the automation in the timeline.

The stack's processes run on the real clock (the project's clock override, ``clock.travel``, is
per process): the tickets' history is written in the past with it instead — one solved five days
ago, one solved a day ago — which is the same as moving the sweep's clock forward. Screenshots go
to ``$AUTOMATION_SCREENSHOTS`` when set, else a temp dir.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from support import clock
from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible
from tickets import services
from tickets.automation import services as automation_services
from tickets.automation.examples import create_examples
from tickets.automation.models import Automation, AutomationRun
from tickets.models import Status, Ticket

pytestmark = [pytest.mark.browser]
NAME = "Close solved tickets after 4 days"


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("AUTOMATION_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _solved(customer, team, agent, subject: str, days_ago: float) -> Ticket:
    with clock.travel(clock.now() - timedelta(days=days_ago)):
        ticket = services.ticket_create(requester=customer, subject=subject, body="x", team=team)
        services.ticket_update(ticket=ticket, by=agent, changes={"status": "solved"})
    return ticket


def test_admin_enables_auto_close_and_the_beat_sweep_closes_the_old_solved_ticket(
    browser, stack, shots
):
    support = factories.TeamFactory(name="Support")
    automation_services.default_team_set(support)
    agent = factories.AgentFactory(name="Sam Agent", teams=[support])
    admin = factories.AdminFactory(name="Ada Admin", email="ada@staff.example.com")
    customer = factories.CustomerFactory()
    create_examples(Automation)  # what a fresh install ships (the test database was emptied)
    old = _solved(customer, support, agent, "Printer fixed, thanks", days_ago=5)
    recent = _solved(customer, support, agent, "VPN works again", days_ago=1)
    stack.extra_env["AUTOMATION_SWEEP_SECONDS"] = "2"
    base = stack.start()

    page = stack.sign_in(browser, admin, viewport=DESKTOP)

    # The shipped examples are there, off.
    page.goto(f"{base}/automation/")
    section = page.locator("#rules-automations")
    section.get_by_role("heading", name="Automations").wait_for()
    row = section.get_by_role("row").filter(has_text=NAME)
    assert "off" in row.inner_text()
    assert_accessible(page)

    # The test button: it would close the old ticket, not the recent one; nothing is saved.
    row.get_by_role("link", name=NAME).click()
    page.get_by_role("heading", name=f"Automation “{NAME}”").wait_for()
    page.get_by_label("Ticket number").fill(str(old.pk))
    page.get_by_role("button", name="Test").click()
    page.get_by_text("status: solved → closed").wait_for()
    page.screenshot(path=shots / "automation-automation-desktop.png", full_page=True)
    page.get_by_label("Ticket number").fill(str(recent.pk))
    page.get_by_role("button", name="Test").click()
    page.get_by_text("Would not fire").wait_for()
    assert not AutomationRun.objects.exists()
    assert_accessible(page)

    # Enable it from the list; beat's sweep closes the old ticket within seconds.
    page.goto(f"{base}/automation/")
    page.get_by_role("button", name=f"Enable {NAME}").click()
    page.locator("#rules-automations").get_by_role("row").filter(has_text=NAME).filter(
        has_not_text="off"
    ).wait_for()
    assert Automation.objects.get(name=NAME).is_active

    def closed():
        old.refresh_from_db()
        return old.status == Status.CLOSED

    stack.wait_for(closed, timeout=30, what="the sweep to close the ticket solved 5 days ago")
    recent.refresh_from_db()
    assert recent.status == Status.SOLVED
    assert AutomationRun.objects.filter(ticket=old).count() == 1

    # The timeline names the automation.
    page.goto(f"{base}/agent/tickets/{old.pk}/")
    page.get_by_text(f"Automation “{NAME}”").first.wait_for()
    page.screenshot(path=shots / "automation-timeline-desktop.png")
    page.goto(f"{base}/automation/")
    page.screenshot(path=shots / "automation-overview-desktop.png", full_page=True)

    phone = browser.new_context(viewport=PHONE).new_page()
    phone.context.add_cookies(page.context.cookies())
    phone.goto(f"{base}/automation/automations/{Automation.objects.get(name=NAME).pk}/")
    phone.screenshot(path=shots / "automation-automation-phone.png", full_page=True)
    phone.goto(f"{base}/automation/")
    phone.screenshot(path=shots / "automation-overview-phone.png", full_page=True)
    assert_accessible(phone)
    page.context.close()
    phone.context.close()
