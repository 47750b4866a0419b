"""The worked example of docs/sla.md, step by step, through the services and the sweep."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from support import clock
from tests import factories
from tickets import services
from tickets.mail.models import OutboundEmail
from tickets.models import EventKind, Status, Ticket, TicketEvent
from tickets.sla.models import SlaTarget, TargetKind, TargetState
from tickets.sla.sweep import sla_sweep

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = {d: [["09:00", "12:00"], ["13:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def clock_of(ticket, kind) -> SlaTarget:
    return SlaTarget.objects.filter(ticket=ticket, kind=kind).latest("started_at")


def test_worked_example(db, django_capture_on_commit_callbacks):
    team = factories.TeamFactory()
    agent = factories.AgentFactory(teams=[team])
    team.lead = factories.AgentFactory(teams=[team])
    team.save()
    customer = factories.CustomerFactory()
    factories.SlaPolicyFactory(
        name="Standard",
        is_default=True,
        calendar=factories.BusinessCalendarFactory(
            name="Berlin office", time_zone="Europe/Berlin", hours=OFFICE
        ),
        first_response_minutes=120,
        next_reply_minutes=240,
        resolution_minutes=960,
        warning_percent=75,
    )

    # 1. Filed Friday 16:30 CET.
    with clock.travel(berlin(2026, 3, 27, 16, 30)):
        ticket = services.ticket_create(
            requester=customer, subject="VPN", body="Down", team=team, assignee=agent
        )
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.first_response_due_at == berlin(2026, 3, 30, 9, 30)
    assert clock_of(ticket, TargetKind.FIRST_RESPONSE).warn_at == berlin(2026, 3, 27, 18, 0)
    assert ticket.resolution_due_at == berlin(2026, 3, 31, 16, 30)

    # 2. Friday 18:00: the warning.
    with clock.travel(berlin(2026, 3, 27, 18, 0)):
        with django_capture_on_commit_callbacks(execute=True):  # its mail, from the event
            assert sla_sweep() == {"breach": 0, "warning": 1}

    # 3. Monday 09:20: reply and pending.
    with clock.travel(berlin(2026, 3, 30, 9, 20)):
        services.ticket_reply(ticket=ticket, body="Try this", by=agent, status=Status.PENDING)
    fr = clock_of(ticket, TargetKind.FIRST_RESPONSE)
    assert fr.state == TargetState.MET and fr.business_seconds_taken == 110 * 60
    assert clock_of(ticket, TargetKind.RESOLUTION).state == TargetState.PAUSED

    # 4. Tuesday 11:00: the customer answers.
    with clock.travel(berlin(2026, 3, 31, 11, 0)):
        services.ticket_reply(ticket=ticket, body="Still down", by=customer)
    ticket.refresh_from_db()
    res = clock_of(ticket, TargetKind.RESOLUTION)
    assert res.paused_seconds == 580 * 60
    assert ticket.resolution_due_at == berlin(2026, 4, 2, 9, 10)
    assert res.warn_at == berlin(2026, 4, 1, 14, 10)
    assert ticket.next_reply_due_at == berlin(2026, 3, 31, 16, 0)

    # 5. The worker was down 14:00-17:30; the first sweep after catches up.
    with clock.travel(berlin(2026, 3, 31, 17, 30)):
        with django_capture_on_commit_callbacks(execute=True):
            assert sla_sweep() == {"breach": 1, "warning": 0}
            assert sla_sweep() == {"breach": 0, "warning": 0}
    nr = clock_of(ticket, TargetKind.NEXT_REPLY)
    assert nr.breached_at == berlin(2026, 3, 31, 16, 0)
    assert nr.warned_at == berlin(2026, 3, 31, 15, 0)
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_BREACHED).count() == 1
    assert OutboundEmail.objects.filter(kind="sla_breach").count() == 1
    assert OutboundEmail.objects.filter(kind="sla_warning").count() == 1  # Friday's only

    # 6. Met late, then solved.
    with clock.travel(berlin(2026, 3, 31, 17, 45)):
        services.ticket_reply(ticket=ticket, body="Fixed now", by=agent)
    nr.refresh_from_db()
    assert nr.met_at == berlin(2026, 3, 31, 17, 45) and nr.business_seconds_taken == 345 * 60
    with clock.travel(berlin(2026, 4, 1, 10, 0)):
        services.ticket_change_status(ticket=ticket, status=Status.SOLVED, by=agent)
    res.refresh_from_db()
    assert res.state == TargetState.MET and res.business_seconds_taken == 530 * 60
    assert timedelta(seconds=res.business_seconds_taken) < timedelta(minutes=960)
