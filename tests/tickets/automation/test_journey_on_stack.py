"""The workflow engine on the real processes (gunicorn, a Celery worker and beat on the embedded
broker), with mail over real IMAP and SMTP and the agent in Chromium.

A portal request and a mail each land in Billing by routing rules and are assigned round robin
to its two online agents; a trigger makes the refund mail high priority and mails the team; the
agent who went online in the browser finds hers in "My tickets" and answers, and the answer
reaches the customer over SMTP.
"""

from __future__ import annotations

import re

import pytest

from accounts.models import AssignmentMode, Availability
from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible
from tests.tickets.mail.conftest import build_mail
from tickets.automation import services as automation
from tickets.automation.models import RoutingRule, Trigger
from tickets.models import Priority, Ticket

pytestmark = [pytest.mark.browser]

WITHIN = 20  # seconds: longer than this and a person would notice


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_portal_and_mail_are_routed_assigned_round_robin_and_answered(browser, stack, imap_server):
    general = factories.TeamFactory(name="General")
    billing = factories.TeamFactory(name="Billing", assignment_mode=AssignmentMode.ROUND_ROBIN)
    ann = factories.AgentFactory(name="Ann Ito", email="ann@staff.example.com", teams=[billing])
    ben = factories.AgentFactory(
        name="Ben Cole",
        email="ben@staff.example.com",
        teams=[billing],
        availability=Availability.ONLINE,
    )
    automation.default_team_set(general)
    automation.rule_save(
        RoutingRule(),
        name="Mail to billing@ goes to Billing",
        conditions={"all": [{"field": "mail_to", "operator": "contains", "value": "billing@"}]},
        actions=[{"action": "set_team", "value": billing.pk}],
    )
    automation.rule_save(
        RoutingRule(),
        name="Invoices go to Billing",
        conditions={"all": [{"field": "subject", "operator": "contains", "value": "invoice"}]},
        actions=[{"action": "set_team", "value": billing.pk}],
    )
    automation.rule_save(
        Trigger(),
        name="Refunds are urgent",
        conditions={
            "all": [
                {"field": "event", "operator": "is", "value": "created"},
                {"field": "subject", "operator": "contains", "value": "refund"},
            ]
        },
        actions=[
            {"action": "set_priority", "value": "high"},
            {
                "action": "mail",
                "value": {"to": "team", "subject": "Refund: {{ticket.subject}}", "body": "x"},
            },
        ],
    )
    stack.extra_env.update(imap_server.env(), IMAP_POLL_SECONDS="2")
    base = stack.start()
    inbox = stack.inbox

    # Ann signs in and goes online in the top bar.
    desk = stack.sign_in(browser, ann, viewport=DESKTOP)
    with desk.expect_response(re.compile(r"/agent/availability/")):
        desk.select_option("#availability-select", Availability.ONLINE)

    # A customer files an invoice question in the portal (signed in by the link in a mail).
    portal = browser.new_context(viewport=PHONE).new_page()
    portal.goto(f"{base}/portal/sign-in/")
    portal.get_by_label("Email address").fill("pat@example.org")
    portal.get_by_role("button", name="Email me a sign-in link").click()
    link_mail = stack.wait_for(
        lambda: inbox.to("pat@example.org"), timeout=WITHIN, what="the sign-in link"
    )[0]
    portal.goto(re.search(r"(http\S+/portal/sign-in/\S+)", _text(link_mail)).group(1))
    portal.get_by_role("button", name="Sign in").click()
    portal.get_by_role("link", name="New request").first.click()
    portal.get_by_label("Subject").fill("Invoice 1042 shows the wrong VAT")
    portal.get_by_label("Description").fill("It says 25 %, it should be 12 %.")
    portal.get_by_role("button", name="Send request").click()
    portal.get_by_role("heading", name="We got your request").wait_for()

    # A mail about a refund reaches billing@ and is fetched over IMAP by beat's poll.
    imap_server.append(
        build_mail(
            sender="Carol Diaz <carol@example.org>",
            to="billing@example.com",
            subject="Refund for order 77",
            body="I was charged twice for order 77.",
        )
    )
    by_mail = stack.wait_for(
        lambda: Ticket.objects.filter(subject="Refund for order 77").first(),
        timeout=WITHIN,
        what="the mail to become a ticket",
    )
    by_portal = Ticket.objects.get(subject="Invoice 1042 shows the wrong VAT")

    # Both are Billing's, one for each online agent; the trigger made the refund urgent.
    for ticket in (by_portal, by_mail):
        stack.wait_for(
            lambda t=ticket: Ticket.objects.filter(pk=t.pk, assignee__isnull=False).exists(),
            timeout=WITHIN,
            what=f"{ticket} to be assigned",
        )
        ticket.refresh_from_db()
        assert ticket.team == billing
    assert {by_portal.assignee, by_mail.assignee} == {ann, ben}
    assert by_mail.priority == Priority.HIGH and by_portal.priority != Priority.HIGH
    for agent in (ann, ben):
        stack.wait_for(
            lambda a=agent: [m for m in inbox.to(a.email) if m["Subject"].startswith("Refund")],
            timeout=WITHIN,
            what=f"the trigger's mail to {agent.email}",
        )

    # Ann finds hers in her queue and answers it; the customer gets the answer by mail.
    mine = by_portal if by_portal.assignee == ann else by_mail
    desk.goto(f"{base}/agent/queues/mine/")
    desk.get_by_role("link", name=mine.subject).click()
    desk.wait_for_url(re.compile(rf"/agent/tickets/{mine.pk}/(\?.*)?$"))
    assert_accessible(desk)
    desk.fill("#composer-body", "Thanks, this is sorted now.")
    desk.click("#composer button[value='']")
    desk.wait_for_selector("text=Reply sent.")
    answer = stack.wait_for(
        lambda: [m for m in inbox.to(mine.requester.email) if "sorted now" in _text(m)],
        timeout=WITHIN,
        what="the answer by mail",
    )[0]
    assert f"#{mine.pk}" in answer["Subject"]
