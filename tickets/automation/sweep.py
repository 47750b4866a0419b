"""The automation sweep (beat, every ``AUTOMATION_SWEEP_SECONDS``): each active automation, in
order, acts on the tickets its conditions match, once per matching period.

**Reads indexes, never every ticket.** Each time condition becomes a range of one timestamp
column (``timing.range_filter``) read through a partial index over the tickets an automation can
still change (not closed); conditions on status, priority, type, channel, team, assignee and
organization are added to the same query; the rest (tags, text, business hours) are checked in
memory on the tickets the ranges found. Tickets already acted on for their current period are
left out by the run table's unique index.

**Only what can have come to match since the last pass.** A full pass reads every ticket in
range, including those acted on before (they stay in range when the action leaves them there),
so its cost grows with them. After a complete pass at ``prev`` (``AutomationSweep``), a ticket
can only have come to match by ``now`` in two ways: its data changed (every change through the
services moves ``updated_at``), or time passed over one of its time conditions. "More than h
hours since X" (``X < now - h``) and "less than h hours until X" (``X < now + h``) become true as
time passes, so the tickets whose ``X`` lies in ``[prev ± h, now ± h)`` are read — a range of
the condition's index bounded on both sides; the other two forms only become false as time
passes. The tickets changed since ``prev`` come from ``ticket_live_updated_idx``. Both bounds
reach back ``LAG`` more, for changes committed a while after they were stamped and for clocks
of other hosts. All of it is one ``UNION ALL`` query (its SQL compiled once per automation).
With nothing to do, a pass is two queries — the automations, that one — plus an UPDATE moving
the marks every ``MARK_EVERY``; each part reads only the rows in its window, so the cost depends
on how much changed and crossed since, not on how many tickets there are.

A full pass runs instead when an automation has no mark, its conditions changed since, the
clock went back, its last full pass is older than ``AUTOMATION_FULL_SWEEP_SECONDS`` (the net
for writes that don't move ``updated_at``: a team or product deleted, an SLA policy set by a
rule, bulk SQL), or it has a condition whose truth moves without the ticket changing (business
hours; the requester's email, kept on the customer).

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

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Value

from support import clock
from tickets import events
from tickets.automation import field_rules
from tickets.automation.actions import run_actions
from tickets.automation.cache import _calendar_ids
from tickets.automation.evaluate import Facts, conditions_hold
from tickets.automation.models import Automation, AutomationRun, AutomationSweep
from tickets.automation.timing import TIME_COLUMNS, range_filter, time_conditions, timestamp
from tickets.models import LIVE_STATUSES, EventKind, Ticket
from tickets.sla.business_time import Calendar
from tickets.sla.models import BusinessCalendar

logger = logging.getLogger(__name__)
BATCH = 200
# How far back an incremental pass reaches before the last pass, for changes committed after
# they were stamped and for clock differences between hosts.
LAG = timedelta(minutes=10)
# An incremental pass moves its mark only once it is this old: most passes write nothing.
MARK_EVERY = timedelta(minutes=5)
# Conditions whose truth can move without the ticket row changing: always a full pass.
_FULL_ONLY = {"business_hours", "requester", "requester_domain"}

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
        if field_rules.is_field_condition(cond["field"]):
            q &= field_rules.field_q(cond) or Q()
            continue
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
    return _pages(query, column)


def window_start(cond: dict, prev: datetime) -> datetime | None:
    """The lower bound of the tickets whose time condition ``cond`` can have become true since
    ``prev`` (``None``: time passing only makes it false)."""
    spec = TIME_COLUMNS[cond["field"]]
    hours = timedelta(hours=cond["value"])
    if spec.until and cond["operator"] == "less_than":
        return prev + hours - LAG  # X < now + h
    if not spec.until and cond["operator"] == "greater_than":
        return prev - hours - LAG  # X < now - h
    return None


def new_candidate_queries(
    automation: Automation, now: datetime, prev: datetime
) -> tuple[list[QuerySet], str]:
    """The queries of the candidates that can have come to match since the complete pass at
    ``prev``: one per time condition that moves with time (its window), one for the tickets
    changed since (``ticket_live_updated_idx``); and the column the period is read from."""
    query, column = candidates_query(automation, now)
    parts = []
    for cond in time_conditions(automation.conditions):
        start = window_start(cond, prev)
        if start is not None:
            time_column = TIME_COLUMNS[cond["field"]].column
            parts.append(query.filter(**{f"{time_column}__gte": start}))
    changed = Ticket.objects.filter(status__in=LIVE_STATUSES, updated_at__gte=prev - LAG)
    parts.append(query.filter(pk__in=changed.values("pk")))
    return parts, column


def new_candidates(
    automations: list[Automation], now: datetime, passes: dict
) -> dict[int, list[int]]:
    """For each automation, the ids of :func:`new_candidate_queries` (each once, in the order
    of its period column): all of them in one ``UNION ALL``, one round trip."""
    if not automations:
        return {}
    sqls, params = [], []
    for n, automation in enumerate(automations):
        sql, template = _candidates_sql(automation)
        sqls.append(f"SELECT * FROM ({sql}) AS part_{n}")  # noqa: S608 - Django's SQL
        params += [_bind(value, now, passes[automation.pk]) for value in template]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sqls), params)
        rows = cursor.fetchall()
    found: dict[int, set[tuple]] = {}
    for rule, period, pk in rows:
        found.setdefault(rule, set()).add((period, pk))
    return {rule: [pk for _, pk in sorted(pairs)] for rule, pairs in found.items()}


# The SQL of an automation's incremental candidates is the same on every pass but for its time
# bounds, each ``now`` or ``prev`` plus a fixed offset: it is compiled once per automation and
# its conditions (Django builds it in ~1 ms a part) with stand-ins far apart for ``now`` and
# ``prev``, and each bound is kept as its offset from one of them.
_NOW = datetime(2900, 1, 1, tzinfo=UTC)
_PREV = datetime(2500, 1, 1, tzinfo=UTC)
_NEAR = timedelta(days=3 * 365)  # wider than any offset (MAX_HOURS and LAG)
_COMPILED: dict[tuple, tuple[str, list]] = {}


def _candidates_sql(automation: Automation) -> tuple[str, list]:
    key = (automation.pk, json.dumps(automation.conditions, sort_keys=True))
    if key not in _COMPILED:
        queries, column = new_candidate_queries(automation, _NOW, _PREV)
        rule = Value(automation.pk, output_field=IntegerField())
        parts = [
            q.annotate(rule=rule, period=F(column)).values_list("rule", "period", "pk")
            for q in queries
        ]
        union = parts[0].union(*parts[1:], all=True)
        sql, params = union.query.sql_with_params()
        if len(_COMPILED) > 500:
            _COMPILED.clear()
        _COMPILED[key] = (sql, [_unbind(value) for value in params])
    return _COMPILED[key]


def _unbind(value):
    """A parameter as ("value", it) or as ("now" / "prev", offset); SQLite's come as text."""
    at = value
    if isinstance(value, str):
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            return ("value", value)
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
    if isinstance(at, datetime):
        for name, base in (("now", _NOW), ("prev", _PREV)):
            if abs(at - base) < _NEAR:
                return (name, at - base)
        if at is value:
            raise ValueError(f"A time bound not relative to now or the last pass: {value}")
    return ("value", value)


