"""The SLA sweep: mark warnings and breaches that have come due, exactly once, and escalate.

Beat runs it every minute (``tickets.sla.tasks.sweep_sla``). It reads only the clocks that are due,
through partial indexes on ``due_at`` / ``warn_at`` of running, unbreached targets, so its cost
follows what is due, not how many tickets exist.

Exactly once, even with two sweeps at the same time or a sweep repeated after a crash:
- each clock is handled in its own transaction that first locks the ticket and the clock with
  ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; a no-op on SQLite, where transactions are
  serialized), so a concurrent sweep skips what another is handling;
- the mark itself is a conditional ``UPDATE … WHERE breached_at IS NULL``: only the run whose
  update changed the row records the event and queues mail;
- mail rows carry a ``dedupe_key``, so even a handler that ran twice queues one mail.

A sweep that was not running (worker or beat down) catches up: it stamps the *true* time, the
clock's ``due_at`` (or ``warn_at``), not the time it noticed. A clock found already past its due
time is breached without a separate warning mail first.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce

from accounts.models import User
from support import clock
from tickets.events import record_event
from tickets.mail.outbound import email_queue
from tickets.models import EventKind, Priority, Ticket
from tickets.sla.models import SlaPolicy, SlaTarget, TargetState, TicketSla

logger = logging.getLogger(__name__)

BATCH = 500
PRIORITY_UP = {
    Priority.LOW: Priority.NORMAL,
    Priority.NORMAL: Priority.HIGH,
    Priority.HIGH: Priority.URGENT,
}
WARNING, BREACH = "warning", "breach"


def due_for_breach(now: datetime):
    return SlaTarget.objects.filter(
        state=TargetState.RUNNING, breached_at__isnull=True, due_at__lte=now
    ).order_by("due_at")


def due_for_warning(now: datetime):
    return SlaTarget.objects.filter(
        state=TargetState.RUNNING,
        warned_at__isnull=True,
        breached_at__isnull=True,
        warn_at__lte=now,
    ).order_by("warn_at")


def sla_sweep(*, now: datetime | None = None, time_budget: float = 50.0) -> dict[str, int]:
    """Mark every due breach, then every due warning. Returns how many of each it marked.

    Works in batches until nothing due is left or ``time_budget`` seconds have passed (the next
    run carries on), so one run never overlaps the next by much.
    """
    now = now or clock.now()
    started = time.monotonic()
    done = {BREACH: 0, WARNING: 0}
    for what, query in ((BREACH, due_for_breach), (WARNING, due_for_warning)):
        seen: set[int] = set()
        while time.monotonic() - started < time_budget:
            batch = [
                row
                for row in query(now).values_list("pk", "ticket_id")[: BATCH + len(seen)]
                if row[0] not in seen
            ][:BATCH]
            if not batch:
                break
            for target_id, ticket_id in batch:
                seen.add(target_id)  # skipped (locked elsewhere) or done: not again this run
                if _mark(what, target_id=target_id, ticket_id=ticket_id, now=now):
                    done[what] += 1
    if done[BREACH] or done[WARNING]:
        logger.info("SLA sweep: %(breach)s breached, %(warning)s warned", done)
    return done


def _mark(what: str, *, target_id: int, ticket_id: int, now: datetime) -> bool:
    with transaction.atomic():
        # Ticket first, as the ticket services lock it first: the same order avoids deadlocks.
        ticket = (
            Ticket.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("assignee", "team__lead")
            .filter(pk=ticket_id)
            .first()
        )
        if ticket is None:
            return False  # being changed right now; the next sweep takes it
        if what == BREACH:
            target = (
                due_for_breach(now).select_for_update(skip_locked=True).filter(pk=target_id).first()
            )
            if target is None:
                return False
            marked = SlaTarget.objects.filter(pk=target_id, breached_at__isnull=True).update(
                breached_at=F("due_at"), warned_at=Coalesce(F("warned_at"), F("warn_at"))
            )
            kind, when = EventKind.SLA_BREACHED, target.due_at
        else:
            target = (
                due_for_warning(now)
                .select_for_update(skip_locked=True)
                .filter(pk=target_id)
                .first()
            )
            if target is None:
                return False
            marked = SlaTarget.objects.filter(
                pk=target_id, warned_at__isnull=True, breached_at__isnull=True
            ).update(warned_at=F("warn_at"))
            kind, when = EventKind.SLA_WARNING, target.warn_at
        if not marked:
            return False
        record_event(
            ticket,
            kind=kind,
            by=None,
            field=target.kind,
            old=f"due {target.due_at.isoformat()}",
            new=f"{what} at {when.isoformat()}",
        )
        policy = (
            SlaPolicy.objects.select_related("warning_team", "breach_team")
            .filter(pk=TicketSla.objects.filter(ticket=ticket).values("policy_id")[:1])
            .first()
        )
        recipients = _recipients(ticket, what, policy)
        _escalate(ticket, what, policy)
        recipients |= _recipients(ticket, what, policy)  # a new team hears too
        _notify(ticket, target, what, when, sorted(recipients))
        return True


def _recipients(ticket: Ticket, what: str, policy: SlaPolicy | None) -> set[str]:
    ticket.refresh_from_db(fields=["assignee", "team"])
    people: list[User] = []
    if ticket.assignee_id and ticket.assignee.is_active:
        people.append(ticket.assignee)
    elif ticket.team_id:
        people.extend(ticket.team.members.filter(is_active=True))
    if what == BREACH and ticket.team_id and ticket.team.lead_id:
        people.append(ticket.team.lead)
    if policy is not None:
        people.extend(policy.notify.filter(is_active=True))
    return {p.email for p in people if p.email}


def _escalate(ticket: Ticket, what: str, policy: SlaPolicy | None) -> None:
    """Apply the policy's escalation rules through the ticket services (events and all)."""
    if policy is None:
        return
    from tickets import services

    raise_priority = (
        policy.breach_raise_priority if what == BREACH else policy.warning_raise_priority
    )
    team = policy.breach_team if what == BREACH else policy.warning_team
    if raise_priority and ticket.priority in PRIORITY_UP:
        services.ticket_change_priority(
            ticket=ticket, priority=PRIORITY_UP[ticket.priority], by=None
        )
    if team is not None and ticket.team_id != team.pk:
        keep = ticket.assignee_id and team.members.filter(pk=ticket.assignee_id).exists()
        if keep:
            services.ticket_assign(ticket=ticket, team=team, by=None)
        else:
            services.ticket_assign(ticket=ticket, team=team, assignee=None, by=None)


