"""Business time and SLA achievement, from the SLA engine's stored outcomes (``SlaTarget``:
``business_seconds_taken``, ``met_at``, ``breached_at``), never recomputed here."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from reports.aggregates import ROW, by_each
from reports.filters import ReportFilter
from tickets.sla.models import SlaTarget, TargetKind, TargetState

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


def sla_outcomes_by_each(f: ReportFilter, fields: list[str]) -> dict[str, dict[object, dict]]:
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
