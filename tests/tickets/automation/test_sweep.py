"""Time-based automations: the sweep acts once per period (run twice, at once, after a restart),
a new period starts when the timestamp moves, changes are attributed, failures are logged and
skipped, and candidates are read from indexes."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from support import clock
from tests import factories
from tickets import services
from tickets.automation import services as rule_services
from tickets.automation.examples import EXAMPLES
from tickets.automation.models import Automation, AutomationRun, TicketTimes
from tickets.automation.sweep import act_once, automations_sweep, candidates_query
from tickets.automation.tasks import sweep_automations
from tickets.mail.models import OutboundEmail
from tickets.models import EventKind, Status, Ticket, TicketEvent
from tickets.workspace.presentation import event_sentence

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True, params=["full pass hourly", "incremental passes only"])
def full_pass_every(request, settings):
    """Each test twice: with the hourly full pass, and with every pass after the first reading
    only what can have come to match since the last (tickets.automation.sweep)."""
    if request.param == "incremental passes only":
        settings.AUTOMATION_FULL_SWEEP_SECONDS = 10**9
    return settings.AUTOMATION_FULL_SWEEP_SECONDS


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def automation(name, conditions, actions, **kw) -> Automation:
    return rule_services.rule_save(
        Automation(**kw), name=name, conditions=conditions, actions=actions
    )


def close_after(hours: float = 96) -> Automation:
    return automation(
        "Close solved",
        {"all": [{"field": "hours_since_solved", "operator": "greater_than", "value": hours}]},
        [{"action": "set_status", "value": "closed"}],
    )


def solved_ticket(customer, team, agent, *, when=0.0) -> Ticket:
    with clock.travel(at(when)):
        ticket = services.ticket_create(requester=customer, subject="Printer", body="x", team=team)
        services.ticket_update(ticket=ticket, by=agent, changes={"status": "solved"})
    return ticket


def sweep(hours: float) -> dict:
    with clock.travel(at(hours)):
        return automations_sweep()


def test_closes_a_solved_ticket_once_the_time_is_up_and_says_so(customer, team, agent):
    rule = close_after(96)
    ticket = solved_ticket(customer, team, agent)
    assert sweep(95)["acted"] == 0
    assert sweep(97)["acted"] == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.STATUS_CHANGED, new="closed")
    assert event.data["rule"] == {"kind": "automation", "id": rule.pk, "name": "Close solved"}
    assert event_sentence(event) == "Automation “Close solved” changed status from Solved to Closed"
    assert AutomationRun.objects.get().period_at == ticket.solved_at


def test_acts_once_per_period_when_run_again_or_twice(customer, team, agent):
    automation(
        "Tag old solved",
        {"all": [{"field": "hours_since_solved", "operator": "greater_than", "value": 10}]},
        [{"action": "add_note", "value": "Solved a while ago."}],
    )
    ticket = solved_ticket(customer, team, agent)
    assert sweep(11)["acted"] == 1
    assert sweep(12)["acted"] == 0  # still matches; the period was acted on
    with clock.travel(at(13)):
        assert sweep_automations.delay().get() == {"acted": 0, "failed": 0, "skipped": 0}
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.NOTE_ADDED).count() == 1


def test_a_stale_candidate_list_still_acts_once(customer, team, agent):
    """Two sweeps that listed the same ticket: the second finds the run row and skips."""
    rule = automation(
        "Note",
        {"all": [{"field": "hours_since_solved", "operator": "greater_than", "value": 1}]},
        [{"action": "add_note", "value": "Hi."}],
    )
    ticket = solved_ticket(customer, team, agent)
    with clock.travel(at(2)):
        listed = list(candidates_query(rule, at(2))[0].values_list("pk", flat=True))
        assert listed == [ticket.pk]
        assert act_once(rule, ticket.pk) == "acted"
        assert act_once(rule, ticket.pk) == "done"
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.NOTE_ADDED).count() == 1


def test_a_new_period_starts_when_the_timestamp_moves(customer, team, agent):
    automation(
        "Pending nudge",
        {"all": [{"field": "hours_since_pending", "operator": "greater_than", "value": 72}]},
        [{"action": "add_tags", "value": "nudged"}, {"action": "add_note", "value": "Nudge."}],
    )
    with clock.travel(at(0)):
        ticket = services.ticket_create(requester=customer, subject="Wifi", body="x", team=team)
        services.ticket_update(ticket=ticket, by=agent, changes={"status": "pending"})
    assert sweep(73)["acted"] == 1
    assert sweep(100)["acted"] == 0
    # The customer answers (open), the agent asks again (pending): a new pending spell.
    with clock.travel(at(101)):
        services.ticket_update(ticket=ticket, by=agent, changes={"status": "open"})
        services.ticket_update(ticket=ticket, by=agent, changes={"status": "pending"})
    assert TicketTimes.objects.get(ticket=ticket).status_changed_at == at(101)
    assert sweep(150)["acted"] == 0
    assert sweep(174)["acted"] == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.NOTE_ADDED).count() == 2
    assert AutomationRun.objects.filter(ticket=ticket).count() == 2


def test_ordinary_conditions_filter_too(customer, team, agent):
    automation(
        "Close urgent only",
        {
            "all": [
                {"field": "hours_since_solved", "operator": "greater_than", "value": 1},
                {"field": "priority", "operator": "is", "value": "urgent"},
                {"field": "tags", "operator": "contains", "value": "vip"},
            ]
        },
        [{"action": "set_status", "value": "closed"}],
    )
    plain = solved_ticket(customer, team, agent)
    with clock.travel(at(0)):
        vip = services.ticket_create(
            requester=customer, subject="VIP", body="x", team=team, priority="urgent", tags=["vip"]
        )
        services.ticket_update(ticket=vip, by=agent, changes={"status": "solved"})
    assert sweep(2)["acted"] == 1
    plain.refresh_from_db()
    vip.refresh_from_db()
    assert (plain.status, vip.status) == (Status.SOLVED, Status.CLOSED)


def test_a_failing_automation_is_logged_with_the_ticket_and_skipped(customer, team, agent):
    gone = factories.TeamFactory(name="Gone")
    automation(
        "Move stale",
        {"all": [{"field": "hours_since_solved", "operator": "greater_than", "value": 1}]},
        [{"action": "add_tags", "value": "stale"}, {"action": "set_team", "value": gone.pk}],
    )
    closer = close_after(1)
    gone.delete()
    ticket = solved_ticket(customer, team, agent)
    assert sweep(2) == {"acted": 1, "failed": 1, "skipped": 0}
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED  # the next automation still ran
    assert not ticket.tags.filter(name="stale").exists()  # the failed one rolled back whole
    failed = TicketEvent.objects.get(ticket=ticket, kind=EventKind.RULE_FAILED)
    assert failed.data["failed"]["name"] == "Move stale"
    assert closer.runs.get().failed is False
    assert AutomationRun.objects.get(automation__name="Move stale").failed is True
    assert sweep(3)["failed"] == 0  # logged once for the period, not every minute


def test_mails_the_requester_with_the_template(customer, team, agent):
    automation(
        "Remind",
        {"all": [{"field": "hours_since_pending", "operator": "greater_than", "value": 72}]},
        [EXAMPLES[0]["actions"][0]],
    )
    with clock.travel(at(0)):
        ticket = services.ticket_create(requester=customer, subject="Wifi", body="x", team=team)
        services.ticket_update(ticket=ticket, by=agent, changes={"status": "pending"})
    sweep(73)
    sweep(74)
    mail = OutboundEmail.objects.get(ticket=ticket)
    assert mail.to == [customer.email]
    assert mail.subject == f"Waiting for your answer: Wifi [#{ticket.pk}]"
    assert mail.headers["Auto-Submitted"] == "auto-generated"


def test_sla_due_times_and_replies(customer, team, agent):
    """hours until a due time, and since the customer's last reply, read their own columns."""
    with clock.travel(at(0)):
        ticket = services.ticket_create(requester=customer, subject="Q", body="x", team=team)
    times = TicketTimes.objects.get(ticket=ticket)
    assert times.customer_replied_at == at(0) and times.agent_replied_at is None
    with clock.travel(at(1)):
        services.ticket_reply(ticket=ticket, body="On it", by=agent)
    times.refresh_from_db()
    assert times.agent_replied_at == at(1)
    rule = automation(
        "Agent silent",
        {"all": [{"field": "hours_since_agent_reply", "operator": "greater_than", "value": 24}]},
        [{"action": "add_tags", "value": "quiet"}],
    )
    assert sweep(20)["acted"] == 0 and sweep(26)["acted"] == 1
    Ticket.objects.filter(pk=ticket.pk).update(resolution_due_at=at(40))
    rule.conditions = {
        "all": [{"field": "hours_until_resolution_due", "operator": "less_than", "value": 4}]
    }
    rule.actions = [{"action": "add_tags", "value": "due-soon"}]
    rule.save()
    assert sweep(30)["acted"] == 0 and sweep(37)["acted"] == 1
    assert ticket.tags.filter(name="due-soon").exists()


