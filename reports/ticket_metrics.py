"""Ticket figures: created and solved per day, the open backlog by age, calendar response and
resolution times (their expressions), and the top tags."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDate
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext_lazy as _

from reports.filters import ReportFilter
from tickets.models import Ticket

FIRST_RESPONSE = ExpressionWrapper(
    F("first_responded_at") - F("created_at"), output_field=DurationField()
)
RESOLUTION = ExpressionWrapper(F("solved_at") - F("created_at"), output_field=DurationField())


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


# Lazy labels: the report is cached for everyone; each reader sees them in their language.
BACKLOG_BUCKETS: list[tuple[StrPromise, timedelta | None, timedelta | None]] = [
    (_("Under 1 day"), None, timedelta(days=1)),
    (_("1–3 days"), timedelta(days=1), timedelta(days=3)),
    (_("3–7 days"), timedelta(days=3), timedelta(days=7)),
    (_("7–30 days"), timedelta(days=7), timedelta(days=30)),
    (_("Over 30 days"), timedelta(days=30), None),
]


def backlog_counts(now: datetime) -> dict[str, Count]:
    counts = {}
    for i, (_label, young, old) in enumerate(BACKLOG_BUCKETS):
        q = Q()
        if young is not None:
            q &= Q(created_at__lte=now - young)
        if old is not None:
            q &= Q(created_at__gt=now - old)
        counts[f"bucket{i}"] = Count("id", filter=q)
    return counts


def top_tags(
    f: ReportFilter, *, ids: tuple[int | None, int | None], limit: int = 10
) -> list[tuple[str, int]]:
    """Tags of the tickets created in the range, most used first. ``ids``: the smallest and
    largest id of those tickets (``grouped_report`` reads them as it counts); said out loud, they
    let PostgreSQL read just those tickets' tag links (by ticket id) instead of hashing all of
    them."""
    lo, hi = ids
    if lo is None:
        return []
    return list(
        Ticket.tags.through.objects.filter(
            f.ticket_q("ticket__"),
            ticket__created_at__gte=f.start_at,
            ticket__created_at__lt=f.end_at,
            ticket_id__gte=lo,
            ticket_id__lte=hi,
        )
        .values("tag__name")
        .annotate(n=Count("id"))
        .order_by("-n", "tag__name")
        .values_list("tag__name", "n")[:limit]
    )
