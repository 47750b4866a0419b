"""The report's numbers, computed by the database: aggregates grouped by day, bucket, agent or
team, every part read in one consistent snapshot (``reports.session``).

No loop walks tickets in Python. Calendar times come from the ticket's own timestamps. Business
times and SLA achievement come from the SLA engine's stored outcomes, never recomputed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Max, Min, Q

from accounts.models import Team, User
from reports.aggregates import TOTAL, DurationStat, by_each, stats_by_each
from reports.feedback_metrics import CsatStat, csat_counts, csat_surveys, top_feedback_items
from reports.filters import ReportFilter
from reports.session import ReportSession
from reports.sla_metrics import (
    BUSINESS_SECONDS,
    SlaStat,
    first_response_clocks,
    resolution_clocks,
    sla_outcomes_by_each,
)
from reports.ticket_metrics import (
    BACKLOG_BUCKETS,
    FIRST_RESPONSE,
    RESOLUTION,
    backlog_counts,
    created_vs_solved,
    top_tags,
)
from support import clock
from tickets.models import OPEN_STATUSES
from tickets.sla.models import TargetKind


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
        first, created = stats_by_each(
            f.created(),
            FIRST_RESPONSE,
            fields,
            where=Q(first_responded_at__isnull=False),
            counts={"n": Count("id"), "lo": Min("id"), "hi": Max("id")},
        )
        resolution, solved = stats_by_each(
            f.solved(), RESOLUTION, fields, counts={"n": Count("id")}
        )
        total = created[TOTAL][None]
        return {
            "first": first,
            "created": created,
            "resolution": resolution,
            "solved": solved,
            "open_now": by_each(
                f.tickets().filter(status__in=OPEN_STATUSES),
                fields,
                {"n": Count("id"), **backlog_counts(now)},
                total=True,
            ),
            "daily": created_vs_solved(f),
            "tags": top_tags(f, ids=(total["lo"], total["hi"])),
        }

    def dated_rows_lane() -> dict:
        sla = sla_outcomes_by_each(f, [*through, "kind"])
        first_business, _ = stats_by_each(first_response_clocks(f), BUSINESS_SECONDS, through)
        resolution_business, _ = stats_by_each(resolution_clocks(f), BUSINESS_SECONDS, through)
        return {
            "sla_rows": sla,
            "first_business": first_business,
            "resolution_business": resolution_business,
            "csat_rows": by_each(csat_surveys(f), through, csat_counts(), total=True),
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
