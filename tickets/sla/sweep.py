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

CHUNK = 100
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
        due_at__gt=now,  # past due is the breach pass's: no warning mail after the fact
    ).order_by("warn_at")


def sla_sweep(*, now: datetime | None = None, time_budget: float = 50.0) -> dict[str, int]:
    """Mark every due breach, then every due warning. Returns how many of each it marked.

    Works in chunks until nothing due is left or ``time_budget`` seconds have passed (the next
    run carries on), so one run never overlaps the next by much.
    """
    now = now or clock.now()
    started = time.monotonic()
    done = {BREACH: 0, WARNING: 0}
    for what, query in ((BREACH, due_for_breach), (WARNING, due_for_warning)):
        seen: set[int] = set()
        while time.monotonic() - started < time_budget:
            rows = [
                row
                for row in query(now).values_list("pk", "ticket_id")[: CHUNK + len(seen)]
                if row[0] not in seen
            ][:CHUNK]
            if not rows:
                break
            seen.update(pk for pk, _ in rows)  # skipped (locked elsewhere) or done: not again
            done[what] += _mark_chunk(what, rows, now)
    if done[BREACH] or done[WARNING]:
        logger.info("SLA sweep: %(breach)s breached, %(warning)s warned", done)
    return done


def _mark_chunk(what: str, rows: list[tuple[int, int]], now: datetime) -> int:
    """One transaction for a chunk of due clocks (commits are the expensive part). A clock whose
    policy escalates gets a savepoint: a service refusing the escalation leaves that clock for
    the next run and no other."""
    marked = 0
    query = due_for_breach if what == BREACH else due_for_warning
    with transaction.atomic():
        # Tickets first, as the ticket services lock them first; SKIP LOCKED never waits, so a
        # ticket being changed right now (or handled by a concurrent sweep) waits for next run.
        tickets = {
            t.pk: t
            for t in Ticket.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("assignee", "team__lead")
            .filter(pk__in={ticket_id for _, ticket_id in rows})
            .order_by("pk")
        }
        targets = list(
            query(now)
            .select_for_update(skip_locked=True)
            .filter(pk__in=[pk for pk, _ in rows], ticket_id__in=list(tickets))
        )
        policies = {
            sla.ticket_id: sla.policy
            for sla in TicketSla.objects.select_related(
                "policy__warning_team", "policy__breach_team"
            ).filter(ticket_id__in={t.ticket_id for t in targets})
        }
        for target in targets:
            ticket, policy = tickets[target.ticket_id], policies.get(target.ticket_id)
            if not _escalates(what, policy):
                marked += _mark(what, target, ticket, policy)
                continue
            try:
                with transaction.atomic():  # escalation runs services that may refuse
                    marked += _mark(what, target, ticket, policy)
            except Exception:
                logger.exception("SLA %s of clock %s failed; next sweep retries", what, target.pk)
    return marked


def _escalates(what: str, policy: SlaPolicy | None) -> bool:
    if policy is None:
        return False
    if what == BREACH:
        return policy.breach_raise_priority or policy.breach_team_id is not None
    return policy.warning_raise_priority or policy.warning_team_id is not None


def _mark(what: str, target: SlaTarget, ticket: Ticket, policy: SlaPolicy | None) -> bool:
    # The guard: only the run whose UPDATE changed the row records and notifies.
    if what == BREACH:
        marked = SlaTarget.objects.filter(pk=target.pk, breached_at__isnull=True).update(
            breached_at=F("due_at"), warned_at=Coalesce(F("warned_at"), F("warn_at"))
        )
        kind, when = EventKind.SLA_BREACHED, target.due_at
    else:
        marked = SlaTarget.objects.filter(
            pk=target.pk, warned_at__isnull=True, breached_at__isnull=True
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
    recipients = _recipients(ticket, what, policy)
    if _escalate(ticket, what, policy):
        recipients |= _recipients(ticket, what, policy)  # a new team hears too
    _notify(ticket, target, what, when, sorted(recipients))
    return True


def _recipients(ticket: Ticket, what: str, policy: SlaPolicy | None) -> set[str]:
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


def _escalate(ticket: Ticket, what: str, policy: SlaPolicy | None) -> bool:
    """Apply the policy's escalation rules through the ticket services (events and all).
    Returns whether the ticket changed."""
    if policy is None:
        return False
    from tickets import services

    raise_priority = (
        policy.breach_raise_priority if what == BREACH else policy.warning_raise_priority
    )
    team = policy.breach_team if what == BREACH else policy.warning_team
    changed = False
    if raise_priority and ticket.priority in PRIORITY_UP:
        services.ticket_change_priority(
            ticket=ticket, priority=PRIORITY_UP[ticket.priority], by=None
        )
        changed = True
    if team is not None and ticket.team_id != team.pk:
        keep = ticket.assignee_id and team.members.filter(pk=ticket.assignee_id).exists()
        if keep:
            services.ticket_assign(ticket=ticket, team=team, by=None)
        else:
            services.ticket_assign(ticket=ticket, team=team, assignee=None, by=None)
        changed = True
    return changed


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
