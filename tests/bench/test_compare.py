"""``python -m bench.compare``: two sizes side by side, the ratio, and the verdict per target."""

from __future__ import annotations

import json
import math

from bench import compare


def _run(tickets: int, queue_ms: float, http_ms: float, rate: float) -> dict:
    def result(p50: float, per_second: float = math.nan) -> dict:
        return {
            "p50": p50,
            "p95": p50,
            "max": p50,
            "queries": 2,
            "sql_ms": 1.5,
            "per_second": per_second,
            "concurrency": 1,
            "runs": 10,
        }

    return {
        "at": "2026-12-06 04:00 UTC",
        "n": 10,
        "machine": "test",
        "versions": "test",
        "data": f"{tickets:,} tickets",
        "tickets": tickets,
        "http": "gunicorn",
        "scenarios": [
            {
                "slug": "agent_queue_page",
                "name": "Agent queue page",
                "target": "p50 ≤ 20 ms",
                "kind": "page",
                "throughput": False,
                "in_process": result(queue_ms),
                "http": result(http_ms),
            },
            {
                "slug": "api_ticket_create",
                "name": "API ticket create",
                "target": "≥ 300/s over HTTP (4 workers)",
                "kind": "page",
                "throughput": True,
                "in_process": result(10, 100),
                "http": result(12, rate),
            },
            {
                "slug": "only_small",
                "name": "Only in the small run",
                "target": "",
                "kind": "call",
                "throughput": False,
                "in_process": {"error": "boom"},
                "http": None,
            },
        ],
    }


def test_the_ratio_is_large_over_small_and_bold_above_one_and_a_half():
    body = compare.table(_run(100_000, 10, 12, 310), _run(1_000_000, 16, 19, 290))
    queue = next(line for line in body.splitlines() if line.startswith("| Agent queue"))
    assert "| 10.0 · 12.0 | 16.0 · 19.0 | **1.60** · **1.58** |" in queue
    assert queue.endswith("| met |")
    create = next(line for line in body.splitlines() if line.startswith("| API ticket create"))
    assert "310/s → 290/s" in create
    assert create.endswith("| not met (290/s) |")


def test_a_page_over_its_bound_at_the_large_size_is_not_met_by_the_slower_way():
    body = compare.table(_run(100_000, 10, 12, 310), _run(1_000_000, 14, 25, 310))
    queue = next(line for line in body.splitlines() if line.startswith("| Agent queue"))
    assert "| 1.40 · **2.08** |" in queue
    assert queue.endswith("| not met (25.0 ms) |")


def test_bounds_in_seconds_and_strict_bounds():
    scenario = {"in_process": {"p50": 900.0}, "http": None}
    assert compare.verdict("< 1 s", scenario) == "met"
    assert compare.verdict("< 0.5 s", scenario) == "not met (900.0 ms)"
    assert compare.verdict("—", scenario) == ""


def test_write_puts_the_table_between_its_own_markers(tmp_path):
    small, large = tmp_path / "small.json", tmp_path / "large.json"
    small.write_text(json.dumps(_run(100_000, 10, 12, 310)))
    large.write_text(json.dumps(_run(1_000_000, 11, 13, 320)))
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\nprose\n")
    assert compare.main([str(small), str(large), "--write", "--out", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("# Benchmarks\n\nprose\n")
    assert compare.START in text and compare.END in text
    compare.main([str(small), str(large), "--write", "--out", str(out)])
    assert out.read_text().count(compare.START) == 1


def test_a_budget_over_the_scenario_before_is_the_difference_of_their_p50s():
    baseline = {"in_process": {"p50": 10.2}, "http": None}
    assert compare.verdict("≤ 1 ms more than none", {"in_process": {"p50": 10.9}}, baseline) == (
        "met (+0.7 ms)"
    )
    assert compare.verdict("≤ 1 ms more than none", {"in_process": {"p50": 11.6}}, baseline) == (
        "not met (+1.4 ms)"
    )
    assert compare.verdict("≤ 1 ms more than none", {"in_process": {"p50": 11.6}}) == ""
