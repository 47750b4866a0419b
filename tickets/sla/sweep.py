"""The SLA sweep: mark warnings and breaches that have come due, exactly once, and escalate.

Beat runs it every minute (``tickets.sla.tasks.sweep_sla``). It reads only the clocks that are due,
through partial indexes on ``due_at`` / ``warn_at`` of running, unbreached targets, so its cost
follows what is due, not how many tickets exist.

It works in chunks of due clocks, one transaction each, and does each step once per chunk:
one conditional ``UPDATE … RETURNING`` marks the chunk, one INSERT writes its events (published
with one ``on_commit`` callback and one Celery task, ``events.record_events``). Each event names
its clock and who is responsible for the ticket (read for the whole chunk at once); the
escalation mail is queued from that by the event's handler (``tickets.sla.notify``) once the
sweep's transaction committed. Clocks whose policy changes the ticket (raise priority, move
team) are the exception: each goes through the ticket services on its own, inside a savepoint,
so a refused escalation leaves only that clock for the next run.

Exactly once, even with two sweeps at the same time or a sweep repeated after a crash:
- a chunk's transaction first locks its tickets and clocks with ``SELECT … FOR UPDATE SKIP
  LOCKED`` (PostgreSQL; a no-op on SQLite, where transactions are serialized), so a concurrent
  sweep skips what another is handling;
- the mark itself is a conditional ``UPDATE … WHERE breached_at IS NULL … RETURNING id``: only
  the clocks that update changed get an event (and so a mail);
- mail rows carry a ``dedupe_key`` (the clock and mark), so even a sweep that ran twice, or a
  handler run twice, queues one mail.

A sweep that was not running (worker or beat down) catches up: it stamps the *true* time, the
clock's ``due_at`` (or ``warn_at``), not the time it noticed. A clock found already past its due
time is breached without a separate warning mail first.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce

from support import clock
from tickets.events import event_build, record_event, record_events
from tickets.models import EventKind, Priority, Ticket
from tickets.sla.models import SlaPolicy, SlaTarget, TargetState, TicketSla
from tickets.sla.notify import BREACH, WARNING, Audience

logger = logging.getLogger(__name__)

CHUNK = 500
PRIORITY_UP = {
    Priority.LOW: Priority.NORMAL,
    Priority.NORMAL: Priority.HIGH,
    Priority.HIGH: Priority.URGENT,
}


def due_for_breach(now: datetime):
    return SlaTarget.objects.filter(
        state=TargetState.RUNNING, breached_at__isnull=True, due_at__lte=now
    ).order_by("due_at")


def warning_candidates(now: datetime):
    """Clocks whose warning time has come, straight from ``sla_target_warn_due_idx``: the sweep
    lists them from this, then marks those of them ``due_for_warning`` still takes."""
    return SlaTarget.objects.filter(
        state=TargetState.RUNNING,
        warned_at__isnull=True,
        breached_at__isnull=True,
        warn_at__lte=now,
    ).order_by("warn_at")


def due_for_warning(now: datetime):
    # Past due is the breach pass's: no warning mail after the fact. Listing with this test
    # too, PostgreSQL read the breach index for "due_at > now" (all running clocks: 13 ms at
    # 1,000,000 tickets) instead of the warning index (0.4 ms), so it applies when marking.
    return warning_candidates(now).filter(due_at__gt=now)


def sla_sweep(*, now: datetime | None = None, time_budget: float = 50.0) -> dict[str, int]:
    """Mark every due breach, then every due warning. Returns how many of each it marked.

    Works in chunks until nothing due is left or ``time_budget`` seconds have passed (the next
    run carries on), so one run never overlaps the next by much.
    """
    now = now or clock.now()
    started = time.monotonic()
    done = {BREACH: 0, WARNING: 0}
    for what, query in ((BREACH, due_for_breach), (WARNING, warning_candidates)):
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
    """One transaction for a chunk of due clocks: the plain ones marked and recorded in bulk;
    those whose policy escalates one by one, each in a savepoint."""
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
        policies = _policies({t.ticket_id for t in targets})
        plain = [t for t in targets if not _escalates(what, policies.get(t.ticket_id))]
        marked = _mark_many(what, plain, tickets, policies)
        for target in targets:
            if not _escalates(what, policies.get(target.ticket_id)):
                continue
            try:
                with transaction.atomic():  # escalation runs services that may refuse
                    marked += _mark(
                        what, target, tickets[target.ticket_id], policies[target.ticket_id]
                    )
            except Exception:
                logger.exception("SLA %s of clock %s failed; next sweep retries", what, target.pk)
    return marked


def _policies(ticket_ids: set[int]) -> dict[int, SlaPolicy | None]:
    """Each ticket's matched policy; a chunk shares a handful, so each is loaded once."""
    matched = dict(
        TicketSla.objects.filter(ticket_id__in=ticket_ids).values_list("ticket_id", "policy_id")
    )
    loaded = SlaPolicy.objects.select_related("warning_team", "breach_team").in_bulk(
        {pk for pk in matched.values() if pk is not None}
    )
    return {ticket_id: loaded.get(policy_id) for ticket_id, policy_id in matched.items()}


