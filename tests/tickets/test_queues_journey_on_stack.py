"""An agent's day in the queues against the real processes (``manage.py runstack``: gunicorn, a
Celery worker and beat): sign in, go Online, sign out and in again and still be Online, sort a
queue by SLA, select two tickets and assign them with the bulk bar."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from support import clock
from tests import factories
from tests.a11y import assert_accessible
from tickets import services
from tickets.models import Ticket

pytestmark = [pytest.mark.browser]


def _sign_in(browser, stack, user):
    page = stack.sign_in(browser, user, viewport={"width": 1366, "height": 768})
    page.wait_for_url(re.compile(r"/agent/queues/mine/"))
    return page


def test_agent_stays_online_sorts_by_sla_and_bulk_assigns(browser, stack):
    factories.SlaPolicyFactory(
        calendar=factories.BusinessCalendarFactory(always_open=True),
        first_response_minutes=60,
        resolution_minutes=24 * 60,
    )
    team = factories.TeamFactory(name="Support")
    agent = factories.AgentFactory(name="Ada Agent", email="ada@staff.example.com", teams=[team])
    now = clock.now()
    tickets = {}
    for minutes_ago, subject in ((5, "Just in"), (90, "Overdue"), (40, "Due soon")):
        with clock.travel(now - timedelta(minutes=minutes_ago)):
            tickets[subject] = services.ticket_create(
                requester=factories.CustomerFactory(), subject=subject, body="Help", team=team
            )
    base = stack.start()

    page = _sign_in(browser, stack, agent)
    availability = page.locator("#availability-select")
    assert availability.input_value() == "offline"
    availability.select_option("online")
    page.wait_for_selector("#availability-select.availability-online")
    page.click("form[action='/logout/'] button")
    page.wait_for_url(re.compile(r"/login/"))
    page.context.close()

    page = _sign_in(browser, stack, agent)
    assert page.locator("#availability-select").input_value() == "online"

    # The team's queue, sorted by SLA with the sort control: the overdue one first.
    page.goto(f"{base}/agent/queues/teams/")
    page.get_by_role("link", name=re.compile(r"^SLA due")).first.click()
    page.wait_for_url(re.compile(r"sort=sla"))
    subjects = page.locator("tbody td.subject a").all_inner_texts()
    assert subjects == ["Overdue", "Due soon", "Just in"]
    assert_accessible(page)

    # Two tickets selected: the bulk bar appears; assign them to me.
    bar = page.locator("#bulk-form")
    assert not bar.is_visible()
    page.get_by_label(f"Select #{tickets['Overdue'].pk}").check()
    page.get_by_label(f"Select #{tickets['Due soon'].pk}").check()
    assert bar.is_visible()
    assert page.locator("[data-selected-count]").inner_text() == "2 selected"
    bar.locator("select[name=assignee]").select_option("me")
    bar.locator("button[value=assign]").click()
    page.wait_for_selector("text=Updated 2 ticket(s).")
    assigned = set(Ticket.objects.filter(assignee=agent).values_list("subject", flat=True))
    assert assigned == {"Overdue", "Due soon"}
    page.context.close()
