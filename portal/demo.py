"""Portal demo data: customer@example.com signs in with the password "demo" and finds a few
tickets with agents' answers in every state the portal shows."""

from __future__ import annotations

import random
from datetime import timedelta

from accounts.models import User
from portal.services import category_tag, portal_account_ensure, portal_set_password
from support import clock
from tickets import events
from tickets.models import Channel, Status, Ticket
from tickets.services import ticket_change_status, ticket_create, ticket_reply

DEMO_EMAIL = "customer@example.com"
DEMO_TAG = "portal-demo"

# (subject, first message, agent's answer, status after the answer, product area)
STORIES = [
    (
        "Export to CSV times out",
        "Exporting last month's report spins for a minute and then shows an error.",
        "Thanks for the report! Could you tell us roughly how many rows the report has?",
        Status.PENDING,
        "bug",
    ),
    (
        "Invoice shows our old address",
        "Our October invoice still has the street we moved away from in the summer.",
        "Sorry about that. We've updated your billing address; the next invoice will show it.",
        Status.SOLVED,
        "billing",
    ),
    (
        "Add a colleague to our account",
        "How do I give my colleague Dana access to our tickets?",
        "We're setting that up now and will write back once Dana's invitation is out.",
        Status.OPEN,
        "account",
    ),
]


def seed(*, rng: random.Random) -> None:
    user = portal_account_ensure(email=DEMO_EMAIL, name="Casey Customer")
    if user is None:
        return
    portal_set_password(user=user, password="demo")  # noqa: S106 - the demo's documented login
    customer = user.customer
    if Ticket.objects.filter(requester=customer, tags__name=DEMO_TAG).exists():
        return
    agent = (
        User.objects.filter(email="agent@example.com").first()
        or User.objects.filter(role="agent", is_active=True).order_by("id").first()
    )
    if agent is None:
        return
    now = clock.now()
    with events.suppressed():
        for days_ago, (subject, body, answer, status, area) in zip((9, 4, 1), STORIES, strict=True):
            opened = now - timedelta(days=days_ago, hours=rng.randint(1, 8))
            with clock.travel(opened):
                ticket = ticket_create(
                    requester=customer,
                    by=customer,
                    subject=subject,
                    body=body,
                    channel=Channel.PORTAL,
                    tags=[DEMO_TAG, category_tag(area)],
                )
            with clock.travel(opened + timedelta(hours=rng.randint(1, 5))):
                reply_status = status if status != Status.OPEN else None
                ticket_reply(ticket=ticket, body=answer, by=agent, status=reply_status)
            if status == Status.SOLVED and ticket.status != Status.SOLVED:
                ticket_change_status(ticket=ticket, status=Status.SOLVED, by=agent)
