"""SLA clocks and an agent's day on the real processes (gunicorn, a Celery worker and beat on
the embedded broker), in Chromium, with mail over SMTP.

A ticket whose first response was due a minute ago, while nobody swept, is found breached by
beat's sweep: the team is told by mail and the agent sees it on the at-risk list. The agent
then writes up a phone call as a new ticket for a new contact, who gets it by mail at once.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from support import clock
from tests import factories
from tests.a11y import DESKTOP, assert_accessible
from tickets import services
from tickets.models import Ticket
from tickets.sla.models import SlaTarget, TargetKind

pytestmark = [pytest.mark.browser]

WITHIN = 20


def test_beat_breaches_a_late_ticket_and_the_agent_opens_one_by_phone(browser, stack):
    team = factories.TeamFactory(name="Support")
    sam = factories.AgentFactory(name="Sam Agent", email="sam@staff.example.com", teams=[team])
    lead = factories.AgentFactory(name="Lea Lead", email="lea@staff.example.com", teams=[team])
    team.lead = lead
    team.save()
    factories.SlaPolicyFactory(
        name="Default",
        is_default=True,
        calendar=factories.BusinessCalendarFactory(always_open=True),
        first_response_minutes=2,
        resolution_minutes=None,
    )
    created = clock.now() - timedelta(minutes=3)
    with clock.travel(created):
        late = services.ticket_create(
            requester=factories.CustomerFactory(name="Ola Nordmann"),
            subject="Checkout is down",
            body="Nobody can pay.",
            team=team,
            assignee=sam,
        )
    stack.extra_env["SLA_SWEEP_SECONDS"] = "2"
    base = stack.start()

    # Beat's sweep records the breach at its true time and the team is mailed.
    target = stack.wait_for(
        lambda: SlaTarget.objects.filter(
            ticket=late, kind=TargetKind.FIRST_RESPONSE, breached_at__isnull=False
        ).first(),
        timeout=WITHIN,
        what="beat's sweep to record the breach",
    )
    assert target.breached_at == created + timedelta(minutes=2)
    for address in (sam.email, lead.email):
        stack.wait_for(
            lambda a=address: [m for m in stack.inbox.to(a) if "SLA breached" in m["Subject"]],
            timeout=WITHIN,
            what=f"the escalation mail to {address}",
        )

    page = stack.sign_in(browser, sam, viewport=DESKTOP)
    page.goto(f"{base}/sla/at-risk/")
    page.get_by_role("link", name="Checkout is down").wait_for()
    assert_accessible(page)

    # A phone call becomes a ticket for a new contact, with a public first message.
    page.goto(f"{base}/agent/tickets/new/")
    page.get_by_label("New contact").check()
    page.fill("#nt-new-name", "Rita Moreno")
    page.fill("#nt-new-email", "rita@example.org")
    page.fill("#nt-subject", "Upgrade to the team plan")
    page.fill("#nt-body", "As we discussed on the phone, your plan is upgraded from today.")
    assert_accessible(page)
    page.get_by_role("button", name="Create ticket").click()
    page.wait_for_url(re.compile(r"/agent/tickets/\d+/$"))
    ticket = Ticket.objects.get(subject="Upgrade to the team plan")
    assert ticket.team == team and ticket.requester.email == "rita@example.org"
    mail = stack.wait_for(
        lambda: stack.inbox.to("rita@example.org"), timeout=WITHIN, what="the first message"
    )[0]
    assert "plan is upgraded" in mail.get_body(preferencelist=("plain",)).get_content()
