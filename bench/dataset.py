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
message saying what to add here.
"""

from __future__ import annotations

import json
import random
import time
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate, islice

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

from accounts.models import Role, Team, User
from accounts.selectors import directory_changed
from customers.models import Customer, Organization, OrganizationDomain
from support import clock
from tickets.models import (
    Channel,
    EventKind,
    Message,
    MessageKind,
    Priority,
    Status,
    Tag,
    Ticket,
    TicketEvent,
    TicketSearchDocument,
    TicketType,
)
from tickets.sla.models import SlaTarget, TicketSla

NULL = r"\N"
DAY = 86400.0
HOUR = 3600.0
# Every scale agent signs in with this (the benchmark uses sessions, not the password).
AGENT_PASSWORD = "switchboard-scale"  # noqa: S105 - a published demo password, not a secret

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

TAG_NAMES = (
    "billing refund invoice login password sso 2fa api webhooks export import mobile ios android "
    "bug feature-request outage performance integrations slack salesforce zapier onboarding "
    "cancellation upgrade downgrade trial gdpr security permissions notifications email-delivery "
    "spam attachments reports dashboard search sla vip enterprise partner reseller churn-risk "
    "renewal pricing discount tax shipping returns warranty hardware firmware network dns ssl "
    "migration data-loss backup restore accessibility localization how-to documentation training"
).split()


def escape(value: str) -> str:
    """One value in COPY's text format."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def ts(seconds: float) -> str:
    return datetime.fromtimestamp(int(seconds), tz=UTC).isoformat()


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


@dataclass
class Sizes:
    tickets: int
    organizations: int = 5_000
    customers: int = 50_000
    agents: int = 200
    teams: int = 20
    batch: int = 25_000


@dataclass
class LoadStats:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, table: str, rows: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + rows


class _Stream:
    """A file-like object ``copy_expert`` reads from, fed by a generator of COPY lines."""

    def __init__(self, lines: Iterable[str], suffix: str = "", chunk: int = 2000):
        self._lines = iter(lines)
        self._suffix = suffix + "\n"
        self._chunk = chunk

    def read(self, size: int = -1) -> bytes:
        # psycopg2 sends whatever read() returns, so a chunk of whole lines is fine.
        lines = list(islice(self._lines, self._chunk))
        if not lines:
            return b""
        return (self._suffix.join(lines) + self._suffix).encode()

    def readline(self, size: int = -1) -> bytes:  # part of the file protocol psycopg2 checks for
        return self.read(size)


def _default_text(f: models.Field) -> str:
    """The COPY text of a column's default, for columns the generator doesn't fill."""
    if f.has_default():
        value = f.get_default()
    elif f.null:
        return NULL
    elif getattr(f, "db_default", models.NOT_PROVIDED) is not models.NOT_PROVIDED:
        raise LookupError(f.name)  # COPY with an explicit column list can't use DB defaults: omit
    elif f.blank and isinstance(f, models.CharField | models.TextField):
        value = ""
    else:
        raise LookupError(f.name)
    if value is None:
        return NULL
    if isinstance(f, models.JSONField):
        return escape(json.dumps(value))
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return escape(str(f.get_db_prep_save(value, connection)))


def copy_rows(
    cursor, model: type[models.Model], columns: list[str], rows: Iterable[str], stats: LoadStats
) -> int:
    """COPY ``rows`` (tab-joined, escaped, in ``columns`` order) into ``model``'s table.

    The model's other columns get their defaults; returns the number of rows loaded.
    """
    table = model._meta.db_table
    known = set(columns)
    extra_cols, extra_vals = [], []
    for f in model._meta.concrete_fields:
        if f.column in known:
            continue
        try:
            extra_vals.append(_default_text(f))
            extra_cols.append(f.column)
        except LookupError:
            if getattr(f, "db_default", models.NOT_PROVIDED) is not models.NOT_PROVIDED:
                continue  # the database fills it
            raise RuntimeError(
                f"seed_scale does not know how to fill {table}.{f.column} (no default, not null): "
                "generate it in bench/dataset.py"
            ) from None
    counted = _Counter(rows)
    cols = ", ".join(connection.ops.quote_name(c) for c in [*columns, *extra_cols])
    suffix = "".join("\t" + v for v in extra_vals)
    started = time.perf_counter()
    cursor.copy_expert(f"COPY {table} ({cols}) FROM STDIN", _Stream(counted, suffix))
    stats.seconds[table] = stats.seconds.get(table, 0.0) + time.perf_counter() - started
    stats.add(table, counted.n)
    return counted.n


class _Counter:
    def __init__(self, rows: Iterable[str]):
        self._rows = iter(rows)
        self.n = 0

    def __iter__(self) -> Iterator[str]:
        for row in self._rows:
            self.n += 1
            yield row


def secondary_indexes(cursor, tables: Iterable[str]) -> list[tuple[str, str]]:
    """(name, definition) of the plain indexes of ``tables``: not unique, no constraint's."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND i.indexdef NOT LIKE 'CREATE UNIQUE INDEX%%'
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        ORDER BY i.tablename, i.indexname
        """,
        [list(tables)],
    )
    return list(cursor.fetchall())


