"""Demo data for SLA: three calendars, four policies, and clocks for the demo tickets.

Assumes the base demo data exists (teams, agents, tickets). Idempotent: calendars and policies are
found by name, and only tickets without SLA state get clocks. The clocks are replayed from each
ticket's history (created, public replies, current status) through the SLA services, so the demo
shows met, running, at-risk, breached and paused clocks. Warnings and breaches that fell due before
the data was loaded are marked here, as history (stored, never mailed): only what falls due after
loading reaches the sweep and its escalation mail.
"""

from __future__ import annotations

import random

from django.db import transaction

from accounts.models import Team
from support import clock, events
from tickets.models import Message, MessageKind, Status, Ticket
from tickets.sla import services
from tickets.sla.models import BusinessCalendar, SlaPolicy, TicketSla
from tickets.sla.sweep import sla_sweep

OFFICE = {d: [["09:00", "12:00"], ["13:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
NEW_YORK = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def _calendar(name: str, **fields) -> BusinessCalendar:
    calendar = BusinessCalendar.objects.filter(name=name).first()
    if calendar is None:
        calendar = services.calendar_save(calendar=BusinessCalendar(name=name, **fields))
    return calendar


def _policy(name: str, **fields) -> SlaPolicy:
    policy = SlaPolicy.objects.filter(name=name).first()
    if policy is None:
        policy = services.policy_save(policy=SlaPolicy(name=name, **fields))
    return policy


@transaction.atomic
def seed(*, rng: random.Random) -> None:
    year = clock.now().year
    berlin = _calendar("Berlin office", time_zone="Europe/Berlin", hours=OFFICE)
    if not berlin.holiday_country:
        services.calendar_seed_holidays(
            calendar=berlin, country="DE", years=[year - 1, year, year + 1]
        )
    new_york = _calendar("New York office", time_zone="America/New_York", hours=NEW_YORK)
    if not new_york.holiday_country:
        services.calendar_seed_holidays(
            calendar=new_york, country="US", years=[year - 1, year, year + 1]
        )
    always = _calendar("24/7 on-call", time_zone="UTC", always_open=True, hours={})

    teams = list(Team.objects.order_by("name"))
    _policy(
        "Urgent incidents",
        position=10,
        calendar=always,
        priorities=["urgent"],
        first_response_minutes=30,
        next_reply_minutes=60,
        resolution_minutes=8 * 60,
        warning_percent=75,
        breach_raise_priority=False,
        breach_team=teams[0] if teams else None,
    )
    _policy(
        "High priority",
        position=20,
        calendar=berlin,
        priorities=["high"],
        first_response_minutes=2 * 60,
        next_reply_minutes=4 * 60,
        resolution_minutes=16 * 60,
        warning_percent=75,
        warning_raise_priority=True,
    )
    _policy(
        "Email (US customers)",
        position=30,
        calendar=new_york,
        channels=["email"],
        first_response_minutes=4 * 60,
        next_reply_minutes=8 * 60,
        resolution_minutes=24 * 60,
        warning_percent=80,
    )
    _policy(
        "Standard",
        position=100,
        is_default=True,
        calendar=berlin,
        first_response_minutes=8 * 60,
        next_reply_minutes=16 * 60,
        resolution_minutes=40 * 60,
        warning_percent=75,
    )

    # Tickets filed before any policy existed have no SLA state, or state without a policy.
    pending = Ticket.objects.exclude(
        pk__in=TicketSla.objects.filter(policy__isnull=False).values("ticket_id")
    ).order_by("pk")
    for ticket in pending.iterator(chunk_size=200):
        _replay(ticket)
    # What came due before now is the demo's past: mark it without telling anyone.
    with events.suppressed():
        sla_sweep(now=clock.now(), time_budget=float("inf"))


def _replay(ticket: Ticket) -> None:
    """Run a ticket's recorded history through the SLA hooks, each at the time it happened."""
    # As the ticket was when it was filed (nothing on the row is saved but its due times).
    responded, status = ticket.first_responded_at, ticket.status
    ticket.first_responded_at, ticket.status = None, Status.NEW
    with clock.travel(ticket.created_at):
        services.sla_on_created(ticket=ticket)  # starts first response; the replies meet it
    ticket.first_responded_at, ticket.status = responded, status
    replies = Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY).order_by("created_at")
    for message in list(replies)[1:]:  # the first message opened the ticket
        with clock.travel(message.created_at):
            services.sla_on_reply(ticket=ticket, message=message)
    at = ticket.updated_at
    if ticket.status in (Status.PENDING, Status.ON_HOLD):
        with clock.travel(at):
            services.sla_on_status_changed(ticket=ticket, old=Status.OPEN, new=ticket.status)
    elif ticket.status in (Status.SOLVED, Status.CLOSED):
        with clock.travel(ticket.solved_at or at):
            services.sla_on_status_changed(ticket=ticket, old=Status.OPEN, new=Status.SOLVED)