def _bind(template: tuple, now: datetime, prev: datetime):
    kind, value = template
    if kind == "value":
        return value
    return connection.ops.adapt_datetimefield_value((now if kind == "now" else prev) + value)


def _pages(query: QuerySet, column: str) -> Iterator[int]:
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


def last_pass(automation: Automation, now: datetime) -> datetime | None:
    """When the automation's last complete pass was, if the next may read only what changed
    since; ``None``: it needs a full pass."""
    try:
        mark = automation.sweep_mark
    except AutomationSweep.DoesNotExist:
        return None
    every = timedelta(seconds=settings.AUTOMATION_FULL_SWEEP_SECONDS)
    conditions = automation.conditions
    if (
        mark.conditions != conditions
        or mark.swept_at > now
        or now - mark.full_at >= every
        or any(
            c["field"] in _FULL_ONLY
            for c in (*conditions.get("all", ()), *conditions.get("any", ()))
        )
    ):
        return None
    return mark.swept_at


def automations_sweep(now: datetime | None = None) -> dict[str, int]:
    """Run every active automation once over the tickets it can match now."""
    now = now or clock.now()
    counts = {"acted": 0, "failed": 0, "skipped": 0}
    automations = list(
        Automation.objects.filter(is_active=True)
        .select_related("sweep_mark")
        .order_by("position", "id")
    )
    if not automations:
        return counts
    calendars = _calendars(automations)
    passes = {a.pk: last_pass(a, now) for a in automations}
    found: dict[int, list[int]] | None = None
    for position, automation in enumerate(automations):
        if passes[automation.pk] is None:
            ids = candidates(automation, now)
        else:
            if found is None:  # read once, and again for the rest after an automation acted
                rest = [a for a in automations[position:] if passes[a.pk] is not None]
                found = new_candidates(rest, now, passes)
            ids = found.get(automation.pk, [])
        for ticket_id in ids:
            outcome = act_once(automation, ticket_id, now=now, calendars=calendars)
            counts[outcome if outcome in counts else "skipped"] += 1
            if outcome in ("acted", "failed"):
                found = None
    _mark(automations, passes, now)
    return counts


def _mark(automations: list[Automation], passes: dict, now: datetime) -> None:
    """Record the complete pass: the full ones' marks written afresh (one upsert); the others'
    moved to ``now`` once they are ``MARK_EVERY`` old (one UPDATE). A mark left behind only makes
    the next pass start from an earlier one — a few minutes more of window, still right."""
    moved = [
        a.pk for a in automations if passes[a.pk] is not None and now - passes[a.pk] >= MARK_EVERY
    ]
    if moved:
        AutomationSweep.objects.filter(automation_id__in=moved).update(swept_at=now)
    full = [a for a in automations if passes[a.pk] is None]
    if full:
        AutomationSweep.objects.bulk_create(
            [
                AutomationSweep(automation=a, swept_at=now, full_at=now, conditions=a.conditions)
                for a in full
            ],
            update_conflicts=True,
            unique_fields=["automation"],
            update_fields=["swept_at", "full_at", "conditions"],
        )


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
