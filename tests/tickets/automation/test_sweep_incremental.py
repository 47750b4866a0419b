"""The sweep after a complete pass reads only what can have come to match since: the windows its
time conditions crossed and the tickets changed; a full pass when that can't be known."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F, IntegerField, Value
from django.test.utils import CaptureQueriesContext

from support import clock
from tests import factories
from tickets import services
from tickets.automation import sweep as sweep_module
from tickets.automation.models import AutomationSweep
from tickets.automation.sweep import automations_sweep, last_pass, new_candidate_queries
from tickets.models import EventKind, Status, Ticket, TicketEvent

from .test_sweep import at, automation, close_after, solved_ticket, sweep

pytestmark = pytest.mark.django_db

TAG = {"action": "add_tags", "value": "seen"}


def solved_after(hours):
    return {"field": "hours_since_solved", "operator": "greater_than", "value": hours}


def mark(rule) -> AutomationSweep:
    return AutomationSweep.objects.get(automation=rule)


def test_a_pass_marks_where_it_left_each_automation(customer, team, agent):
    rule = close_after(4)
    solved_ticket(customer, team, agent)
    sweep(1)
    assert (mark(rule).swept_at, mark(rule).full_at) == (at(1), at(1))
    assert mark(rule).conditions == rule.conditions
    sweep(1.5)
    assert (mark(rule).swept_at, mark(rule).full_at) == (at(1.5), at(1))  # incremental
    with clock.travel(at(1.5) + timedelta(minutes=4)), CaptureQueriesContext(connection) as q:
        automations_sweep()
    # The mark is moved once it is 5 minutes old: this pass only reads.
    assert [x["sql"].split()[0] for x in q] == ["SELECT", "SELECT"]
    assert mark(rule).swept_at == at(1.5)
    assert sweep(4.5)["acted"] == 1  # the ticket crossed "solved 4 hours ago" in between


def test_when_a_full_pass_is_needed(customer, team, agent, settings):
    rule = automation("Probe", {"all": [solved_after(4)]}, [TAG])
    assert last_pass(rule, at(0)) is None  # never swept
    sweep(0)
    rule.refresh_from_db()
    assert last_pass(rule, at(0.5)) == at(0)
    assert last_pass(rule, at(-1)) is None  # the clock went back
    assert last_pass(rule, at(1)) is None  # the full pass is an hour old
    settings.AUTOMATION_FULL_SWEEP_SECONDS = 7200
    assert last_pass(rule, at(1)) == at(0)
    rule.conditions = {"all": [solved_after(5)]}
    assert last_pass(rule, at(0.5)) is None  # other conditions than the mark's
    calendar = factories.BusinessCalendarFactory()
    for extra in (
        {"field": "business_hours", "operator": "is", "value": calendar.pk},
        {"field": "requester_domain", "operator": "is", "value": "vip.example"},
    ):
        rule.conditions = {"all": [solved_after(4), extra]}
        rule.save()
        sweep(0)
        rule.refresh_from_db()
        assert last_pass(rule, at(0.5)) is None  # truth that moves without the ticket


def test_a_ticket_that_comes_to_match_by_a_change_is_found(customer, team, agent):
    rule = automation(
        "VIP solved",
        {"all": [solved_after(1), {"field": "tags", "operator": "contains", "value": "vip"}]},
        [TAG],
    )
    ticket = solved_ticket(customer, team, agent)
    assert sweep(2)["acted"] == 0
    with clock.travel(at(2.2)):
        services.ticket_update(ticket=ticket, by=agent, changes={"tags_add": ["vip"]})
    assert sweep(2.4)["acted"] == 1
    assert mark(rule).full_at == at(2)  # found by the incremental pass


def test_what_one_automation_changes_is_seen_by_the_next_in_the_same_pass(
    customer, team, agent, settings
):
    settings.AUTOMATION_FULL_SWEEP_SECONDS = 10**9
    automation("First", {"all": [solved_after(1)]}, [{"action": "add_tags", "value": "x"}])
    automation(
        "Then",
        {
            "all": [
                {"field": "hours_since_updated", "operator": "less_than", "value": 1},
                {"field": "tags", "operator": "contains", "value": "x"},
            ]
        },
        [{"action": "add_note", "value": "Tagged just now."}],
        position=1,
    )
    ticket = solved_ticket(customer, team, agent)
    assert sweep(0.5)["acted"] == 0  # full: nothing yet
    # Incremental: "First" finds it in its window; "Then" reads the changed tickets again.
    assert sweep(2)["acted"] == 2
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.NOTE_ADDED).count() == 1


def test_a_write_that_does_not_move_updated_at_waits_for_the_full_pass(customer, team, agent):
    automation(
        "Urgent solved",
        {"all": [solved_after(1), {"field": "priority", "operator": "is", "value": "urgent"}]},
        [TAG],
    )
    ticket = solved_ticket(customer, team, agent)
    assert sweep(2)["acted"] == 0
    Ticket.objects.filter(pk=ticket.pk).update(priority="urgent")  # bulk SQL: no updated_at
    assert sweep(2.5)["acted"] == 0
    assert sweep(3)["acted"] == 1  # the hourly full pass


def test_business_hours_are_checked_on_every_pass(customer, team, agent):
    calendar = factories.BusinessCalendarFactory(
        time_zone="UTC",
        hours={"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]]},
        always_open=False,
    )
    automation(
        "Close in office hours",
        {
            "all": [
                solved_after(1),
                {"field": "business_hours", "operator": "is", "value": calendar.pk},
            ]
        },
        [{"action": "set_status", "value": "closed"}],
    )
    ticket = solved_ticket(customer, team, agent)  # Monday 09:00
    assert sweep(9)["acted"] == 0  # Monday 18:00
    assert sweep(9.5)["acted"] == 0
    assert sweep(24.2)["acted"] == 1  # Tuesday 09:12
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_an_idle_pass_reads_only_its_windows(customer, team, agent, settings):
    """Tickets acted on and still in range are not read again: every ticket query of an idle
    incremental pass is bounded below (by its window or by the changed tickets' ids)."""
    settings.AUTOMATION_FULL_SWEEP_SECONDS = 10**9
    rule = automation("Tag solved", {"all": [solved_after(1)]}, [TAG])
    for _ in range(5):
        solved_ticket(customer, team, agent)
    assert sweep(2)["acted"] == 5  # full pass
    assert sweep(3)["acted"] == 0  # incremental, the changed ones checked again
    with clock.travel(at(4)), CaptureQueriesContext(connection) as queries:
        assert automations_sweep()["acted"] == 0
    tickets = [q["sql"] for q in queries if 'FROM "tickets_ticket"' in q["sql"]]
    assert len(tickets) == 1  # the window and the changed tickets, in one UNION ALL
    assert '"solved_at" >=' in tickets[0] and '"updated_at" >=' in tickets[0], tickets
    assert "UNION ALL" in tickets[0]
    rule.refresh_from_db()
    parts, column = new_candidate_queries(rule, at(5), at(4))
    assert len(parts) == 2 and column == "solved_at"
    assert [part.count() for part in parts] == [0, 0]


@pytest.mark.postgres
def test_the_window_is_a_bounded_range_of_the_index(customer, team, agent):
    rule = automation("Tag solved", {"all": [solved_after(96)]}, [TAG])
    solved_ticket(customer, team, agent)
    parts, column = new_candidate_queries(rule, at(200), at(200) - timedelta(minutes=1))
    sql, params = parts[0].order_by(column, "pk").values_list("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ticket_solved_live_idx" in plan, plan
    cond = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "solved_at >=" in cond and "solved_at <" in cond, plan
    assert "Seq Scan" not in plan, plan


def test_the_compiled_candidates_sql_is_the_fresh_one_with_new_bounds(customer, team, agent):
    """The SQL compiled once per automation, bound to this pass's times, is exactly what Django
    builds for them afresh."""
    rule = automation(
        "Due soon, urgent",
        {
            "all": [
                {"field": "hours_until_resolution_due", "operator": "less_than", "value": 4},
                solved_after(2),
                {"field": "priority", "operator": "is", "value": "urgent"},
            ]
        },
        [TAG],
    )
    for now, prev in ((at(10), at(9.5)), (at(300), at(250))):
        sql, template = sweep_module._candidates_sql(rule)
        bound = [sweep_module._bind(value, now, prev) for value in template]
        queries, column = new_candidate_queries(rule, now, prev)
        value = Value(rule.pk, output_field=IntegerField())
        parts = [
            q.annotate(rule=value, period=F(column)).values_list("rule", "period", "pk")
            for q in queries
        ]
        fresh = parts[0].union(*parts[1:], all=True).query.sql_with_params()
        assert (sql, bound) == (fresh[0], list(fresh[1]))
