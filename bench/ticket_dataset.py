"""The tickets of the scale data set: conversations, their events and tags, and search documents.

Statuses, priorities, channels and conversation lengths are drawn from the weighted tables below;
creation times grow towards the present (ids follow creation time). Every row respects the models'
CHECK constraints (see ``bench.dataset``).
"""

from __future__ import annotations

import random
import time
from bisect import bisect
from collections.abc import Callable, Iterable
from itertools import accumulate

from bench.people_dataset import People
from bench.pgcopy import NULL, LoadStats, copy_rows, max_id, ts
from bench.text_pool import TextPool
from customers.models import Customer, Organization
from tickets.models import (
    Channel,
    EventKind,
    Message,
    MessageKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketSearchDocument,
    TicketType,
)

DAY = 86400.0
HOUR = 3600.0


def _weighted(pairs: Iterable[tuple[str, float]]) -> tuple[list[str], list[float]]:
    values, weights = zip(*pairs, strict=True)
    return list(values), list(accumulate(weights))


PRIORITIES = _weighted(
    [(Priority.LOW, 15), (Priority.NORMAL, 60), (Priority.HIGH, 20), (Priority.URGENT, 5)]
)
TYPES = _weighted(
    [
        (TicketType.QUESTION, 50),
        (TicketType.INCIDENT, 25),
        (TicketType.PROBLEM, 10),
        (TicketType.TASK, 15),
    ]
)
CHANNELS = _weighted(
    [(Channel.EMAIL, 55), (Channel.WEB, 20), (Channel.PORTAL, 20), (Channel.API, 5)]
)
OPEN_MIX = _weighted(
    [(Status.NEW, 25), (Status.OPEN, 45), (Status.PENDING, 20), (Status.ON_HOLD, 10)]
)
MESSAGE_COUNTS = _weighted(
    [("1", 12), ("2", 25), ("3", 28), ("4", 18), ("5", 9), ("6", 5), ("9", 3)]
)
# Hours to the first response / resolution target, by priority (what an SLA policy might set).
DUE_HOURS = {
    Priority.URGENT: (1, 8),
    Priority.HIGH: (4, 24),
    Priority.NORMAL: (8, 72),
    Priority.LOW: (24, 168),
}


def _pick(rng: random.Random, table: tuple[list[str], list[float]]) -> str:
    values, cum = table
    return values[bisect(cum, rng.random() * cum[-1])]


TICKET_COLUMNS = [
    "id", "subject", "status", "priority", "type", "channel", "requester_id", "organization_id",
    "assignee_id", "team_id", "created_at", "updated_at", "first_responded_at", "solved_at",
    "closed_at", "first_response_due_at", "resolution_due_at",
]  # fmt: skip
MESSAGE_COLUMNS = [
    "id", "ticket_id", "kind", "author_user_id", "author_customer_id", "body_text", "channel",
    "created_at",
]  # fmt: skip
EVENT_COLUMNS = ["id", "ticket_id", "kind", "actor_id", "actor_customer_id", "field", "old", "new",
                 "message_id", "at", "dispatched_at"]  # fmt: skip


