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


def test_links_in_agent_notifications_open_the_ticket_in_the_workspace(
    ticket, agent, team, client, settings
):
    """Reply alert, assignment and mention mail link to the ticket page agents actually have."""
    import re

    from tests import factories
    from tests.tickets.mail.conftest import build_mail, ingest_raw

    settings.SITE_URL = "https://help.example.com"
    colleague = factories.AgentFactory(teams=[team], email="sam@example.com")
    with run_on_commit():
        services.ticket_assign(ticket=ticket, team=team, assignee=colleague, by=agent)
    ingest_raw(
        build_mail(sender=ticket.requester.email, subject=f"Re: more [#{ticket.pk}]", body="Hi")
    )
    with run_on_commit():
        services.ticket_note(ticket=ticket, body="@sam@example.com look", by=agent)
    kinds = {}
    for email in OutboundEmail.objects.filter(kind__in=["assigned", "customer_reply", "mention"]):
        kinds[email.kind] = email
        links = re.findall(r"https://help\.example\.com\S*?(?=[\s\"<]|$)", email.body_text)
        links += re.findall(r'href="(https://help\.example\.com[^"]*)"', email.body_html)
        assert len(links) == 2, (email.kind, links)
        client.force_login(colleague)
        for link in links:
            path = link.removeprefix(settings.SITE_URL)
            assert path == f"/agent/tickets/{ticket.pk}/"
            assert client.get(path).status_code == 200
    assert set(kinds) == {"assigned", "customer_reply", "mention"}