def foreign_key_constraints(cursor, tables: Iterable[str]) -> list[tuple[str, str, str]]:
    """(table, name, definition) of the foreign keys declared on ``tables``."""
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
        ORDER BY 1, 2
        """,
        [list(tables)],
    )
    return list(cursor.fetchall())


def _max_id(cursor, model: type[models.Model]) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")  # noqa: S608
    return cursor.fetchone()[0]


class TextPool:
    """Pre-generated, pre-escaped words and sentences: Faker per row would be far too slow."""

    def __init__(self, rng: random.Random):
        from faker import Faker

        fake = Faker(["en_US"])
        fake.seed_instance(rng.randrange(1 << 30))
        self.first = [fake.first_name() for _ in range(600)]
        self.last = [fake.last_name() for _ in range(900)]
        self.companies = [fake.company() for _ in range(3000)]
        products = [
            "the dashboard",
            "the mobile app",
            "SSO",
            "the API",
            "invoices",
            "exports",
            "the iOS app",
            "notifications",
            "webhooks",
            "search",
            "reports",
            "billing",
            "user roles",
            "the Slack integration",
            "two-factor login",
            "data import",
        ]
        problems = [
            "is not working",
            "keeps timing out",
            "shows the wrong totals",
            "stopped syncing",
            "returns an error",
            "is very slow",
            "looks broken",
            "won't load",
            "sends duplicates",
            "lost my settings",
        ]
        asks = [
            "How do I set up",
            "Question about",
            "Can we get access to",
            "Help with",
            "Feature request:",
            "Unable to use",
            "Billing question about",
            "Urgent:",
        ]
        subjects = [f"{p[0].upper()}{p[1:]} {q}" for p in products for q in problems]
        subjects += [f"{a} {p}" for a in asks for p in products]
        subjects += [fake.sentence(nb_words=7).rstrip(".") for _ in range(1500)]
        self.subjects = [escape(s[:250]) for s in subjects]
        sentences = [fake.sentence(nb_words=rng.randint(6, 18)) for _ in range(4000)]
        self.paragraphs = [
            escape(" ".join(rng.sample(sentences, rng.randint(1, 5)))) for _ in range(6000)
        ]
        self.greetings = ["Hi,", "Hello team,", "Hi there,", "Good morning,", "Dear support,"]
        self.closings = ["Thanks!", "Thank you,", "Best regards,", "Cheers,", "Kind regards,"]

    def body(self, rng: random.Random) -> str:
        r = rng.random()
        if r < 0.45:
            n = 1
        elif r < 0.8:
            n = 2
        elif r < 0.95:
            n = rng.randint(3, 5)
        else:
            n = rng.randint(8, 25)  # the long ones: logs, forwarded threads
        parts = [rng.choice(self.greetings), *rng.choices(self.paragraphs, k=n)]
        parts.append(rng.choice(self.closings))
        return r"\n\n".join(parts)


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

        people = _load_people(cursor, rng, text, sizes, stats, log)
        loaded_after = _max_id(cursor, Ticket)
        _load_tickets(cursor, rng, text, sizes, people, stats, log)
        _build_search_documents(cursor, after=loaded_after, stats=stats, log=log)
        # Derived from the tickets just loaded (these modules build on this one).
        from bench.feedback_dataset import load_feedback
        from bench.sla_dataset import load_sla

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


@dataclass
class People:
    org_ids: list[int]
    customer_ids: list[int]
    customer_org: list[int | None]
    team_ids: list[int]
    team_agents: dict[int, list[int]]
    tag_ids: list[int]
    start: float
    end: float


def _load_people(cursor, rng, text: TextPool, sizes: Sizes, stats, log) -> People:
    now = clock.now().timestamp()
    start = now - 3 * 365 * DAY
    org0 = _max_id(cursor, Organization)
    org_ids = list(range(org0 + 1, org0 + 1 + sizes.organizations))
    copy_rows(
        cursor,
        Organization,
        ["id", "name", "created_at"],
        (f"{i}\t{escape(rng.choice(text.companies))} #{i}\t{ts(start)}" for i in org_ids),
        stats,
    )
    dom0 = _max_id(cursor, OrganizationDomain)
    copy_rows(
        cursor,
        OrganizationDomain,
        ["id", "organization_id", "domain"],
        (f"{dom0 + n}\t{i}\torg{i}.scale.example" for n, i in enumerate(org_ids, 1)),
        stats,
    )

    cust0 = _max_id(cursor, Customer)
    customer_ids = list(range(cust0 + 1, cust0 + 1 + sizes.customers))
    # Four in five customers belong to an organization; organization sizes are skewed.
    customer_org = [
        org_ids[int(len(org_ids) * rng.random() ** 2)] if rng.random() < 0.8 else None
        for _ in customer_ids
    ]

    def customers() -> Iterator[str]:
        for cid, org in zip(customer_ids, customer_org, strict=True):
            first, last = rng.choice(text.first), rng.choice(text.last)
            domain = f"org{org}.scale.example" if org else "mail.scale.example"
            email = f"{first}.{last}.{cid}@{domain}".lower().replace(" ", "").replace("'", "")
            manager = "t" if org and rng.random() < 0.03 else "f"
            yield (
                f"{cid}\t{escape(email)}\t{escape(first + ' ' + last)}\t"
                f"{org if org else NULL}\t{manager}\t{ts(start + rng.random() * (now - start))}"
            )

    copy_rows(
        cursor,
        Customer,
        ["id", "email", "name", "organization_id", "is_org_manager", "created_at"],
        customers(),
        stats,
    )

    user0 = _max_id(cursor, User)
    agent_ids = list(range(user0 + 1, user0 + 1 + sizes.agents))
    password = make_password(AGENT_PASSWORD)
    copy_rows(
        cursor,
        User,
        ["id", "password", "email", "name", "role", "date_joined"],
        (
            f"{uid}\t{password}\tagent{uid}@scale.example\t"
            f"{escape(rng.choice(text.first) + ' ' + rng.choice(text.last))}\t"
            f"{Role.ADMIN if n < 2 else Role.AGENT}\t{ts(start)}"
            for n, uid in enumerate(agent_ids)
        ),
        stats,
    )
    team0 = _max_id(cursor, Team)
    team_ids = list(range(team0 + 1, team0 + 1 + sizes.teams))
    team_agents: dict[int, list[int]] = {t: [] for t in team_ids}
    for n, uid in enumerate(agent_ids):
        team_agents[team_ids[n % len(team_ids)]].append(uid)
        if rng.random() < 0.1:  # some agents work in a second team
            other = rng.choice(team_ids)
            if uid not in team_agents[other]:
                team_agents[other].append(uid)
    copy_rows(
        cursor,
        Team,
        ["id", "name", "lead_id", "created_at"],
        (f"{t}\tScale team {t}\t{team_agents[t][0]}\t{ts(start)}" for t in team_ids),
        stats,
    )
    mem0 = _max_id(cursor, Team.members.through)
    pairs = [(t, u) for t in team_ids for u in team_agents[t]]
    copy_rows(
        cursor,
        Team.members.through,
        ["id", "team_id", "user_id"],
        (f"{mem0 + n}\t{t}\t{u}" for n, (t, u) in enumerate(pairs, 1)),
        stats,
    )
    tag_ids = [Tag.objects.get_or_create(name=name)[0].pk for name in TAG_NAMES]
    log(
        f"Loaded {len(org_ids)} organizations, {len(customer_ids)} customers, "
        f"{len(agent_ids)} agents in {len(team_ids)} teams, {len(tag_ids)} tags."
    )
    return People(
        org_ids=org_ids,
        customer_ids=customer_ids,
        customer_org=customer_org,
        team_ids=team_ids,
        team_agents=team_agents,
        tag_ids=tag_ids,
        start=start,
        end=now - 60,
    )


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


def _load_tickets(cursor, rng, text: TextPool, sizes: Sizes, people: People, stats, log) -> None:
    n = sizes.tickets
    ids = {
        "ticket": _max_id(cursor, Ticket),
        "message": _max_id(cursor, Message),
        "event": _max_id(cursor, TicketEvent),
        "tag": _max_id(cursor, Ticket.tags.through),
    }
    span = people.end - people.start
    # Busier teams get more tickets (weights 1..3).
    team_table = _weighted([(str(t), 1 + (i % 5) / 2) for i, t in enumerate(people.team_ids)])
    n_cust = len(people.customer_ids)
    n_tags = len(people.tag_ids)
    done = 0
    t_started = time.perf_counter()
    while done < n:
        size = min(sizes.batch, n - done)
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


def _build_search_documents(cursor, *, after: int, stats, log) -> None:
    """One INSERT … SELECT: the search document of every ticket loaded (id > ``after``), the same
    text ``tickets.workspace.search.build_document`` makes (reference, subject, requester,
    organization, then the messages in order). Its GIN index is rebuilt with the others."""
    t0 = time.perf_counter()
    cursor.execute(
        f"""
        INSERT INTO {TicketSearchDocument._meta.db_table} (ticket_id, document, updated_at)
        SELECT t.id,
               concat_ws(E'\\n', '#' || t.id, t.id::text, t.subject, c.name, c.email, o.name,
                         m.bodies),
               now()
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
        ON CONFLICT (ticket_id) DO NOTHING
        """,  # noqa: S608 - table names from our models; values are parameters
        [after, after],
    )
    stats.add(TicketSearchDocument._meta.db_table, cursor.rowcount)
    stats.seconds["search_documents"] = time.perf_counter() - t0
    log(f"Built {cursor.rowcount:,} search documents in {stats.seconds['search_documents']:.1f}s.")


def _reset_sequences(cursor) -> None:
    from django.core.management.color import no_style

    models_ = [Organization, OrganizationDomain, Customer, User, Team, Team.members.through, Tag,
               *BULK_MODELS]  # fmt: skip
    for sql in connection.ops.sequence_reset_sql(no_style(), models_):
        cursor.execute(sql)


def timedelta_text(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))
