"""SLA clocks for the scale data set: what the SLA engine would have stored for the loaded tickets.

Run after the tickets and messages are loaded (``bench.dataset.load``), or on its own for a data
set loaded before this existed (``manage.py seed_scale --derived-only``): it reads every ticket
that has no ``TicketSla`` row back with its messages, in id order through a server-side cursor, and
writes the ``TicketSla`` and ``SlaTarget`` rows with one ``COPY`` per table and batch — memory
stays flat.

The clocks follow the engine's rules (``tickets.sla.services``): first response and resolution
start at creation; an agent's public reply meets first response and next reply; a customer's
message after that starts a next reply; solving meets resolution and cancels what is still owed;
pending / on hold pause resolution. A clock past its due time is breached at its due time, as the
minute-by-minute sweep would have marked it. Paused spells of solved tickets are not modelled (the
generator keeps no status history for them), so their ``paused_seconds`` is 0.

Business time is on one calendar, Monday–Friday 09:00–17:00 UTC without holidays, computed in
closed form here (the engine's general arithmetic walks day by day: minutes for millions of clocks);
``tests/bench/test_sla_dataset.py`` checks it against ``tickets.sla.business_time``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import groupby

from django.db import connection

from bench.pgcopy import NULL, LoadStats, copy_rows, max_id, ts
from tickets.models import Message, MessageKind, Priority, Status, Ticket
from tickets.sla.models import BusinessCalendar, SlaPolicy, SlaTarget, TargetKind, TargetState
from tickets.sla.models import TicketSla as TicketSlaModel

DAY = 86400
OPEN_FROM, OPEN_TO = 9 * 3600, 17 * 3600  # UTC, Monday to Friday
OPEN_DAY = OPEN_TO - OPEN_FROM
OPEN_WEEK = 5 * OPEN_DAY
# 1 January 1970 was a Thursday: weekday (Monday = 0) of epoch day d is (d + 3) % 7.
_WEEKDAY_OFFSET = 3
# Open days among the first r days of a week that starts on a Thursday.
_OPEN_DAYS_BEFORE = [sum((i + _WEEKDAY_OFFSET) % 7 < 5 for i in range(r)) for r in range(8)]

CALENDAR_NAME = "Scale data set: weekdays 09–17 UTC"
# Business minutes to first response / next reply / resolution, by priority.
TARGETS = {
    Priority.URGENT: (60, 60, 8 * 60),
    Priority.HIGH: (4 * 60, 4 * 60, 24 * 60),
    Priority.NORMAL: (8 * 60, 8 * 60, 72 * 60),
    Priority.LOW: (24 * 60, 24 * 60, 168 * 60),
}
WARNING_PERCENT = 75
BATCH = 25_000

SLA_COLUMNS = ["ticket_id", "policy_id", "policy_name", "matched_at"]
TARGET_COLUMNS = [
    "id", "ticket_id", "kind", "state", "target_minutes", "warning_percent", "started_at",
    "due_at", "warn_at", "paused_since", "paused_seconds", "warned_at", "breached_at", "met_at",
    "business_seconds_taken", "created_at",
]  # fmt: skip


def business_before(t: float) -> float:
    """Business seconds from the epoch to ``t`` (a POSIX timestamp) on the seed's calendar."""
    days, second = divmod(t, DAY)
    days = int(days)
    weeks, rest = divmod(days, 7)
    total = weeks * OPEN_WEEK + _OPEN_DAYS_BEFORE[rest] * OPEN_DAY
    if (days + _WEEKDAY_OFFSET) % 7 < 5:
        total += min(max(second, OPEN_FROM), OPEN_TO) - OPEN_FROM
    return total


def business_between(a: float, b: float) -> float:
    return business_before(b) - business_before(a)