def load_tickets(
    cursor,
    rng: random.Random,
    text: TextPool,
    people: People,
    *,
    count: int,
    batch: int,
    stats: LoadStats,
    log: Callable[[str], None],
) -> None:
    """COPY ``count`` tickets with their messages, events and tags, ``batch`` tickets a round."""
    n = count
    ids = {
        "ticket": max_id(cursor, Ticket),
        "message": max_id(cursor, Message),
        "event": max_id(cursor, TicketEvent),
        "tag": max_id(cursor, Ticket.tags.through),
    }
    span = people.end - people.start
    # Busier teams get more tickets (weights 1..3).
    team_table = _weighted([(str(t), 1 + (i % 5) / 2) for i, t in enumerate(people.team_ids)])
    n_cust = len(people.customer_ids)
    n_tags = len(people.tag_ids)
    done = 0
    t_started = time.perf_counter()
    while done < n:
        size = min(batch, n - done)
        tickets: list[str] = []
        messages: list[str] = []
        events: list[str] = []
        tags: list[str] = []
        for k in range(done, done + size):
            ids["ticket"] += 1
            tid = ids["ticket"]
            u = (k + rng.random()) / n
            # Support grows: more tickets per day in recent months (ids follow creation time).
            created = people.start + span * u**0.7
            recent = u > 0.9
            if rng.random() < (0.8 if recent else 0.02):
                status = _pick(rng, OPEN_MIX)
            elif recent:
                status = Status.SOLVED if rng.random() < 0.6 else Status.CLOSED
            else:
                status = Status.CLOSED if rng.random() < 0.97 else Status.SOLVED
            priority = _pick(rng, PRIORITIES)
            channel = _pick(rng, CHANNELS)
            ci = int(n_cust * rng.random() ** 1.5)  # a few customers write a lot
            requester = people.customer_ids[ci]
            org = people.customer_org[ci]
            team = int(_pick(rng, team_table))
            agents = people.team_agents[team]
            assigned = status != Status.NEW and (status != Status.OPEN or rng.random() < 0.85)
            assignee = rng.choice(agents) if assigned else None

            # The conversation: the customer writes first, then agents and the customer take turns.
            count = 1 if status == Status.NEW else int(_pick(rng, MESSAGE_COUNTS))
            at = created
            first_response = None
            agent_turn = False
            for m in range(count):
                ids["message"] += 1
                mid = ids["message"]
                if m == 0:
                    kind, author_user, author_customer = MessageKind.REPLY, NULL, requester
                    mchannel = channel
                else:
                    at += rng.expovariate(1 / (6 * HOUR)) + 60
                    agent_turn = not agent_turn or rng.random() < 0.2
                    if agent_turn:
                        note = rng.random() < 0.15
                        kind = MessageKind.NOTE if note else MessageKind.REPLY
                        author_user = assignee or rng.choice(agents)
                        author_customer = NULL
                        mchannel = Channel.WEB
                        if not note and first_response is None:
                            first_response = at
                    else:
                        kind, author_user, author_customer = MessageKind.REPLY, NULL, requester
                        mchannel = Channel.EMAIL if channel == Channel.EMAIL else Channel.PORTAL
                at = min(at, people.end)
                stamp = ts(at)
                messages.append(
                    f"{mid}\t{tid}\t{kind}\t{author_user}\t{author_customer}\t"
                    f"{text.body(rng)}\t{mchannel}\t{stamp}"
                )
                ids["event"] += 1
                if m == 0:
                    ekind, actor, actor_customer = EventKind.CREATED, NULL, requester
                elif kind == MessageKind.NOTE:
                    ekind, actor, actor_customer = EventKind.NOTE_ADDED, author_user, NULL
                else:
                    ekind, actor, actor_customer = EventKind.REPLIED, author_user, author_customer
                events.append(f"{ids['event']}\t{tid}\t{ekind}\t{actor}\t{actor_customer}"
                              f"\t\t\t\t{mid}\t{stamp}")  # fmt: skip
                if m == 0 and assignee:
                    ids["event"] += 1
                    events.append(
                        f"{ids['event']}\t{tid}\t{EventKind.ASSIGNEE_CHANGED}\t{assignee}\t{NULL}"
                        f"\tassignee\t\t{assignee}\t{NULL}\t{ts(min(at + 300, people.end))}"
                    )

            solved_at = closed_at = None
            if status in (Status.SOLVED, Status.CLOSED):
                solved_at = min(at + rng.expovariate(1 / DAY) + 60, people.end)
                at = solved_at
                if status == Status.CLOSED:
                    closed_at = solved_at + 4 * DAY
                    if closed_at > people.end:  # not old enough to be closed yet
                        status, closed_at = Status.SOLVED, None
                    else:
                        at = closed_at
                actor = assignee or rng.choice(agents)
                previous = Status.OPEN
                for new, when in ((Status.SOLVED, solved_at), (Status.CLOSED, closed_at)):
                    if when is None:
                        break
                    ids["event"] += 1
                    events.append(
                        f"{ids['event']}\t{tid}\t{EventKind.STATUS_CHANGED}\t"
                        f"{actor if new == Status.SOLVED else NULL}\t{NULL}\tstatus\t{previous}"
                        f"\t{new}\t{NULL}\t{ts(when)}"
                    )
                    previous = new
            elif status in (Status.PENDING, Status.ON_HOLD):
                ids["event"] += 1
                at = min(at + 600, people.end)
                events.append(
                    f"{ids['event']}\t{tid}\t{EventKind.STATUS_CHANGED}\t{assignee or NULL}\t"
                    f"{NULL}\tstatus\t{Status.OPEN}\t{status}\t{NULL}\t{ts(at)}"
                )

            fr_due = res_due = NULL
            if status not in (Status.SOLVED, Status.CLOSED):
                fr_hours, res_hours = DUE_HOURS[priority]
                if first_response is None:
                    fr_due = ts(created + fr_hours * HOUR)
                res_due = ts(created + res_hours * HOUR)
            tickets.append(
                "\t".join(
                    (
                        str(tid),
                        rng.choice(text.subjects),
                        status,
                        priority,
                        _pick(rng, TYPES),
                        channel,
                        str(requester),
                        str(org) if org else NULL,
                        str(assignee) if assignee else NULL,
                        str(team),
                        ts(created),
                        ts(at),
                        ts(first_response) if first_response else NULL,
                        ts(solved_at) if solved_at else NULL,
                        ts(closed_at) if closed_at else NULL,
                        fr_due,
                        res_due,
                    )
                )
            )
            r = rng.random()
            n_ticket_tags = 0 if r < 0.35 else 1 if r < 0.75 else 2 if r < 0.93 else 3
            for tag in {people.tag_ids[int(n_tags * rng.random() ** 2)] for _ in
                        range(n_ticket_tags)}:  # fmt: skip
                ids["tag"] += 1
                tags.append(f"{ids['tag']}\t{tid}\t{tag}")

        copy_rows(cursor, Ticket, TICKET_COLUMNS, tickets, stats)
        copy_rows(cursor, Message, MESSAGE_COLUMNS, messages, stats)
        # History is born dispatched (its last column, ``at``, repeated): never swept or replayed.
        dispatched = (row + "\t" + row.rpartition("\t")[2] for row in events)
        copy_rows(cursor, TicketEvent, EVENT_COLUMNS, dispatched, stats)
        copy_rows(cursor, Ticket.tags.through, ["id", "ticket_id", "tag_id"], tags, stats)
        done += size
        elapsed = time.perf_counter() - t_started
        log(f"  {done:>9,} / {n:,} tickets  ({done / elapsed:,.0f} tickets/s)")