def test_nothing_to_do_is_one_query_per_automation(customer, team, agent):
    close_after(96)
    automation(
        "Old",
        {"all": [{"field": "hours_since_created", "operator": "greater_than", "value": 500}]},
        [{"action": "add_tags", "value": "old"}],
    )
    solved_ticket(customer, team, agent)
    with clock.travel(at(10)), CaptureQueriesContext(connection) as queries:
        automations_sweep()
    # A full pass: the active automations, one range per automation, their marks.
    assert len(statements(queries)) == 1 + 2 + 1
    with clock.travel(at(10.5)), CaptureQueriesContext(connection) as queries:
        automations_sweep()
    # Then: the automations, one UNION ALL of each one's window and changed tickets, the marks.
    assert len(statements(queries)) == 1 + 1 + 1


def statements(queries) -> list[str]:
    """The reads and writes (not transaction control)."""
    verbs = ("SELECT", "INSERT", "UPDATE", "DELETE")
    return [q["sql"] for q in queries if q["sql"].lstrip("(").split()[0] in verbs]


@pytest.mark.parametrize(
    ("field", "index"),
    [
        ("hours_since_solved", "ticket_solved_live_idx"),
        ("hours_since_created", "ticket_live_created_idx"),
        ("hours_since_updated", "ticket_live_updated_idx"),
        ("hours_until_resolution_due", "ticket_live_res_due_idx"),
        ("hours_since_pending", "ticket_times_status_idx"),
        ("hours_since_customer_reply", "ticket_times_customer_idx"),
    ],
)
def test_each_time_condition_is_an_indexed_range(customer, team, agent, field, index):
    """The candidates query reads the ticket rows through the condition's partial index (on
    SQLite's planner here; PostgreSQL's below), never a scan of the tickets table."""
    rule = automation(
        "Probe",
        {"all": [{"field": field, "operator": "greater_than", "value": 1}]},
        [{"action": "add_tags", "value": "x"}],
    )
    solved_ticket(customer, team, agent)
    query, column = candidates_query(rule, at(100))
    sql, params = query.order_by(column, "pk").values_list("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    if connection.vendor == "postgresql":
        assert index in plan, plan
        assert "Seq Scan" not in plan, plan
    else:
        # SQLite (no statistics) may pick another index of the ticket, but never scans it.
        lines = [line for line in plan.splitlines() if "tickets_ticket " in line + " "]
        assert lines and all(line.startswith("SEARCH") for line in lines), plan


def test_the_examples_ship_off_and_are_valid():
    rows = {a.name: a for a in Automation.objects.all()}
    for example in EXAMPLES:
        found = rows[example["name"]]
        assert found.is_active is False
        rule_services.rule_validate(Automation, found.conditions, found.actions)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_act_exactly_once():
    team = factories.TeamFactory()
    agent = factories.AgentFactory(teams=[team])
    customer = factories.CustomerFactory()
    automation(
        "Note",
        {"all": [{"field": "hours_since_solved", "operator": "greater_than", "value": 1}]},
        [{"action": "add_note", "value": "Once."}],
    )
    tickets = [solved_ticket(customer, team, agent) for _ in range(5)]
    start = threading.Barrier(4)
    errors = []

    def run():
        try:
            start.wait()
            sweep(5)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for ticket in tickets:
        assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.NOTE_ADDED).count() == 1
    assert AutomationRun.objects.count() == 5
