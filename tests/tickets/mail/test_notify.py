"""Mail handlers run again for the same event (a retry, the events sweep) without mailing twice.

That a lost dispatch is swept at all is tested with the other handlers in test_events.py.
"""

from __future__ import annotations

import pytest
from django.core import mail as django_mail

from tests.tickets.mail.conftest import run_on_commit
from tickets import events, services
from tickets.mail import loops
from tickets.models import EventKind, OutboundEmail, TicketEvent

pytestmark = pytest.mark.django_db


def test_running_the_reply_handlers_twice_mails_once(ticket, agent):
    with run_on_commit():
        services.ticket_reply(ticket=ticket, body="Once only", by=agent)
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.REPLIED)
    with run_on_commit():
        events.dispatch(event)
    assert OutboundEmail.objects.filter(kind="reply").count() == 1
    assert len(django_mail.outbox) == 1


def test_a_replayed_confirmation_does_not_count_against_the_auto_reply_cap(customer, settings):
    settings.MAIL_AUTOREPLY_PER_SENDER_PER_HOUR = 2
    with run_on_commit():
        ticket = services.ticket_create(requester=customer, subject="Help", body="Please")
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.CREATED)
    for _ in range(3):
        with run_on_commit():
            events.dispatch(event)
    assert OutboundEmail.objects.filter(kind="new_ticket").count() == 1
    assert loops.autoreply_permitted(customer.email)  # the one real confirmation used one of two
    assert not loops.autoreply_permitted(customer.email)
