"""The benchmark harness runs every scenario end to end (in-process) on a small data set."""

from __future__ import annotations

from argparse import Namespace

import pytest

from bench import report
from bench.core import SCENARIOS, Request, Scenario, call, measure, page
from bench.runner import run, selected
from tests import factories
from tickets.models import Status


@pytest.fixture
def small_desk(team, agent):
    for i in range(6):
        factories.TicketFactory(team=team, status=Status.OPEN if i % 2 else Status.NEW)
    factories.AdminFactory()
    return team


def test_every_scenario_runs_in_process_and_the_table_is_written(small_desk, tmp_path, capsys):
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\nProse kept.\n\n" + report.START + "\nold\n" + report.END + "\n")
    args = Namespace(
        n=2, warmup=1, only=None, list=False, no_http=True, url=None, port=0, workers=1,
        out=str(out), no_write=False,
    )  # fmt: skip
    assert run(args) == 0, capsys.readouterr().out
    text = out.read_text()
    assert "Prose kept." in text and "\nold\n" not in text
    for scenario in selected(None):
        assert f"| {scenario.name} |" in text


def test_a_scenario_is_one_small_function():
    before = len(SCENARIOS)

    @page("A page")
    def a_page(ctx):
        return Request("/login/")

    @call("A call", throughput=True)
    def a_call(ctx):
        return lambda: None

    try:
        assert [s.slug for s in SCENARIOS[before:]] == ["a_page", "a_call"]
        assert isinstance(SCENARIOS[before], Scenario)
    finally:
        del SCENARIOS[before:]


def test_measure_counts_queries_and_reports_percentiles(db):
    from accounts.models import User

    result = measure(lambda: list(User.objects.all()), n=5, warmup=1)
    assert result.queries == [1] * 5
    assert result.p50 <= result.p95 <= result.max
    assert result.per_second > 0


@pytest.mark.postgres
def test_every_scenario_runs_once_on_a_small_scale_data_set(db, tmp_path, capsys):
    """seed_scale at small N (the current models: search documents, SLA tables, dispatched
    history), then every scenario once, in-process: none may rot as the pages change."""
    from django.core.management import call_command

    from tickets.models import Ticket, TicketEvent, TicketSearchDocument

    call_command(
        "seed_scale", tickets=300, organizations=10, customers=60, agents=6, teams=2, batch=200,
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )  # fmt: skip
    assert TicketSearchDocument.objects.count() == Ticket.objects.count() == 300
    assert not TicketEvent.objects.filter(dispatched_at__isnull=True).exists()
    factories.AdminFactory()
    args = Namespace(
        n=1, warmup=0, only=None, list=False, no_http=True, url=None, port=0, workers=1,
        out=str(tmp_path / "benchmarks.md"), no_write=False,
    )  # fmt: skip
    assert run(args) == 0, capsys.readouterr().out
    text = (tmp_path / "benchmarks.md").read_text()
    for scenario in selected(None):
        assert f"| {scenario.name} |" in text