def build_search_documents(
    cursor, *, after: int, stats: LoadStats, log: Callable[[str], None]
) -> None:
    """One INSERT … SELECT: the search document of every ticket loaded (id > ``after``), the same
    text ``tickets.workspace.search.build_document`` makes (reference, subject, requester,
    organization, then the messages in order) and its stored ``vector``. Its GIN index is rebuilt
    with the others."""
    t0 = time.perf_counter()
    cursor.execute(
        f"""
        INSERT INTO {TicketSearchDocument._meta.db_table} (ticket_id, document, vector, updated_at)
        SELECT d.id, d.document, to_tsvector('english', d.document), now()
          FROM (
        SELECT t.id,
               concat_ws(E'\\n', '#' || t.id, t.id::text, t.subject, c.name, c.email, o.name,
                         m.bodies) AS document
          FROM {Ticket._meta.db_table} t
          JOIN {Customer._meta.db_table} c ON c.id = t.requester_id
          LEFT JOIN {Organization._meta.db_table} o ON o.id = t.organization_id
          LEFT JOIN (
                SELECT ticket_id, string_agg(body_text, E'\\n' ORDER BY created_at, id) AS bodies
                  FROM {Message._meta.db_table}
                 WHERE ticket_id > %s
                 GROUP BY ticket_id
               ) m ON m.ticket_id = t.id
         WHERE t.id > %s
               ) d
        ON CONFLICT (ticket_id) DO NOTHING
        """,  # noqa: S608 - table names from our models; values are parameters
        [after, after],
    )
    stats.add(TicketSearchDocument._meta.db_table, cursor.rowcount)
    stats.seconds["search_documents"] = time.perf_counter() - t0
    log(f"Built {cursor.rowcount:,} search documents in {stats.seconds['search_documents']:.1f}s.")
