"""Mail handlers run again for the same event (a retry, the events sweep) without mailing twice.

That a lost dispatch is swept at all is tested with the other handlers in
tests/tickets/test_events_sweep.py.
"""

from __future__ import annotations

import pytest
from django.core import mail as django_mail

from support import events
from tests.tickets.mail.conftest import run_on_commit
from tickets import services
from tickets.mail import loops
from tickets.mail.models import OutboundEmail
from tickets.models import EventKind, TicketEvent

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
