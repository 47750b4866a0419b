"""Ticket figures (created and solved per day, backlog by age, calendar response and resolution
times, top tags) against values worked out by hand on the fixed data set (``conftest``).

Runs on SQLite (sorted-durations fallback) and on PostgreSQL (percentile_cont); both must agree.
"""

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from reports.filters import ReportFilter
from reports.grouped import grouped_report
from reports.ticket_metrics import created_vs_solved, top_tags
from tests.reports.conftest import NOW, H, rf


def test_created_vs_solved_per_day(data):
    rows = {d.day: (c, s) for d, c, s in created_vs_solved(rf())}
    assert len(rows) == 10
    assert rows[1] == (2, 1)  # T1, T2 created; T2 solved at 16:00
    assert rows[2] == (0, 1)  # T1 solved
    assert rows[3] == (1, 0)
    assert rows[4] == (0, 1)  # T6, created in February
    assert rows[5] == (1, 1)
    assert rows[9] == (1, 0)
    assert sum(c for c, _ in rows.values()) == 5
    assert sum(s for _, s in rows.values()) == 4


def test_days_follow_the_viewers_time_zone(data):
    # In New York, T1 (10:00 UTC) and T2 (12:00 UTC) are still 1 March; T5 (00:00 UTC 9 March)
    # is the evening of 8 March.
    f = ReportFilter(start=date(2026, 3, 1), end=date(2026, 3, 10), tz=ZoneInfo("America/New_York"))
    rows = {d.day: c for d, c, _ in created_vs_solved(f)}
    assert rows[8] == 1 and rows[9] == 0


def test_backlog_by_age(data):
    assert grouped_report(rf(), now=NOW).backlog == [
        ("Under 1 day", 0),
        ("1–3 days", 1),  # T5
        ("3–7 days", 1),  # T4
        ("7–30 days", 0),
        ("Over 30 days", 1),  # T7
    ]


def test_first_response_and_resolution_percentiles(data):
    report = grouped_report(rf(), now=NOW)
    fr, res = report.first_response, report.resolution
    # First response of T1..T4: 1, 2, 4, 10 h → median 3 h, p90 = 4 + 0.7 × 6 = 8.2 h.
    assert fr.count == 4
    assert fr.median == pytest.approx(3 * H)
    assert fr.p90 == pytest.approx(8.2 * H)
    # Resolution of T2, T1, T3, T6: 4, 24, 48, 288 h → median 36 h, p90 = 48 + 0.7 × 240 = 216 h.
    assert res.count == 4
    assert res.median == pytest.approx(36 * H)
    assert res.p90 == pytest.approx(216 * H)


def test_top_tags(data):
    ids = sorted(t.pk for t in rf().created())
    assert top_tags(rf(), ids=(ids[0], ids[-1])) == [("billing", 3), ("bug", 2)]
    assert grouped_report(rf(), now=NOW).tags == [("billing", 3), ("bug", 2)]


def test_top_tags_read_only_within_the_ids_given(data):
    """The smallest and largest id of the range's tickets bound the tag links read: no ids (no
    tickets created in the range), no tags."""
    ids = sorted(t.pk for t in rf().created())
    assert top_tags(rf(), ids=(None, None)) == []
    # T1 alone ("billing"): the bounds are applied, not just the date range.
    assert top_tags(rf(), ids=(ids[0], ids[0])) == [("billing", 1)]
