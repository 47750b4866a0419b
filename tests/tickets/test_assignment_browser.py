"""Auto-assignment in Chromium: an agent who goes online finds the ticket that waited for them
in their queue; an admin switches a team to round robin on the settings page."""

from __future__ import annotations

import os
import re

import pytest

from accounts.models import AssignmentMode, Availability
from tests import factories
from tests.browser import sign_in
from tickets import services
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SCREENSHOT_DIR")


def test_an_agent_going_online_gets_the_waiting_ticket_in_their_queue(browser, live_server):
    team = factories.TeamFactory(name="Billing", assignment_mode=AssignmentMode.ROUND_ROBIN)
    agent = factories.AgentFactory(teams=[team], name="Dana Reyes", email="dana@example.com")
    customer = factories.CustomerFactory(name="Ola Nordmann")
    ticket = services.ticket_create(
        requester=customer, subject="Invoice shows the wrong VAT", body="Please fix.", team=team
    )
    assert ticket.assignee is None  # Dana is offline: it waits

    page = sign_in(browser, live_server.url, agent)
    page.goto(f"{live_server.url}/agent/queues/mine/")
    assert page.locator("tr[data-href]", has_text="Invoice shows the wrong VAT").count() == 0
    with page.expect_response(re.compile(r"/agent/availability/")):
        page.select_option("#availability-select", Availability.ONLINE)
    page.goto(f"{live_server.url}/agent/queues/mine/")
    row = page.locator("tr[data-href]", has_text="Invoice shows the wrong VAT")
    row.wait_for()
    assert Ticket.objects.get(pk=ticket.pk).assignee == agent
    row.click()
    page.wait_for_selector("text=assigned this to Dana Reyes")
    page.context.close()


def test_an_admin_switches_a_team_to_round_robin(browser, live_server):
    admin = factories.AdminFactory(name="Alex Admin")
    team = factories.TeamFactory(name="Billing")
    factories.TeamFactory(name="Sales", assignment_mode=AssignmentMode.LEAST_OPEN)
    factories.AgentFactory(teams=[team], name="Dana Reyes", availability=Availability.ONLINE)
    factories.AgentFactory(teams=[team], name="Sam Okafor", capacity=5)
    for width, height in ((1366, 768), (390, 844)):
        page = sign_in(browser, live_server.url, admin, width=width, height=height)
        page.goto(f"{live_server.url}/agent/settings/assignment/")
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/assignment-{width}.png", full_page=True)
        if width != 390:
            page.context.close()
    page.select_option("#id_teams-0-assignment_mode", AssignmentMode.ROUND_ROBIN)
    page.fill("#id_teams-0-return_after_minutes", "30")
    page.click("button[value=teams]")
    page.wait_for_selector("text=Saved.")
    team.refresh_from_db()
    assert (team.assignment_mode, team.return_after_minutes) == ("round_robin", 30)
    page.context.close()