def _notify(
    ticket: Ticket, target: SlaTarget, what: str, when: datetime, recipients: list[str]
) -> None:
    if not recipients:
        return
    label = target.get_kind_display().lower()
    if what == BREACH:
        subject = f"[#{ticket.pk}] SLA breached: {label} — {ticket.subject}"
        line = f"The {label} target of ticket #{ticket.pk} was breached at {_fmt(when)}."
    else:
        subject = (
            f"[#{ticket.pk}] SLA warning: {label} due {_fmt(target.due_at)} — {ticket.subject}"
        )
        line = (
            f"The {label} target of ticket #{ticket.pk} is {target.warning_percent}% used; "
            f"it is due at {_fmt(target.due_at)}."
        )
    body = "\n".join(
        [
            line,
            "",
            f"Subject:  {ticket.subject}",
            f"Priority: {ticket.get_priority_display()}",
            f"Assignee: {ticket.assignee.display_name if ticket.assignee_id else 'nobody'}",
            f"Team:     {ticket.team.name if ticket.team_id else 'none'}",
            "",
            f"{settings.SITE_URL}/",
        ]
    )
    email_queue(
        kind=f"sla_{what}",
        to=recipients,
        subject=subject,
        body_text=body,
        ticket=ticket,
        dedupe_key=f"sla-{what}:{target.pk}",
        headers={"Auto-Submitted": "auto-generated"},
    )


def _fmt(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")
