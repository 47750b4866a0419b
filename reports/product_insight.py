"""A product's insight page (issue 17): for the tickets about one product created in a date
range — how many per version and week, median first response and resolution per version,
customer satisfaction per version (surveys sent in the range), and the most common values of
each choice and checkbox field and of the tags; and, beside them, the product's feedback items
by demand (the tickets linked to each, the customers behind them).

Every figure is one grouped query over the product's tickets in the range, read through the
index ``ticket_product_created_idx`` (product, created_at, covering version): the work grows
with the product's tickets **in the range**, never with the whole table, and the number of
queries is the same for 3 versions or 30, 1 field or 20 (``tests/reports/test_product_insight``).
CSAT reads the surveys sent in the range instead, by the copy of their ticket's product and
version (``TicketKeyed``), index-only through ``csat_sent_report_idx``.
The field values come from one scan that unnests every ticket's ``fields`` (``jsonb_each``) on
PostgreSQL; SQLite, the small embedded default, counts them from one read of the column.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek

from feedback.models import CsatSurvey, FeedbackItem
from feedback.selectors import with_demand
from reports.aggregates import ROW, TOTAL, DurationStat, stats_by_each
from reports.feedback_metrics import CsatStat, csat_counts
from reports.filters import ReportFilter
from reports.ticket_metrics import FIRST_RESPONSE, RESOLUTION
from tickets.fields.cache import ticket_fields
from tickets.fields.models import CHOICE_KINDS, FieldKind, TicketField
from tickets.fields.services import display
from tickets.models import Ticket

NO_VERSION = "No version"
TOP_VALUES = 5
TOP_TAGS = 10
TOP_ITEMS = 10
# Fields whose values repeat enough to count: choices and checkboxes.
COUNTED_KINDS = (*CHOICE_KINDS, FieldKind.CHECKBOX)
_EMPTY_TIME = DurationStat(0, None, None)
_EMPTY_CSAT = CsatStat(sent=0, answered=0, good=0, bad=0)


@dataclass
class VersionRow:
    version_id: int | None
    name: str
    created: int = 0
    solved: int = 0
    first_response: DurationStat = _EMPTY_TIME
    resolution: DurationStat = _EMPTY_TIME
    csat: CsatStat = _EMPTY_CSAT


@dataclass
class FieldValues:
    field: TicketField
    top: list[tuple[str, int]]  # (how the value reads, tickets), most first
    tickets_with_value: int


@dataclass
class ProductInsight:
    weeks: list[date]
    per_week: dict[str, list[int]]  # version name → tickets created per week
    versions: list[VersionRow]  # newest version first, then "No version"
    total: VersionRow
    fields: list[FieldValues] = field(default_factory=list)
    tags: list[tuple[str, int]] = field(default_factory=list)  # (tag, tickets), most first
    items: list[FeedbackItem] = field(default_factory=list)  # annotated with demand, most first


def product_tickets(f: ReportFilter, product_id: int) -> QuerySet[Ticket]:
    return Ticket.objects.filter(
        product_id=product_id, created_at__gte=f.start_at, created_at__lt=f.end_at
    )


def _weeks(f: ReportFilter) -> list[date]:
    first = f.start - timedelta(days=f.start.weekday())
    return [first + timedelta(weeks=i) for i in range((f.end - first).days // 7 + 1)]


def _per_week(f: ReportFilter, rows: QuerySet[Ticket]) -> dict[int | None, Counter]:
    counts: dict[int | None, Counter] = defaultdict(Counter)
    grouped = (
        rows.annotate(week=TruncWeek("created_at", tzinfo=f.tz))
        .values("week", "version_id")
        .annotate(n=Count(ROW))
        .order_by()
    )
    for row in grouped:
        week = row["week"]
        counts[row["version_id"]][week.date() if hasattr(week, "date") else week] += row["n"]
    return counts


def _csat(f: ReportFilter, product_id: int) -> dict[int | None, CsatStat]:
    # The copy of the ticket's product and version on the survey (``TicketKeyed``): one index
    # range over the surveys sent in the range, no join to tickets.
    rows = (
        CsatSurvey.objects.filter(
            ticket_product_id=product_id, sent_at__gte=f.start_at, sent_at__lt=f.end_at
        )
        .values("ticket_version_id")
        .annotate(**csat_counts())
        .order_by()
    )
    return {
        row["ticket_version_id"]: CsatStat(row["sent"], row["answered"], row["good"], row["bad"])
        for row in rows
    }


_VALUES_SQL = """
SELECT e.key, v.value, COUNT(*)
FROM {table} t
CROSS JOIN LATERAL jsonb_each(t.fields) e
CROSS JOIN LATERAL jsonb_array_elements_text(
    CASE jsonb_typeof(e.value) WHEN 'array' THEN e.value ELSE jsonb_build_array(e.value) END
) v
WHERE t.product_id = %s AND t.created_at >= %s AND t.created_at < %s AND e.key = ANY(%s)
GROUP BY e.key, v.value
"""


def _value_counts(f: ReportFilter, product_id: int, keys: list[str]) -> dict[str, Counter]:
    """Tickets per (field, stored value) — a multiple-choice ticket counts once per value."""
    counts: dict[str, Counter] = defaultdict(Counter)
    if not keys:
        return counts
    if connection.vendor == "postgresql":
        sql = _VALUES_SQL.format(table=connection.ops.quote_name(Ticket._meta.db_table))
        with connection.cursor() as cursor:
            cursor.execute(sql, [product_id, f.start_at, f.end_at, keys])
            for key, value, n in cursor.fetchall():
                counts[key][value] += n
        return counts
    wanted = set(keys)
    for values in product_tickets(f, product_id).values_list("fields", flat=True):
        for key, value in (values or {}).items():
            if key in wanted:
                for item in value if isinstance(value, list) else [value]:
                    counts[key][item if isinstance(item, str) else str(item).lower()] += 1
    return counts


def _field_values(f: ReportFilter, product_id: int) -> list[FieldValues]:
    fields = [x for x in ticket_fields.get().values() if x.kind in COUNTED_KINDS]
    counts = _value_counts(f, product_id, [x.key for x in fields])
    result = []
    for x in fields:
        found = counts.get(x.key)
        if not found and not x.active:
            continue
        stored = {"true": True} if x.kind == FieldKind.CHECKBOX else {}
        top = (
            [
                (display(x, stored.get(value, value)) or value, n)
                for value, n in sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_VALUES]
            ]
            if found
            else []
        )
        with_value = sum(found.values()) if found and x.kind != FieldKind.MULTI_CHOICE else 0
        result.append(FieldValues(field=x, top=top, tickets_with_value=with_value))
    return result


def _top_tags(f: ReportFilter, product_id: int) -> list[tuple[str, int]]:
    """The tags most used on the product's tickets in the range: one grouped query."""
    links = Ticket.tags.through.objects.filter(
        ticket__product_id=product_id,
        ticket__created_at__gte=f.start_at,
        ticket__created_at__lt=f.end_at,
    )
    rows = (
        links.values("tag__name")
        .annotate(n=Count("ticket_id"))
        .order_by("-n", "tag__name")[:TOP_TAGS]
    )
    return [(row["tag__name"], row["n"]) for row in rows]


