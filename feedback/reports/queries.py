"""Report numbers, computed by the database: aggregates grouped by day, bucket, agent or team.

No loop walks tickets in Python. Percentiles use PostgreSQL's ``percentile_cont``; SQLite has no
such aggregate, so there (the embedded default, small data) the durations are read as one sorted
column and interpolated the same way ``percentile_cont`` does.

Calendar times come from the ticket's own timestamps. Business times and SLA achievement come
from the SLA engine's stored outcomes (``SlaTarget``: ``business_seconds_taken``, ``met_at``,
``breached_at``), never recomputed here.
"""

from __future__ import annotations

import contextvars
import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Field,
    FloatField,
    Func,
    Max,
    Min,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import TruncDate

from accounts.models import Team, User
from feedback.models import CsatSurvey, Rating, TicketFeedbackLink
from support import clock
from tickets.models import OPEN_STATUSES, Ticket
from tickets.sla.models import SlaTarget, TargetKind, TargetState

# --- filters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilter:
    start: date
    end: date  # inclusive
    tz: ZoneInfo
    team_id: int | None = None
    agent_id: int | None = None
    organization_id: int | None = None
    channel: str = ""

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=self.tz)

    @property
    def end_at(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=self.tz)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def ticket_q(self, prefix: str = "") -> Q:
        """The team/agent/organization/channel filter, on tickets or through a relation."""
        q = Q()
        if self.team_id:
            q &= Q(**{f"{prefix}team_id": self.team_id})
        if self.agent_id:
            q &= Q(**{f"{prefix}assignee_id": self.agent_id})
        if self.organization_id:
            q &= Q(**{f"{prefix}organization_id": self.organization_id})
        if self.channel:
            q &= Q(**{f"{prefix}channel": self.channel})
        return q

    def tickets(self) -> QuerySet[Ticket]:
        return Ticket.objects.filter(self.ticket_q())

    def created(self) -> QuerySet[Ticket]:
        return self.tickets().filter(created_at__gte=self.start_at, created_at__lt=self.end_at)

    def solved(self) -> QuerySet[Ticket]:
        return self.tickets().filter(solved_at__gte=self.start_at, solved_at__lt=self.end_at)

    def range_q(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start_at, f"{field}__lt": self.end_at})


def _tune(cursor) -> None:
    # Room to sort: the percentiles of ~100,000 durations per grouping set spill to disk with
    # the default 4 MB. JIT compiling these one-off aggregates costs more than it saves (tens of
    # ms per query in their plans over 1,000,000 tickets).
    cursor.execute("SET LOCAL work_mem = '64MB'")
    cursor.execute("SET LOCAL jit = off")


@dataclass
class ReportSession:
    """The transaction a report reads in; ``snapshot`` names it for other connections to share
    (PostgreSQL's ``pg_export_snapshot``), when the report may spread over several."""

    snapshot: str | None = None

    def together(self, *lanes: Callable[[], dict]) -> dict:
        """Run ``lanes`` (each a function returning a dict of results) and merge what they return.

        With a shared snapshot, every lane but the first runs at the same time on a connection
        of its own, in a thread, reading exactly the data the first lane reads (the same
        snapshot: one consistent report). Otherwise (SQLite, inside a caller's transaction,
        ``REPORTS_CONNECTIONS=1``) one after the other here."""
        if self.snapshot is None or len(lanes) < 2:
            return {key: value for lane in lanes for key, value in lane().items()}
        with ThreadPoolExecutor(max_workers=len(lanes) - 1) as pool:
            # Copied context: the report's settings (e.g. replica reads) follow it to the thread.
            futures = [
                pool.submit(contextvars.copy_context().run, self._in_snapshot, lane)
                for lane in lanes[1:]
            ]
            results = lanes[0]()
            for future in futures:
                results |= future.result()
        return results

    def _in_snapshot(self, lane: Callable[[], dict]) -> dict:
        try:  # a thread has a connection of its own (Django's connections are per thread)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SET TRANSACTION SNAPSHOT %s", [self.snapshot])
                _tune(cursor)
                return lane()
        finally:
            connection.close()


