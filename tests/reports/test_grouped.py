"""The whole report's numbers (``grouped_report``): the per-agent and per-team tables and the
totals, against values worked out by hand, and against the same figures computed here in plain
Python over the fixed rows (``conftest``)."""

import statistics
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from feedback.models import CsatSurvey, Rating
from reports.filters import ReportFilter
from reports.grouped import grouped_report
from tests.reports.conftest import NOW, H, at, rf
from tickets.models import OPEN_STATUSES, Channel, Ticket
from tickets.sla.models import SlaTarget, TargetKind, TargetState


def per_team(f):
    return {r.name: r for r in grouped_report(f, now=NOW).tables["team_id"]}


def per_agent(f):
    return {r.name: r for r in grouped_report(f, now=NOW).tables["assignee_id"]}


def test_per_team_table(data):
    rows = per_team(rf())
    alpha, beta = rows["Alpha"], rows["Beta"]
    assert (alpha.created, alpha.solved, alpha.open_now) == (3, 3, 1)
    assert alpha.first_response.median == pytest.approx(1.5 * H)
    assert alpha.resolution.median == pytest.approx(24 * H)
    assert (alpha.csat.sent, alpha.csat.answered, alpha.csat.good) == (3, 3, 2)
    assert (beta.created, beta.solved, beta.open_now) == (2, 1, 2)
    assert beta.first_response.median == pytest.approx(7 * H)
    assert beta.resolution.median == pytest.approx(48 * H)
    assert (beta.csat.sent, beta.csat.answered) == (1, 0)


def test_per_agent_table_counts_unassigned(data):
    rows = per_agent(rf())
    assert (rows["Ann"].created, rows["Ann"].solved) == (2, 3)
    assert (rows["Bo"].created, rows["Bo"].solved, rows["Bo"].open_now) == (2, 1, 2)
    assert rows["Unassigned"].created == 1


def test_per_team_business_time_and_sla(sla_data):
    rows = per_team(rf())
    alpha, beta = rows["Alpha"], rows["Beta"]
    assert (alpha.sla.met, alpha.sla.breached) == (3, 3)
    assert alpha.first_response_business.median == pytest.approx(1.5 * H)
    assert alpha.resolution_business.median == pytest.approx(8 * H)  # 4, 8, 40 h
    assert (beta.sla.met, beta.sla.breached) == (2, 3)
    assert beta.sla.achievement == pytest.approx(40)
    assert beta.first_response_business.median == pytest.approx(6.5 * H)
    assert beta.resolution_business.median == pytest.approx(16 * H)


def test_filters_narrow_every_part(data):
    team = grouped_report(rf(team_id=data["t2"].pk), now=NOW)
    assert sum(c for _, c, _ in team.daily) == 2
    assert team.csat.sent == 1
    assert team.tags == [("billing", 1), ("bug", 1)]
    email = grouped_report(rf(channel=Channel.EMAIL), now=NOW)
    assert sum(c for _, c, _ in email.daily) == 3
    assert sum(s for _, _, s in email.daily) == 2
    organization = grouped_report(rf(organization_id=data["org"].pk), now=NOW)
    assert organization.first_response.count == 2  # T1 and T3
    agent = grouped_report(rf(agent_id=data["a1"].pk), now=NOW)
    assert agent.resolution.median == pytest.approx(24 * H)


def test_empty_range_has_no_percentiles(data):
    f = ReportFilter(start=date(2025, 1, 1), end=date(2025, 1, 2), tz=ZoneInfo("UTC"))
    empty = grouped_report(f, now=NOW)
    assert empty.first_response.count == 0 and empty.first_response.median is None
    assert empty.csat.sent == 0 and all(s.total == 0 for s in empty.sla.values())
    assert empty.tables["team_id"] == [] or all(r.created == 0 for r in empty.tables["team_id"])


# --- the totals, worked out here from the rows -----------------------------------------------


def assert_stat(stat, values):
    """``stat`` is the count, median and p90 of ``values``, as worked out by ``statistics``
    (its inclusive quantiles interpolate between closest ranks, as ``percentile_cont`` does)."""
    values = sorted(values)
    assert stat.count == len(values) > 1
    assert stat.median == pytest.approx(statistics.median(values))
    assert stat.p90 == pytest.approx(statistics.quantiles(values, n=10, method="inclusive")[8])


def sla_outcome(clock, start, end):
    """'met', 'breached' or None (no outcome in the range), by the rule in docs/reports.md."""
    if clock.breached_at is not None:
        return "breached" if start <= clock.breached_at < end else None
    if clock.state == TargetState.MET and start <= clock.met_at < end:
        return "met" if clock.met_at <= clock.due_at else "breached"
    return None


def test_grouped_report_totals_equal_the_rows_counted_by_hand(sla_data):
    """The dashboard takes its totals from the grouped queries (one scan each on PostgreSQL);
    they equal the same figures computed here in plain Python over every row."""
    g = grouped_report(rf(), now=NOW)
    start, end = at(1), at(11)
    tickets = list(Ticket.objects.all())
    created = [t for t in tickets if start <= t.created_at < end]
    solved = [t for t in tickets if t.solved_at and start <= t.solved_at < end]
    assert_stat(
        g.first_response,
        [
            (t.first_responded_at - t.created_at).total_seconds()
            for t in created
            if t.first_responded_at
        ],
    )
    assert_stat(g.resolution, [(t.solved_at - t.created_at).total_seconds() for t in solved])

    clocks = list(SlaTarget.objects.all())
    assert_stat(
        g.first_response_business,
        [
            c.business_seconds_taken
            for c in clocks
            if c.kind == TargetKind.FIRST_RESPONSE
            and c.state == TargetState.MET
            and start <= c.started_at < end
        ],
    )
    assert_stat(
        g.resolution_business,
        [
            c.business_seconds_taken
            for c in clocks
            if c.kind == TargetKind.RESOLUTION
            and c.state == TargetState.MET
            and start <= c.met_at < end
        ],
    )
    for kind, stat in g.sla.items():
        outcomes = [sla_outcome(c, start, end) for c in clocks if c.kind == kind]
        assert (stat.met, stat.breached) == (outcomes.count("met"), outcomes.count("breached"))

    surveys = [s for s in CsatSurvey.objects.all() if start <= s.sent_at < end]
    assert (g.csat.sent, g.csat.answered, g.csat.good, g.csat.bad) == (
        len(surveys),
        sum(1 for s in surveys if s.rating),
        sum(1 for s in surveys if s.rating == Rating.GOOD),
        sum(1 for s in surveys if s.rating == Rating.BAD),
    )

    ages = [(NOW - t.created_at).days for t in tickets if t.status in OPEN_STATUSES]
    bounds = [(0, 1), (1, 3), (3, 7), (7, 30), (30, 10**6)]
    assert [n for _, n in g.backlog] == [sum(lo <= a < hi for a in ages) for lo, hi in bounds]
    assert sum(c for _, c, _ in g.daily) == len(created)
    assert sum(s for _, _, s in g.daily) == len(solved)

    # Counts add up: every ticket, clock and survey is in one row of each table.
    for table in g.tables.values():
        assert sum(r.created for r in table) == len(created)
        assert sum(r.solved for r in table) == len(solved)
        assert sum(r.open_now for r in table) == len(ages)
        assert sum(r.sla.met for r in table if r.sla) == sum(s.met for s in g.sla.values())
        assert sum(r.sla.breached for r in table if r.sla) == sum(
            s.breached for s in g.sla.values()
        )
        assert sum(r.csat.sent for r in table if r.csat) == g.csat.sent
