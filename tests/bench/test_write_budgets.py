"""Query budgets of the write paths the benchmark times (issue 9): an API ticket create, an API
reply and one inbound message. Each is a fixed number of statements, whatever the data size;
these pin the counts reached so they can't silently grow back (savepoints included: each is a
round trip too)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.tickets.mail.conftest import build_mail
from tickets.assignment.cache import assigning_team_ids
from tickets.automation.cache import active_rules
from tickets.automation.times import times_backfill
from tickets.mail.inbound import inbound_process, inbound_store
from tickets.mail.loops import teams_with_address
from tickets.mail.models import InboundStatus
from tickets.models import Ticket
from tickets.sla.cache import active_policies
from tickets.sla.models import SlaTarget

pytestmark = pytest.mark.django_db


def settled() -> None:
    """As in production, the teams and policies the test made were committed long before the
    request: the process may keep them (support.localcache), so forget that they are new."""
    active_policies.forget()
    teams_with_address.forget()
    assigning_team_ids.forget()
    active_rules.forget()


@pytest.fixture
def sla_policy():
    """A default policy with two targets and a holiday."""
    calendar = factories.BusinessCalendarFactory()
    calendar.holidays.create(date="2026-12-25", name="Christmas")
    return factories.SlaPolicyFactory(is_default=True, calendar=calendar)


def _create(client, customer, team, n: int):
    return client.post(
        "/api/v1/tickets",
        {
            "requester_id": customer.pk,
            "subject": f"Invoices missing ({n})",
            "body": "The March invoices are not in the portal.",
            "team_id": team.pk,
            "tags": ["billing", f"new-tag-{n}"],
        },
        format="json",
    )


def test_api_ticket_create_budget(
    api, agent, team, customer, sla_policy, django_assert_max_num_queries
):
    client = api(agent)
    settled()
    assert _create(client, customer, team, 0).status_code == 201  # token's last use, policies
    # token; requester; team; savepoint; tags (read, insert the new one, read back); ticket;
    # message; event; tag links; SLA match; SLA clocks; the times automations count from; release.
    with django_assert_max_num_queries(15):
        response = _create(client, customer, team, 1)
    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert ticket.first_response_due_at is not None  # the SLA clocks did start
    assert SlaTarget.objects.filter(ticket=ticket).count() == 2
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["billing", "new-tag-1"]


def test_api_reply_create_budget(api, agent, team, customer, django_assert_max_num_queries):
    ticket = factories.TicketFactory(team=team, requester=customer)
    client = api(agent)
    path = f"/api/v1/tickets/{ticket.pk}/messages"
    settled()
    assert client.post(path, {"body": "First."}, format="json").status_code == 201
    # token; ticket (visible?); savepoint; lock; message; event; SLA match; ticket touch; the
    # times automations count from (tickets.automation.times); release.
    with django_assert_max_num_queries(10):
        response = client.post(path, {"body": "Second."}, format="json")
    assert response.status_code == 201


def test_inbound_new_ticket_budget(team, django_assert_max_num_queries, sla_policy):
    customer = factories.CustomerFactory(email="ada@example.org")
    team.email = "support@localhost"
    team.save()
    settled()
    inbound_process(inbound_id=inbound_store(raw=build_mail(subject="Warm-up"))[0].pk)
    raw = build_mail(sender="Ada <ADA@example.org>", subject="Printer on fire")
    # store: savepoint, insert, release. process: savepoint, lock the row, already delivered?,
    # an agent?, the contact, ticket create (savepoint, ticket, message with its Message-ID,
    # event, SLA match, SLA clocks, the ticket's times, release), row update, release. Team
    # addresses and SLA policies come from the process's copy. The Message-ID's claim
    # (savepoint, UPDATE, release) makes copies delivered to several mailboxes at once one ticket
    # (docs/email.md).
    with django_assert_max_num_queries(21):
        row, created = inbound_store(raw=raw)
        row = inbound_process(inbound_id=row.pk)
    assert created and row.status == InboundStatus.PROCESSED
    assert row.ticket.requester == customer and row.ticket.first_response_due_at is not None
    assert row.ticket.team == team  # found by the address it was sent to
    assert row.message.email_message_id  # stored with the message, not updated after


def test_inbound_reply_budget(agent, customer, django_assert_max_num_queries):
    ticket = factories.TicketFactory(requester=customer)
    times_backfill()  # as the migration gave every ticket its times
    raw = build_mail(sender=customer.email, subject=f"Re: {ticket.subject} [#{ticket.pk}]")
    settled()
    inbound_process(inbound_id=inbound_store(raw=build_mail(subject="Warm-up"))[0].pk)
    # As a new ticket, less the ticket create, plus the ticket found by its [#id], its row lock,
    # the SLA state, the ticket's touch and its times; and the Message-ID's claim (3).
    with django_assert_max_num_queries(22):
        row, _ = inbound_store(raw=raw)
        row = inbound_process(inbound_id=row.pk)
    assert row.status == InboundStatus.PROCESSED and row.ticket_id == ticket.pk