@contextmanager
def report_session() -> Iterator[ReportSession]:
    """One transaction for a report's queries: one consistent snapshot of the data, tuned for
    aggregates on PostgreSQL (``_tune``). Opened by itself (not inside a caller's transaction) on
    PostgreSQL, it is exported, so the report's independent parts can run on
    ``REPORTS_CONNECTIONS`` connections at once (``ReportSession.together``)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        session = ReportSession()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                share = outermost and settings.REPORTS_CONNECTIONS > 1
                if share:  # must come first in the transaction
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                _tune(cursor)
                if share:
                    cursor.execute("SELECT pg_export_snapshot()")
                    session.snapshot = cursor.fetchone()[0]
        yield session


# --- percentiles ----------------------------------------------------------------------------


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(p) WITHIN GROUP (ORDER BY expr)``."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


class PercentilesCont(Aggregate):
    """``percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY expr)``: median and p90 from one
    sort. Returns ``[median, p90]`` (``[None, None]`` for no rows)."""

    function = "percentile_cont"
    template = "%(function)s(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = Field()

    def convert_value(self, value, expression, connection):
        return value or [None, None]

    def get_db_converters(self, connection):
        return [self.convert_value]


# Counted rows: COUNT(1), not COUNT(id), so an index-only scan needn't carry the id.
ROW = Value(1)


def _epoch(expr) -> Func:
    # date_part gives a float directly; EXTRACT gives a numeric, slower to sort and to cast.
    return Func(expr, template="date_part('epoch', %(expressions)s)", output_field=FloatField())


FIRST_RESPONSE = ExpressionWrapper(
    F("first_responded_at") - F("created_at"), output_field=DurationField()
)
RESOLUTION = ExpressionWrapper(F("solved_at") - F("created_at"), output_field=DurationField())


@dataclass(frozen=True)
class DurationStat:
    count: int
    median: float | None  # seconds
    p90: float | None


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks, as ``percentile_cont`` computes it."""
    if not sorted_values:
        return None
    pos = fraction * (len(sorted_values) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def duration_stats(rows: QuerySet, expr, *, group: str | None = None) -> dict[object, DurationStat]:
    """Count, median and p90 of ``expr`` over ``rows``, per ``group`` value (or under the key
    ``None`` when not grouped). ``expr`` is a duration, or a number of seconds."""
    in_seconds = not isinstance(getattr(expr, "output_field", None), DurationField)
    if connection.vendor == "postgresql":
        seconds = expr if in_seconds else _epoch(expr)
        aggregates = {"_n": Count("id"), "_p": PercentilesCont(seconds)}
        if not group:
            row = rows.order_by().aggregate(**aggregates)
            return {None: DurationStat(row["_n"], *(row["_p"] or [None, None]))}
        grouped = rows.order_by().values(group).annotate(**aggregates)
        return {r[group]: DurationStat(r["_n"], *r["_p"]) for r in grouped}
    # SQLite fallback: one sorted column of durations, interpolated here.
    values: dict[object, list[float]] = defaultdict(list)
    fields = [group, "_d"] if group else ["_d"]
    for row in rows.annotate(_d=expr).order_by(*fields).values_list(*fields):
        key, duration = (row[0], row[1]) if group else (None, row[0])
        values[key].append(float(duration) if in_seconds else duration.total_seconds())
    result = {
        key: DurationStat(len(v), percentile(v, 0.5), percentile(v, 0.9))
        for key, v in values.items()
    }
    if not group and None not in result:
        result[None] = DurationStat(0, None, None)
    return result


# --- the report's parts ---------------------------------------------------------------------


def created_vs_solved(f: ReportFilter) -> list[tuple[date, int, int]]:
    created = dict(
        f.created()
        .annotate(day=TruncDate("created_at", tzinfo=f.tz))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
        .order_by()
    )
    solved = dict(
        f.solved()
        .annotate(day=TruncDate("solved_at", tzinfo=f.tz))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
        .order_by()
    )
    return [(day, created.get(day, 0), solved.get(day, 0)) for day in f.days]


BACKLOG_BUCKETS: list[tuple[str, timedelta | None, timedelta | None]] = [
    ("Under 1 day", None, timedelta(days=1)),
    ("1–3 days", timedelta(days=1), timedelta(days=3)),
    ("3–7 days", timedelta(days=3), timedelta(days=7)),
    ("7–30 days", timedelta(days=7), timedelta(days=30)),
    ("Over 30 days", timedelta(days=30), None),
]


def _backlog_counts(now: datetime) -> dict[str, Count]:
    counts = {}
    for i, (_, young, old) in enumerate(BACKLOG_BUCKETS):
        q = Q()
        if young is not None:
            q &= Q(created_at__lte=now - young)
        if old is not None:
            q &= Q(created_at__gt=now - old)
        counts[f"bucket{i}"] = Count("id", filter=q)
    return counts


def backlog(f: ReportFilter, *, now: datetime | None = None) -> list[tuple[str, int]]:
    """Tickets open now (team/agent/org/channel filter applies, the date range doesn't), by age."""
    counts = _backlog_counts(now or clock.now())
    row = f.tickets().filter(status__in=OPEN_STATUSES).aggregate(**counts)
    return [(label, row[f"bucket{i}"]) for i, (label, _, _) in enumerate(BACKLOG_BUCKETS)]


def response_times(f: ReportFilter) -> dict[str, DurationStat]:
    """First response over tickets created in range; resolution over tickets solved in range."""
    return {
        "first_response": duration_stats(
            f.created().filter(first_responded_at__isnull=False), FIRST_RESPONSE
        )[None],
        "resolution": duration_stats(f.solved(), RESOLUTION)[None],
    }


# --- business time and SLA achievement (from the SLA engine's stored outcomes) ---------------

BUSINESS_SECONDS = F("business_seconds_taken")


def first_response_clocks(f: ReportFilter) -> QuerySet[SlaTarget]:
    """First-response clocks met, started in the range: a ticket's first-response clock starts
    when the ticket is created, so these are the tickets created in the range."""
    return SlaTarget.objects.filter(
        f.ticket_q("ticket_"),
        f.range_q("started_at"),
        kind=TargetKind.FIRST_RESPONSE,
        state=TargetState.MET,
    )


def resolution_clocks(f: ReportFilter) -> QuerySet[SlaTarget]:
    """Resolution clocks met in the range: solving meets the clock, so these are the tickets
    solved in the range (a ticket reopened and solved again keeps one clock, met at its last
    solve, as ``solved_at``)."""
    return SlaTarget.objects.filter(
        f.ticket_q("ticket_"),
        f.range_q("met_at"),
        kind=TargetKind.RESOLUTION,
        state=TargetState.MET,
    )


def business_times(f: ReportFilter) -> dict[str, DurationStat]:
    """Business time (the clock's calendar, paused spells not counted) over the same tickets as
    the calendar figures, for those with an SLA clock of that kind."""
    return {
        "first_response": duration_stats(first_response_clocks(f), BUSINESS_SECONDS)[None],
        "resolution": duration_stats(resolution_clocks(f), BUSINESS_SECONDS)[None],
    }


def sla_outcomes_in(f: ReportFilter) -> list[tuple[QuerySet[SlaTarget], dict]]:
    """Clocks whose outcome falls in the range, in two parts with the counts that apply to each:
    clocks breached in the range (``breached_at``, whatever came after), and clocks met in the
    range that were never marked breached (met, or met late: breached at ``met_at``). Running
    and paused clocks not yet breached, and cancelled ones never breached, have no outcome and
    don't count. Two parts rather than one ``OR``: each is an index-only range scan
    (``sla_target_breached_idx``, ``sla_target_met_idx``)."""
    keyed = SlaTarget.objects.filter(f.ticket_q("ticket_"), kind__in=TargetKind.values)
    late = Q(met_at__gt=F("due_at"))
    return [
        (keyed.filter(f.range_q("breached_at")), {"breached": Count(ROW)}),
        (
            keyed.filter(f.range_q("met_at"), state=TargetState.MET, breached_at__isnull=True),
            {"met": Count(ROW, filter=~late), "breached": Count(ROW, filter=late)},
        ),
    ]


def _sla_rows(f: ReportFilter, fields: list[str]) -> dict[str, dict[object, dict]]:
    """``by_each`` over both parts of ``sla_outcomes_in``, added up: {field: {value: {"met",
    "breached"}}}."""
    result: dict[str, dict[object, dict]] = {field: {} for field in fields}
    for rows, counts in sla_outcomes_in(f):
        for field, groups in by_each(rows, fields, counts).items():
            for key, row in groups.items():
                sums = result[field].setdefault(key, {"met": 0, "breached": 0})
                for name, n in row.items():
                    sums[name] += n
    return result


@dataclass(frozen=True)
class SlaStat:
    met: int = 0
    breached: int = 0

    @property
    def total(self) -> int:
        return self.met + self.breached

    @property
    def achievement(self) -> float | None:
        """Share of clocks met in time, in percent."""
        return 100 * self.met / self.total if self.total else None


def sla_achievement(f: ReportFilter) -> dict[str, SlaStat]:
    """Met and breached clocks per target kind (first response, next reply, resolution), in the
    order of ``TargetKind``; every kind is present."""
    rows = _sla_rows(f, ["kind"])["kind"]
    return {kind: SlaStat(**rows.get(kind, {})) for kind in TargetKind.values}


@dataclass(frozen=True)
class CsatStat:
    sent: int
    answered: int
    good: int
    bad: int

    @property
    def score(self) -> float | None:
        """Share of good among answers, in percent."""
        return 100 * self.good / self.answered if self.answered else None

    @property
    def response_rate(self) -> float | None:
        return 100 * self.answered / self.sent if self.sent else None


def _csat_counts() -> dict:
    return {
        "sent": Count(ROW),
        "answered": Count(ROW, filter=~Q(rating="")),
        "good": Count(ROW, filter=Q(rating=Rating.GOOD)),
        "bad": Count(ROW, filter=Q(rating=Rating.BAD)),
    }


def csat_surveys(f: ReportFilter) -> QuerySet[CsatSurvey]:
    """Surveys sent in the range, for tickets matching the filter."""
    return CsatSurvey.objects.filter(
        f.ticket_q("ticket_"), sent_at__gte=f.start_at, sent_at__lt=f.end_at
    )


def csat(f: ReportFilter) -> CsatStat:
    return CsatStat(**csat_surveys(f).aggregate(**_csat_counts()))


def top_tags(
    f: ReportFilter, *, limit: int = 10, ids: tuple[int | None, int | None] | None = None
) -> list[tuple[str, int]]:
    """Tags of the tickets created in the range, most used first. ``ids``: the smallest and
    largest id of those tickets, when known (``grouped_report`` reads them as it counts)."""
    links = Ticket.tags.through.objects.filter(
        f.ticket_q("ticket__"),
        ticket__created_at__gte=f.start_at,
        ticket__created_at__lt=f.end_at,
    )
    if ids is not None:
        # Said out loud, the range's ids let PostgreSQL read just those tickets' tag links (by
        # ticket id) instead of hashing all of them.
        lo, hi = ids
        if lo is None:
            return []
        links = links.filter(ticket_id__gte=lo, ticket_id__lte=hi)
    return list(
        links.values("tag__name")
        .annotate(n=Count("id"))
        .order_by("-n", "tag__name")
        .values_list("tag__name", "n")[:limit]
    )


def top_feedback_items(f: ReportFilter, *, limit: int = 10) -> list[dict]:
    """Items by new demand: links made in the range, for tickets matching the filter."""
    return list(
        TicketFeedbackLink.objects.filter(
            f.ticket_q("ticket__"), created_at__gte=f.start_at, created_at__lt=f.end_at
        )
        .values("item_id", "item__title", "item__status")
        .annotate(
            links=Count("id"),
            customers=Count("customer", distinct=True),
            organizations=Count("organization", distinct=True),
        )
        .order_by("-links", "-customers", "item__title")[:limit]
    )


@dataclass
class GroupRow:
    key: int | None
    name: str
    created: int = 0
    solved: int = 0
    open_now: int = 0
    first_response: DurationStat | None = None
    resolution: DurationStat | None = None
    csat: CsatStat | None = None
    first_response_business: DurationStat | None = None
    resolution_business: DurationStat | None = None
    sla: SlaStat | None = None


GROUP_FIELDS = ("assignee_id", "team_id")  # the per-agent and per-team tables


TOTAL = "*"  # by_each's key for the row over everything


def by_each(
    qs: QuerySet, fields: list[str], aggregates: dict, *, total: bool = False
) -> dict[str, dict[object, dict]]:
    """``aggregates`` over ``qs`` grouped by each of ``fields`` in turn: {field: {value: row}};
    with ``total``, also over all of ``qs``: ``{TOTAL: {None: row}}``.

    On PostgreSQL one scan serves every field: the ORM's grouped query, its ``GROUP BY`` turned
    into ``GROUPING SETS ((a), (b), ())``, with ``GROUPING(a, b)`` telling which set a row belongs
    to (a null value is a group of its own: unassigned, no team). Elsewhere (SQLite, small data)
    one query per field."""
    result: dict[str, dict[object, dict]] = {field: {} for field in fields}
    if connection.vendor != "postgresql":
        for field in fields:
            for row in qs.order_by().values(field).annotate(**aggregates):
                result[field][row.pop(field)] = row
        if total:
            result[TOTAL] = {None: qs.order_by().aggregate(**aggregates)}
        return result
    query = qs.order_by().values(*fields).annotate(**aggregates).query
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    keys = []
    for field in fields:
        key_sql, key_params = compiler.compile(query.resolve_ref(field))
        if key_params:  # a plain column has none; anything else is not for this rewrite
            raise ValueError(f"by_each groups by columns, not by {field!r}.")
        keys.append(key_sql)
    head, sep, _ = sql.rpartition(" GROUP BY ")
    if not sep or not head.startswith("SELECT "):
        raise ValueError("Unexpected SQL for a grouped query.")
    sets = ", ".join([f"({key})" for key in keys] + (["()"] if total else []))
    sql = (
        f"SELECT GROUPING({', '.join(keys)}) AS _set, {head.removeprefix('SELECT ')} "
        f"GROUP BY GROUPING SETS ({sets})"
    )
    # GROUPING(...) has a bit per key, 1 where the key is not grouped: the set of field i has
    # every bit but its own.
    n = len(fields)
    masks = {(1 << n) - 1 - (1 << (n - 1 - i)): field for i, field in enumerate(fields)}
    masks[(1 << n) - 1] = TOTAL
    if total:
        result[TOTAL] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            field = masks[row.pop("_set")]
            value = None if field == TOTAL else row[field]
            for key in fields:
                row.pop(key)
            result[field][value] = row
    if total and None not in result[TOTAL]:  # no rows at all: GROUPING SETS has no () row then
        result[TOTAL][None] = qs.order_by().aggregate(**aggregates)
    return result


def _stat(row: dict, n: str = "_n", p: str = "_p") -> DurationStat:
    return DurationStat(row[n], *(row[p] or [None, None]))


def _stats(
    rows: QuerySet,
    expr,
    fields: list[str],
    *,
    where: Q | None = None,
    counts: dict | None = None,
) -> tuple[dict, dict]:
    """Count, median and p90 of ``expr`` per value of each of ``fields`` and in total
    (``TOTAL``), optionally only over rows matching ``where``; with ``counts``, also those
    aggregates over all ``rows`` from the same scan (on PostgreSQL). Returns (stats, counts),
    both ``{field: {value: …}}``."""
    counts = counts or {}
    if connection.vendor != "postgresql":
        subset = rows.filter(where) if where is not None else rows
        result = {field: duration_stats(subset, expr, group=field) for field in fields}
        result[TOTAL] = {None: duration_stats(subset, expr)[None]}
        return result, by_each(rows, fields, counts, total=True) if counts else {}
    in_seconds = not isinstance(getattr(expr, "output_field", None), DurationField)
    seconds = expr if in_seconds else _epoch(expr)
    grouped = by_each(
        rows,
        fields,
        {"_n": Count(ROW, filter=where), "_p": PercentilesCont(seconds, filter=where), **counts},
        total=True,
    )
    stats = {
        field: {key: _stat(r) for key, r in groups.items() if r["_n"]}
        | ({None: _stat(groups[None])} if field == TOTAL else {})
        for field, groups in grouped.items()
    }
    return stats, grouped


@dataclass
class GroupedReport:
    """The per-agent and per-team tables, and the totals the same queries give."""

    tables: dict[str, list[GroupRow]]  # by "assignee_id" / "team_id"
    first_response: DurationStat
    resolution: DurationStat
    first_response_business: DurationStat
    resolution_business: DurationStat
    sla: dict[str, SlaStat]
    csat: CsatStat
    backlog: list[tuple[str, int]]
    daily: list[tuple[date, int, int]]
    tags: list[tuple[str, int]]
    items: list[dict]


def grouped_report(
    f: ReportFilter, *, now: datetime | None = None, session: ReportSession | None = None
) -> GroupedReport:
    """The whole report's numbers: the agent and team tables with the totals — each part one
    query for both tables and the total (see ``by_each``); counts add up, percentiles are per
    group — and the daily counts, top tags and top feedback items.

    The parts read two sets of rows, in two lanes that ``session`` may run at once: tickets
    (created, solved, open now; their tags), and the rows counted by their own dates (SLA clocks,
    CSAT surveys, feedback links)."""
    session = session or ReportSession()
    fields = list(GROUP_FIELDS)
    through = [f"ticket_{field}" for field in fields]  # the keys' copy on clocks and surveys
    now = now or clock.now()

    def tickets_lane() -> dict:
        first, created = _stats(
            f.created(),
            FIRST_RESPONSE,
            fields,
            where=Q(first_responded_at__isnull=False),
            counts={"n": Count("id"), "lo": Min("id"), "hi": Max("id")},
        )
        resolution, solved = _stats(f.solved(), RESOLUTION, fields, counts={"n": Count("id")})
        total = created[TOTAL][None]
        return {
            "first": first,
            "created": created,
            "resolution": resolution,
            "solved": solved,
            "open_now": by_each(
                f.tickets().filter(status__in=OPEN_STATUSES),
                fields,
                {"n": Count("id"), **_backlog_counts(now)},
                total=True,
            ),
            "daily": created_vs_solved(f),
            "tags": top_tags(f, ids=(total["lo"], total["hi"])),
        }

    def dated_rows_lane() -> dict:
        return {
            "sla_rows": _sla_rows(f, [*through, "kind"]),
            "first_business": _stats(first_response_clocks(f), BUSINESS_SECONDS, through)[0],
            "resolution_business": _stats(resolution_clocks(f), BUSINESS_SECONDS, through)[0],
            "csat_rows": by_each(csat_surveys(f), through, _csat_counts(), total=True),
            "items": top_feedback_items(f),
        }

    parts = session.together(tickets_lane, dated_rows_lane)
    first, created, resolution, solved, open_now = (
        parts[name] for name in ("first", "created", "resolution", "solved", "open_now")
    )
    first_business, resolution_business, csat_rows, sla_rows = (
        parts[name] for name in ("first_business", "resolution_business", "csat_rows", "sla_rows")
    )

    agent_names = {u.pk: u.display_name for u in User.objects.filter(role__in=["agent", "admin"])}
    team_names: dict[int | None, str] = {t.pk: t.name for t in Team.objects.all()}
    team_names[None] = "No team"
    tables = {}
    for field, via, names in zip(fields, through, (agent_names, team_names), strict=True):
        keys = set(created[field]) | set(solved[field]) | set(open_now[field])
        keys |= set(csat_rows[via]) | set(sla_rows[via])
        rows = [
            GroupRow(
                key=key,
                name=names.get(key, "Unassigned" if key is None else f"#{key}"),
                created=created[field].get(key, {}).get("n", 0),
                solved=solved[field].get(key, {}).get("n", 0),
                open_now=open_now[field].get(key, {}).get("n", 0),
                first_response=first[field].get(key),
                resolution=resolution[field].get(key),
                csat=CsatStat(**csat_rows[via][key]) if key in csat_rows[via] else None,
                first_response_business=first_business[via].get(key),
                resolution_business=resolution_business[via].get(key),
                sla=SlaStat(**sla_rows[via][key]) if key in sla_rows[via] else None,
            )
            for key in keys
        ]
        tables[field] = sorted(rows, key=lambda r: (-r.solved, -r.created, r.name))
    kinds = sla_rows["kind"]
    open_total = open_now[TOTAL][None]
    return GroupedReport(
        tables=tables,
        first_response=first[TOTAL][None],
        resolution=resolution[TOTAL][None],
        first_response_business=first_business[TOTAL][None],
        resolution_business=resolution_business[TOTAL][None],
        sla={kind: SlaStat(**kinds.get(kind, {})) for kind in TargetKind.values},
        csat=CsatStat(**csat_rows[TOTAL][None]),
        daily=parts["daily"],
        tags=parts["tags"],
        items=parts["items"],
        backlog=[
            (label, open_total[f"bucket{i}"]) for i, (label, _, _) in enumerate(BACKLOG_BUCKETS)
        ],
    )


def group_tables(f: ReportFilter) -> dict[str, list[GroupRow]]:
    return grouped_report(f).tables


def per_agent(f: ReportFilter) -> list[GroupRow]:
    return group_tables(f)["assignee_id"]


def per_team(f: ReportFilter) -> list[GroupRow]:
    return group_tables(f)["team_id"]


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes = seconds / 60
    if minutes < 60:
        return f"{minutes:.0f} min"
    hours = minutes / 60
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} d"


def hours(seconds: float | None) -> str:
    """For CSV: hours with two decimals, empty when unknown."""
    return "" if seconds is None else f"{seconds / 3600:.2f}"
