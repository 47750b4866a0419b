"""A large, realistic data set loaded with PostgreSQL ``COPY``.

One ORM save per row would take hours for a million tickets; ``COPY`` streams rows straight into
the tables. Rows are generated in batches of tickets (each batch: its tickets, messages, events and
tags, then one ``COPY`` per table), so memory stays flat however large the set. The whole load is
one transaction: the non-constraint indexes of the big tables are dropped before the first batch and
rebuilt after the last, and a failure rolls everything back, indexes included.

The rows respect the models' CHECK constraints (PostgreSQL enforces them during ``COPY``): a solved
ticket has ``solved_at``, a closed one ``closed_at``, a note always has an agent author, a message
never has two authors. Columns the generator does not know (added by later migrations) are filled
with their model default, or NULL when nullable; a column with neither stops the load with a
message saying which module should generate it.

The parts: ``bench.pgcopy`` (COPY itself), ``bench.people_dataset`` (organizations, customers,
agents, teams, tags), ``bench.ticket_dataset`` (tickets, messages, events, search documents), then
what is derived from them: ``bench.sla_dataset`` (SLA clocks) and ``bench.feedback_dataset`` (CSAT
surveys, feedback links). This module runs them in order in one transaction.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, models, transaction

from accounts.models import Team, User
from accounts.selectors import directory_changed
from bench.feedback_dataset import load_feedback
from bench.people_dataset import load_people
from bench.pgcopy import LoadStats, foreign_key_constraints, max_id, secondary_indexes
from bench.sla_dataset import load_sla
from bench.text_pool import TextPool
from bench.ticket_dataset import build_search_documents, load_tickets
from customers.models import Customer, Organization, OrganizationDomain
from tickets.models import Message, Tag, Ticket, TicketEvent, TicketSearchDocument
from tickets.sla.models import SlaTarget, TicketSla

# Tables whose secondary indexes are dropped during the load and rebuilt after it.
BULK_MODELS: tuple[type[models.Model], ...] = (
    Ticket,
    Message,
    TicketEvent,
    Ticket.tags.through,
    Customer,
    TicketSearchDocument,
    TicketSla,
    SlaTarget,
)


@dataclass
class Sizes:
    tickets: int
    organizations: int = 5_000
    customers: int = 50_000
    agents: int = 200
    teams: int = 20
    batch: int = 25_000


def copy_ticket_keys(*, stats: LoadStats, log: Callable[[str], None] = print) -> None:
    """The clocks and surveys written by SQL lack the copy of their ticket's report keys
    (``tickets.models.TicketKeyed``): fill it, as the services would have."""
    from tickets.services import ticket_keys_backfill

    t0 = time.perf_counter()
    filled = ticket_keys_backfill()
    stats.seconds["ticket_keys"] = time.perf_counter() - t0
    log(
        f"Copied the tickets' report keys onto {filled:,} clocks and surveys in "
        f"{stats.seconds['ticket_keys']:.1f}s."
    )


def load(
    *,
    sizes: Sizes,
    seed: int = 42,
    log: Callable[[str], None] = print,
    drop_indexes: bool = True,
) -> LoadStats:
    """Load the data set into the default (PostgreSQL) database. Returns row counts and timings."""
    if connection.vendor != "postgresql":
        raise RuntimeError(
            f"seed_scale needs PostgreSQL (COPY); the configured database is {connection.vendor}. "
            "Set DATABASE_URL=postgres://…"
        )
    rng = random.Random(seed)
    stats = LoadStats()
    started = time.perf_counter()
    log("Generating text pools…")
    text = TextPool(rng)
    with transaction.atomic(), connection.cursor() as cursor:
        # Check now what is pending (a table with queued checks can't be altered) and check the
        # small tables' foreign keys row by row from here on.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        tables = [m._meta.db_table for m in BULK_MODELS]
        dropped = secondary_indexes(cursor, tables) if drop_indexes else []
        foreign_keys = foreign_key_constraints(cursor, tables) if drop_indexes else []
        for name, _ in dropped:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        # Django's foreign keys are deferred: checked at commit from a queue of trigger events
        # (one per row, held in memory). Dropping them and adding them back afterwards checks
        # each one with a single join instead.
        for table, name, _ in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        log(f"Dropped {len(dropped)} secondary indexes and {len(foreign_keys)} foreign keys.")

        people = load_people(
            cursor,
            rng,
            text,
            organizations=sizes.organizations,
            customers=sizes.customers,
            agents=sizes.agents,
            teams=sizes.teams,
            stats=stats,
            log=log,
        )
        loaded_after = max_id(cursor, Ticket)
        load_tickets(
            cursor, rng, text, people, count=sizes.tickets, batch=sizes.batch, stats=stats, log=log
        )
        build_search_documents(cursor, after=loaded_after, stats=stats, log=log)
        # Derived from the tickets just loaded.
        load_sla(stats=stats, log=log)
        load_feedback(cursor, stats=stats, log=log)
        copy_ticket_keys(stats=stats, log=log)

        t0 = time.perf_counter()
        for _name, definition in dropped:
            cursor.execute(definition)
        stats.seconds["indexes"] = time.perf_counter() - t0
        log(f"Rebuilt {len(dropped)} indexes in {stats.seconds['indexes']:.1f}s.")
        t0 = time.perf_counter()
        for table, name, definition in foreign_keys:
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            )
        stats.seconds["foreign_keys"] = time.perf_counter() - t0
        log(
            f"Checked and restored {len(foreign_keys)} foreign keys in "
            f"{stats.seconds['foreign_keys']:.1f}s."
        )
        _reset_sequences(cursor)
    t0 = time.perf_counter()
    # VACUUM sets the visibility map (index-only scans); it can't run inside a transaction, which
    # is where tests call this from: there ANALYZE alone gives the planner its statistics.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in BULK_MODELS + (Organization, User, Team.members.through):
            cursor.execute(f"{command} {model._meta.db_table}")
    stats.seconds["vacuum_analyze"] = time.perf_counter() - t0
    stats.seconds["total"] = time.perf_counter() - started
    directory_changed()  # COPY sends no signals: drop the cached agent and team lists
    return stats


def _reset_sequences(cursor) -> None:
    from django.core.management.color import no_style

    models_ = [Organization, OrganizationDomain, Customer, User, Team, Team.members.through, Tag,
               *BULK_MODELS]  # fmt: skip
    for sql in connection.ops.sequence_reset_sql(no_style(), models_):
        cursor.execute(sql)


def timedelta_text(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))
