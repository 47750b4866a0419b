"""Stale availability on the real processes (gunicorn, a Celery worker and beat) with the agent
in Chromium: while her workspace is open its heartbeat keeps her online; she closes the browser,
beat sets her away once the heartbeat stops, and after the team's "return after" minutes her
ticket goes back to the team. Signing in again, she is still away (availability persists)."""

from __future__ import annotations

import re

import pytest

from accounts.models import AssignmentMode, Availability, User
from tests import factories
from tickets import services
from tickets.models import Ticket

pytestmark = [pytest.mark.browser]


def test_an_agent_who_closes_the_browser_goes_away_and_her_ticket_returns(browser, stack):
    team = factories.TeamFactory(
        name="Billing", assignment_mode=AssignmentMode.ROUND_ROBIN, return_after_minutes=1
    )
    ann = factories.AgentFactory(name="Ann Ito", email="ann@staff.example.com", teams=[team])
    customer = factories.CustomerFactory(name="Ola Nordmann")
    stack.extra_env.update(
        AGENT_AWAY_AFTER_SECONDS="8", AGENT_HEARTBEAT_SECONDS="2", ASSIGNMENT_SWEEP_SECONDS="2"
    )
    base = stack.start()

    page = stack.sign_in(browser, ann)
    page.goto(f"{base}/agent/queues/mine/")
    with page.expect_response(re.compile(r"/agent/availability/")):
        page.select_option("#availability-select", Availability.ONLINE)
    ticket = services.ticket_create(
        requester=customer, subject="Invoice shows the wrong VAT", body="Please fix.", team=team
    )
    assert ticket.assignee == ann

    # The open page's heartbeat keeps her online well past the 8 s without one.
    with page.expect_response(re.compile(r"/agent/availability/heartbeat/")):
        pass
    page.wait_for_timeout(14_000)
    assert User.objects.get(pk=ann.pk).availability == Availability.ONLINE

    page.context.close()  # the browser is closed: no more heartbeats
    stack.wait_for(
        lambda: User.objects.get(pk=ann.pk).availability == Availability.AWAY,
        timeout=30,
        what="beat to set Ann away",
    )
    assert Ticket.objects.get(pk=ticket.pk).assignee == ann  # not yet: the team waits 1 minute
    stack.wait_for(
        lambda: Ticket.objects.get(pk=ticket.pk).assignee_id is None,
        timeout=90,
        what="Ann's ticket to go back to Billing",
    )
    returned = Ticket.objects.get(pk=ticket.pk)
    assert returned.team == team and returned.is_open

    page = stack.sign_in(browser, User.objects.get(pk=ann.pk))
    page.goto(f"{base}/agent/queues/mine/")
    assert page.locator("#availability-select").input_value() == Availability.AWAY
    page.context.close()