def _items_by_demand(product_id: int) -> list[FeedbackItem]:
    """The product's feedback items (duplicates merged into another left out), most demanded
    first — all time, as the feedback list counts demand, with their status: one query."""
    items = FeedbackItem.objects.active().filter(product_id=product_id)
    return list(with_demand(items).order_by("-demand", "-last_demand_at", "pk")[:TOP_ITEMS])


def product_insight(f: ReportFilter, *, product_id: int, versions: list) -> ProductInsight:
    """The page's figures. ``versions``: the product's versions (newest first, from the
    catalog cache) — named here even when they have no tickets in the range."""
    rows = product_tickets(f, product_id)
    weekly = _per_week(f, rows)
    response, counts = stats_by_each(
        rows,
        FIRST_RESPONSE,
        ["version_id"],
        where=Q(first_responded_at__isnull=False),
        counts={"created": Count(ROW), "solved": Count(ROW, filter=Q(solved_at__isnull=False))},
    )
    resolution, _ = stats_by_each(
        rows, RESOLUTION, ["version_id"], where=Q(solved_at__isnull=False)
    )
    csat = _csat(f, product_id)

    def row(version_id, name: str, key: str = "version_id") -> VersionRow:
        got = counts[key].get(version_id, {})
        return VersionRow(
            version_id=version_id,
            name=name,
            created=got.get("created") or 0,
            solved=got.get("solved") or 0,
            first_response=response[key].get(version_id, _EMPTY_TIME),
            resolution=resolution[key].get(version_id, _EMPTY_TIME),
            csat=csat.get(version_id, _EMPTY_CSAT) if key == "version_id" else _sum(csat),
        )

    named = [(v.pk, v.name) for v in versions]
    if None in counts["version_id"] or None in weekly:
        named.append((None, NO_VERSION))
    weeks = _weeks(f)
    per_week = {name: [weekly[pk][w] for w in weeks] for pk, name in named if pk in weekly}
    return ProductInsight(
        weeks=weeks,
        per_week=per_week,
        versions=[row(pk, name) for pk, name in named],
        total=row(None, "All versions", key=TOTAL),
        fields=_field_values(f, product_id),
        tags=_top_tags(f, product_id),
        items=_items_by_demand(product_id),
    )


def _sum(stats: dict[int | None, CsatStat]) -> CsatStat:
    values = list(stats.values())
    return CsatStat(
        sent=sum(s.sent for s in values),
        answered=sum(s.answered for s in values),
        good=sum(s.good for s in values),
        bad=sum(s.bad for s in values),
    )