def business_add(start: float, seconds: float) -> float:
    """The instant ``seconds`` of business time after ``start`` (as ``add_business_time``: a
    duration that ends exactly at closing time ends then, not at the next opening)."""
    goal = business_before(start) + seconds
    weeks, rest = divmod(goal, OPEN_WEEK)
    if rest == 0 and weeks:
        weeks, rest = weeks - 1, OPEN_WEEK
    day = int(weeks) * 7
    while True:
        if (day + _WEEKDAY_OFFSET) % 7 < 5:
            if rest <= OPEN_DAY:
                return max(day * DAY + OPEN_FROM + rest, start)
            rest -= OPEN_DAY
        day += 1


def ensure_policies() -> dict[str, tuple[int, str, tuple[int, int, int]]]:
    """The seed's calendar and one policy per priority: priority → (policy id, name, targets).

    The policies are inactive: the seeded tickets keep the clocks they were given, while tickets
    the benchmark creates match no policy, as they did before the seed had SLA rows (the scenarios
    that create tickets measure the same work)."""
    calendar, _ = BusinessCalendar.objects.get_or_create(
        name=CALENDAR_NAME, defaults={"time_zone": "UTC"}
    )
    policies = {}
    for i, (priority, (fr, nr, res)) in enumerate(TARGETS.items()):
        name = f"Scale data set: {priority}"
        policy, _ = SlaPolicy.objects.get_or_create(
            name=name,
            defaults={
                "position": 900 + i,
                "is_active": False,
                "calendar": calendar,
                "priorities": [priority],
                "first_response_minutes": fr,
                "next_reply_minutes": nr,
                "resolution_minutes": res,
                "warning_percent": WARNING_PERCENT,
            },
        )
        policies[priority] = (policy.pk, name, (fr, nr, res))
    return policies


class _Clocks:
    """Builds the COPY rows of one ticket's clocks."""

    def __init__(self, first_id: int, now: float):
        self.next_id = first_id
        self.now = now
        self.rows: list[str] = []

    def add(
        self,
        ticket_id: int,
        kind: str,
        minutes: int,
        started: float,
        *,
        met: float | None = None,
        cancelled: float | None = None,
        paused: float | None = None,
    ) -> None:
        due = business_add(started, minutes * 60)
        warn = business_add(started, minutes * 60 * WARNING_PERCENT / 100)
        # The moment the clock stopped running (or now, if it still runs).
        end = met if met is not None else cancelled if cancelled is not None else paused
        end = self.now if end is None else end
        breached = due if due <= end else None
        warned = warn if warn <= end else None
        if met is not None:
            state = TargetState.MET
        elif cancelled is not None:
            state = TargetState.CANCELLED
        elif paused is not None:
            state = TargetState.PAUSED
        else:
            state = TargetState.RUNNING
        taken = int(business_between(started, met)) if met is not None else None
        self.next_id += 1
        self.rows.append(
            "\t".join(
                (
                    str(self.next_id),
                    str(ticket_id),
                    kind,
                    state,
                    str(minutes),
                    str(WARNING_PERCENT),
                    ts(started),
                    ts(due),
                    ts(warn),
                    ts(paused) if paused is not None else NULL,
                    "0",
                    ts(warned) if warned is not None else NULL,
                    ts(breached) if breached is not None else NULL,
                    ts(met) if met is not None else NULL,
                    str(taken) if taken is not None else NULL,
                    ts(started),
                )
            )
        )


def _tickets_with_messages(batch: int) -> Iterator[tuple]:
    """(ticket row, [(message time, by agent, public)]) of every ticket without SLA rows, in id
    order, streamed from a server-side cursor."""
    with connection.chunked_cursor() as cursor:
        cursor.itersize = batch * 4
        cursor.execute(
            f"""
            SELECT t.id, t.priority, t.status, t.created_at, t.solved_at, t.updated_at,
                   m.created_at, m.author_user_id IS NOT NULL, m.kind = %s
              FROM {Ticket._meta.db_table} t
              JOIN {Message._meta.db_table} m ON m.ticket_id = t.id
             WHERE NOT EXISTS (SELECT 1 FROM {TicketSlaModel._meta.db_table} s
                                WHERE s.ticket_id = t.id)
             ORDER BY t.id, m.created_at, m.id
            """,  # noqa: S608 - table names from our models
            [MessageKind.REPLY],
        )
        for _, rows in groupby(cursor, key=lambda row: row[0]):
            rows = list(rows)
            yield rows[0][:6], [(r[6].timestamp(), r[7], r[8]) for r in rows]


