"""The automation sweep (beat, every ``AUTOMATION_SWEEP_SECONDS``): each active automation, in
order, acts on the tickets its conditions match, once per matching period.

**Reads indexes, never every ticket.** Each time condition becomes a range of one timestamp
column (``timing.range_filter``) read through a partial index over the tickets an automation can
still change (not closed); conditions on status, priority, type, channel, team, assignee and
organization are added to the same query; the rest (tags, text, business hours) are checked in
memory on the tickets the ranges found. Tickets already acted on for their current period are
left out by the run table's unique index. With nothing to do, a sweep is one query per active
automation.

**Exactly once.** The period is the value of the timestamp the first time condition counts from
(when the ticket was solved, went pending…). Acting on a ticket locks its row, checks the
conditions again on what it now is, then writes an ``AutomationRun`` (automation, ticket, period)
— unique — in the same transaction as the change: a second sweep (concurrent, or after a
restart) finds the row and skips. When the timestamp moves (a reopen, a new reply) the period is
new and the automation may act again.

**Attributed, and a failure is skipped.** Changes go through the public services inside
``acting_for(automation)`` (the timeline names it) as one ticket change (so triggers see it).
An automation whose actions fail on a ticket is rolled back for that ticket, logged with it (a
``rule_failed`` event) and its run kept as failed: it isn't retried every minute in that period.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from support import clock
from tickets import events
from tickets.automation.actions import run_actions
from tickets.automation.cache import _calendar_ids
from tickets.automation.evaluate import Facts, conditions_hold
from tickets.automation.models import Automation, AutomationRun
from tickets.automation.timing import TIME_COLUMNS, range_filter, time_conditions, timestamp
from tickets.models import LIVE_STATUSES, EventKind, Ticket
from tickets.sla.business_time import Calendar
from tickets.sla.models import BusinessCalendar

logger = logging.getLogger(__name__)
BATCH = 200

# Conditions the query can hold too: a column of the ticket row.
_COLUMNS = {
    "status": "status",
    "priority": "priority",
    "type": "type",
    "channel": "channel",
    "team": "team_id",
    "assignee": "assignee_id",
    "organization": "organization_id",
}


def _column_filter(conditions: dict) -> Q:
    q = Q()
    for cond in conditions.get("all", ()):
        column = _COLUMNS.get(cond["field"])
        if column is None or cond["operator"] not in ("is", "is_not"):
            continue
        value = cond.get("value")
        match = Q(**{f"{column}__isnull": True}) if value is None else Q(**{column: value})
        q &= match if cond["operator"] == "is" else ~match
    return q


def period_field(automation: Automation) -> str:
    """The time condition whose timestamp is the period (the first in ``all``)."""
    return time_conditions(automation.conditions)[0]["field"]


def candidates_query(automation: Automation, now: datetime) -> tuple[QuerySet, str]:
    """Tickets whose time conditions (and column conditions) hold now and that this automation
    hasn't acted on for their current period; and the column the period is read from."""
    column = TIME_COLUMNS[period_field(automation)].column
    q = Q(status__in=LIVE_STATUSES)
    for cond in time_conditions(automation.conditions):
        q &= range_filter(cond, now)
    q &= _column_filter(automation.conditions)
    done = AutomationRun.objects.filter(
        automation=automation, ticket=OuterRef("pk"), period_at=OuterRef(column)
    )
    return Ticket.objects.filter(q).filter(~Exists(done)), column


def candidates(automation: Automation, now: datetime) -> Iterator[int]:
    """The candidates' ids, in keyset pages ordered by the period's column."""
    query, column = candidates_query(automation, now)
    last = None
    while True:
        page = query
        if last is not None:
            page = page.filter(
                Q(**{f"{column}__gt": last[0]}) | Q(**{column: last[0], "pk__gt": last[1]})
            )
        rows = list(page.order_by(column, "pk").values_list(column, "pk")[:BATCH])
        for _, pk in rows:
            yield pk
        if len(rows) < BATCH:
            return
        last = rows[-1]


def _calendars(automations: list[Automation]) -> dict[int, Calendar]:
    ids = _calendar_ids(automations)
    if not ids:
        return {}
    return {c.pk: c.as_calendar() for c in BusinessCalendar.objects.filter(pk__in=ids)}


def automations_sweep(now: datetime | None = None) -> dict[str, int]:
    """Run every active automation once over the tickets it matches now."""
    now = now or clock.now()
    counts = {"acted": 0, "failed": 0, "skipped": 0}
    automations = list(Automation.objects.filter(is_active=True).order_by("position", "id"))
    if not automations:
        return counts
    calendars = _calendars(automations)
    for automation in automations:
        for ticket_id in candidates(automation, now):
            outcome = act_once(automation, ticket_id, now=now, calendars=calendars)
            counts[outcome if outcome in counts else "skipped"] += 1
    return counts


@events.ticket_change
def _apply(automation: Automation, ticket: Ticket, facts: Facts, marker: int) -> None:
    """The automation's actions as one ticket change (triggers run on it, inside it)."""
    run_actions(automation, ticket, facts, marker=marker)


def act_once(
    automation: Automation,
    ticket_id: int,
    *,
    now: datetime | None = None,
    calendars: dict[int, Calendar] | None = None,
) -> str:
    """Act on one ticket if the automation's conditions hold and its period is new: "acted",
    "failed" (logged with the ticket), "done" (this period was acted on), "no" (doesn't match).
    The conditions are checked again on the locked row, against ``clock.now()``."""
    now = now or clock.now()
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("times", "requester", "team", "assignee")
            .filter(pk=ticket_id)
            .first()
        )
        if ticket is None or ticket.status not in LIVE_STATUSES:
            return "no"
        facts = Facts(ticket, [], calendars=calendars)
        try:
            holds = conditions_hold(facts, automation.conditions)
        except Exception:
            logger.exception("Automation %r: conditions could not be evaluated", automation.name)
            return "no"
        period = timestamp(ticket, period_field(automation)) if holds else None
        if period is None:
            return "no"
        try:
            with transaction.atomic():
                run = AutomationRun.objects.create(
                    automation=automation, ticket=ticket, period_at=period, at=now
                )
        except IntegrityError:
            return "done"
        try:
            with transaction.atomic(), events.acting_for(automation.as_attribution()):
                _apply(automation, ticket, facts, run.pk)
        except Exception as exc:
            logger.exception(
                "Automation %r failed on ticket #%s; skipped", automation.name, ticket.pk
            )
            ticket.refresh_from_db()
            events.record_event(
                ticket,
                kind=EventKind.RULE_FAILED,
                by=None,
                new=str(exc)[:255],
                data={"failed": automation.as_attribution()},
            )
            run.failed = True
            run.save(update_fields=["failed"])
            return "failed"
        return "acted"
