"""Mail handlers can't be lost: a sweep runs them for events whose dispatch never happened."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail as django_mail

from support import clock
from tests.tickets.mail.conftest import run_on_commit
from tickets import events, services
from tickets.mail.notify import mail_events_sweep
from tickets.models import OutboundEmail, TicketEvent

pytestmark = pytest.mark.django_db


def test_sweep_sends_the_reply_whose_event_was_never_dispatched(ticket, agent, monkeypatch):
    with events.suppressed():  # as if the broker was down when the reply was committed
        with run_on_commit():
            services.ticket_reply(ticket=ticket, body="Lost?", by=agent)
    assert not OutboundEmail.objects.exists()
    TicketEvent.objects.filter(ticket=ticket).update(at=clock.now() - timedelta(minutes=10))
    with run_on_commit():
        assert mail_events_sweep() >= 1
    assert OutboundEmail.objects.filter(kind="reply").count() == 1
    assert [m.to for m in django_mail.outbox] == [[ticket.requester.email]]
    # a second sweep finds everything handled
    with run_on_commit():
        assert mail_events_sweep() == 0
    assert len(django_mail.outbox) == 1


def test_sweep_skips_events_already_handled_and_recent_ones(ticket, agent):
    with run_on_commit():
        services.ticket_reply(ticket=ticket, body="Normal path", by=agent)
    assert OutboundEmail.objects.count() == 1
    with run_on_commit():
        assert mail_events_sweep() == 0  # too recent to be considered lost
    TicketEvent.objects.filter(ticket=ticket).update(at=clock.now() - timedelta(minutes=10))
    with run_on_commit():
        assert mail_events_sweep() == 0  # handled on the normal path
    assert OutboundEmail.objects.count() == 1