def load_sla(*, stats: LoadStats, log: Callable[[str], None] = print) -> None:
    """Write the SLA rows of every ticket that has none (see the module's docstring)."""
    t0 = time.perf_counter()
    policies = ensure_policies()
    now = datetime.now(tz=UTC).timestamp()
    done = 0
    with connection.cursor() as cursor:
        clocks = _Clocks(max_id(cursor, SlaTarget), now)
        slas: list[str] = []

        def flush() -> None:
            copy_rows(cursor, TicketSlaModel, SLA_COLUMNS, slas, stats)
            copy_rows(cursor, SlaTarget, TARGET_COLUMNS, clocks.rows, stats)
            slas.clear()
            clocks.rows.clear()

        for (
            tid,
            priority,
            status,
            created_at,
            solved_at,
            updated_at,
        ), messages in _tickets_with_messages(BATCH):
            policy_id, name, (fr, nr, res) = policies[priority]
            created = created_at.timestamp()
            solved = solved_at.timestamp() if solved_at else None
            slas.append(f"{tid}\t{policy_id}\t{name}\t{ts(created)}")
            # First response and next replies, from the conversation.
            first_met = None
            waiting = None  # when the customer's unanswered message (after the first reply) came
            for at, by_agent, public in messages[1:]:
                if by_agent and public:
                    if first_met is None:
                        first_met = at
                    elif waiting is not None:
                        clocks.add(tid, TargetKind.NEXT_REPLY, nr, waiting, met=at)
                        waiting = None
                elif not by_agent and first_met is not None and waiting is None:
                    waiting = at
            if first_met is not None:
                clocks.add(tid, TargetKind.FIRST_RESPONSE, fr, created, met=first_met)
            else:
                clocks.add(tid, TargetKind.FIRST_RESPONSE, fr, created, cancelled=solved)
            if waiting is not None:
                clocks.add(tid, TargetKind.NEXT_REPLY, nr, waiting, cancelled=solved)
            paused = None
            if status in (Status.PENDING, Status.ON_HOLD):
                paused = updated_at.timestamp()
            clocks.add(tid, TargetKind.RESOLUTION, res, created, met=solved, paused=paused)
            done += 1
            if len(slas) >= BATCH:
                flush()
        flush()
        # Open tickets' due times follow their running clocks (as ``_sync_ticket`` keeps them; a
        # paused clock shows none).
        cursor.execute(
            f"""
            UPDATE {Ticket._meta.db_table} t
               SET first_response_due_at = c.first_response, next_reply_due_at = c.next_reply,
                   resolution_due_at = c.resolution
              FROM (SELECT ticket_id,
                           max(due_at) FILTER (WHERE kind = 'first_response'
                                                 AND state = 'running') AS first_response,
                           max(due_at) FILTER (WHERE kind = 'next_reply'
                                                 AND state = 'running') AS next_reply,
                           max(due_at) FILTER (WHERE kind = 'resolution'
                                                 AND state = 'running') AS resolution
                      FROM {SlaTarget._meta.db_table}
                     WHERE state IN ('running', 'paused') GROUP BY ticket_id) c
             WHERE c.ticket_id = t.id
            """  # noqa: S608 - table names from our models
        )
    stats.seconds["sla"] = time.perf_counter() - t0
    log(f"Wrote the SLA clocks of {done:,} tickets in {stats.seconds['sla']:.1f}s.")