def _mark_many(
    what: str,
    targets: list[SlaTarget],
    tickets: dict[int, Ticket],
    policies: dict[int, SlaPolicy | None],
) -> int:
    """Mark and record clocks whose policy doesn't change the ticket, a few queries for the lot.
    Only the clocks the guarded UPDATE changed get an event (and, from it, a mail)."""
    marked_ids = _guarded_update(what, [t.pk for t in targets])
    if not marked_ids:
        return 0
    targets = [t for t in targets if t.pk in marked_ids]
    kind = EventKind.SLA_BREACHED if what == BREACH else EventKind.SLA_WARNING
    audience = Audience(tickets.values(), policies.values())
    record_events(
        event_build(
            tickets[t.ticket_id],
            kind=kind,
            by=None,
            field=t.kind,
            old=f"due {t.due_at.isoformat()}",
            new=f"{what} at {_when(what, t).isoformat()}",
            data=_data(t, audience.people(tickets[t.ticket_id], what, policies.get(t.ticket_id))),
        )
        for t in targets
    )
    return len(targets)


def _data(target: SlaTarget, people: set[int], **more) -> dict:
    """What the mark's handler needs (``tickets.sla.notify``): the clock, who to tell."""
    return {"clock": target.pk, "notify": sorted(people), **more}


def _guarded_update(what: str, pks: list[int]) -> set[int]:
    """The guard, for a whole chunk: one conditional UPDATE that returns the ids it changed. A
    clock another run has marked meanwhile is not among them."""
    if not pks:
        return set()
    table = connection.ops.quote_name(SlaTarget._meta.db_table)
    if what == BREACH:
        assign = "breached_at = due_at, warned_at = COALESCE(warned_at, warn_at)"
        guard = "breached_at IS NULL"
    else:
        assign = "warned_at = warn_at"
        guard = "warned_at IS NULL AND breached_at IS NULL"
    placeholders = ", ".join(["%s"] * len(pks))
    # Only constants and placeholders are formatted in; the ids go as parameters. Django's
    # update() can't return the changed rows; both PostgreSQL and SQLite ≥ 3.35 can.
    sql = f"UPDATE {table} SET {assign} WHERE id IN ({placeholders}) AND {guard} RETURNING id"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, pks)
        return {row[0] for row in cursor.fetchall()}


def _when(what: str, target: SlaTarget) -> datetime:
    """The true time of the mark: the clock's own due (or warning) time, not the sweep's."""
    return target.due_at if what == BREACH else target.warn_at


def _escalates(what: str, policy: SlaPolicy | None) -> bool:
    if policy is None:
        return False
    if what == BREACH:
        return policy.breach_raise_priority or policy.breach_team_id is not None
    return policy.warning_raise_priority or policy.warning_team_id is not None


def _mark(what: str, target: SlaTarget, ticket: Ticket, policy: SlaPolicy | None) -> bool:
    # The guard: only the run whose UPDATE changed the row records the mark (and so notifies).
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
    # Who is responsible before the escalation; the handler adds those after it (a new team).
    people = Audience([ticket], [policy]).people(ticket, what, policy)
    record_event(
        ticket,
        kind=kind,
        by=None,
        field=target.kind,
        old=f"due {target.due_at.isoformat()}",
        new=f"{what} at {when.isoformat()}",
        data=_data(target, people, escalates=True),
    )
    _escalate(ticket, what, policy)
    return True


def _escalate(ticket: Ticket, what: str, policy: SlaPolicy | None) -> None:
    """Apply the policy's escalation rules through the ticket services (events and all)."""
    if policy is None:
        return
    from tickets import services

    raise_priority = (
        policy.breach_raise_priority if what == BREACH else policy.warning_raise_priority
    )
    team = policy.breach_team if what == BREACH else policy.warning_team
    changes: services.TicketChanges = {}
    if raise_priority and ticket.priority in PRIORITY_UP:
        changes["priority"] = PRIORITY_UP[ticket.priority]
    if team is not None and ticket.team_id != team.pk:
        changes["team"] = team
        if ticket.assignee_id and not team.members.filter(pk=ticket.assignee_id).exists():
            changes["assignee"] = None
    if changes:
        services.ticket_update(ticket=ticket, by=None, changes=changes)
