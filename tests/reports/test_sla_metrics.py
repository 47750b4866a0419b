"""Business time and SLA achievement, read from the SLA engine's stored outcomes, against values
worked out by hand on the fixed clocks (``conftest.sla_data``)."""

import pytest

from reports.grouped import grouped_report
from tests.reports.conftest import NOW, H, rf


def sla_of(f):
    return grouped_report(f, now=NOW).sla


def test_business_time_percentiles(sla_data):
    report = grouped_report(rf(), now=NOW)
    first, resolution = report.first_response_business, report.resolution_business
    # First response of T1..T4 (created in range): 1, 2, 4, 9 h → median 3 h, p90 = 4 + 0.7 × 5.
    assert first.count == 4
    assert first.median == pytest.approx(3 * H)
    assert first.p90 == pytest.approx(7.5 * H)
    # Resolution of T2, T1, T3, T6 (solved in range): 4, 8, 16, 40 h → 12 h, 16 + 0.7 × 24.
    assert resolution.count == 4
    assert resolution.median == pytest.approx(12 * H)
    assert resolution.p90 == pytest.approx(32.8 * H)


def test_sla_achievement_per_target(sla_data):
    sla = sla_of(rf())
    # First response: T1 met; T2 (late), T3, T4, T5 breached; T6's outcome is in February.
    assert (sla["first_response"].met, sla["first_response"].breached) == (1, 4)
    assert sla["first_response"].achievement == pytest.approx(20)
    # Next reply: T2's breached (then cancelled), T4's met.
    assert (sla["next_reply"].met, sla["next_reply"].breached) == (1, 1)
    # Resolution: T1, T2, T3 met; T7 breached on 2 March; T6 breached in February; T4 running.
    assert (sla["resolution"].met, sla["resolution"].breached) == (3, 1)
    assert sla["resolution"].achievement == pytest.approx(75)


def test_sla_achievement_with_no_clocks_is_unknown(data):
    sla = sla_of(rf())
    assert list(sla) == ["first_response", "next_reply", "resolution"]
    assert all(s.total == 0 and s.achievement is None for s in sla.values())


def test_sla_filters_follow_the_ticket(sla_data):
    sla = sla_of(rf(agent_id=sla_data["a1"].pk))
    assert (sla["first_response"].met, sla["first_response"].breached) == (1, 1)
    assert (sla["resolution"].met, sla["resolution"].breached) == (2, 0)
    report = grouped_report(rf(organization_id=sla_data["org"].pk), now=NOW)  # T1 and T3
    assert report.resolution_business.median == pytest.approx(12 * H)  # 8 and 16 h


def test_reassigning_a_ticket_moves_its_clocks_and_survey_in_the_tables(sla_data):
    """Clocks and surveys carry a copy of their ticket's agent and team; reassigning the ticket
    rewrites it, so the tables keep grouping by the ticket's current agent and team."""
    from tickets.services import ticket_assign

    d = sla_data
    report = grouped_report(rf(), now=NOW)
    before = {r.name: r for r in report.tables["assignee_id"]}
    assert (before["Ann"].sla.met, before["Ann"].sla.breached) == (3, 2)
    assert before["Ann"].csat.sent == 3  # T1, T2, T6
    ticket_assign(ticket=d["T"][1], by=None, team=d["t2"], assignee=d["a2"])
    again = grouped_report(rf(), now=NOW)
    after = {r.name: r for r in again.tables["assignee_id"]}
    # T1: first response met, resolution met; its survey (good) moves too.
    assert (after["Ann"].sla.met, after["Ann"].sla.breached) == (1, 2)
    assert (after["Bo"].sla.met - before["Bo"].sla.met) == 2
    assert after["Ann"].csat.sent == 2 and after["Bo"].csat.sent == before["Bo"].csat.sent + 1
    assert sla_of(rf(agent_id=d["a2"].pk))["first_response"].met == 1
    # The totals are unchanged: the per-target counts of test_sla_achievement_per_target.
    assert again.sla == report.sla
    assert [(s.met, s.breached) for s in again.sla.values()] == [(1, 4), (1, 1), (3, 1)]
