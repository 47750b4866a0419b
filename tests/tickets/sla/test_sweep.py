"""The beat sweep: warnings and breaches marked once, on their true time, with escalations."""

from __future__ import annotations

import threading
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection, connections
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from support import clock
from tests import factories
from tickets import services
from tickets.mail.models import OutboundEmail
from tickets.models import EventKind, Priority, Ticket, TicketEvent
from tickets.sla.models import SlaTarget, TargetKind
from tickets.sla.sweep import sla_sweep

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def policy(db):
    return factories.SlaPolicyFactory(
        name="Default",
        is_default=True,
        calendar=factories.BusinessCalendarFactory(always_open=True),
        first_response_minutes=60,
        resolution_minutes=480,
        warning_percent=75,
    )


@pytest.fixture
def lead(team):
    lead = factories.AgentFactory(teams=[team])
    team.lead = lead
    team.save()
    return lead


def make_ticket(customer, team, **kw) -> Ticket:
    with clock.travel(T0):
        return services.ticket_create(
            requester=customer, subject="Down", body="Help", team=team, **kw
        )


def sweep(minutes: float, *, dispatch: bool = True) -> dict[str, int]:
    """Run the sweep at ``minutes`` past T0; its events are then dispatched as after a commit
    (their handler queues the escalation mail), unless ``dispatch=False``."""
    dispatched = TestCase.captureOnCommitCallbacks(execute=True) if dispatch else nullcontext()
    with clock.travel(at(minutes)), dispatched:
        return sla_sweep()


def events(ticket: Ticket, kind: str) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket, kind=kind))


def test_nothing_due_marks_nothing(policy, customer, team):
    make_ticket(customer, team)
    assert sweep(30) == {"breach": 0, "warning": 0}


def test_warning_then_breach_each_once_with_mail_to_assignee(policy, customer, team, agent, lead):
    ticket = make_ticket(customer, team, assignee=agent)
    assert sweep(46) == {"breach": 0, "warning": 1}
    assert sweep(50) == {"breach": 0, "warning": 0}
    warning = OutboundEmail.objects.get(kind="sla_warning")
    assert warning.to == [agent.email]
    assert f"/agent/tickets/{ticket.pk}/" in warning.body_text  # opens the ticket, not the site
    assert SlaTarget.objects.get(ticket=ticket, kind=TargetKind.FIRST_RESPONSE).warned_at == at(45)

    assert sweep(61) == {"breach": 1, "warning": 0}
    assert sweep(62) == {"breach": 0, "warning": 0}
    breach = OutboundEmail.objects.get(kind="sla_breach")
    assert sorted(breach.to) == sorted([agent.email, lead.email])  # breaches also tell the lead
    assert len(events(ticket, EventKind.SLA_WARNING)) == 1
    assert len(events(ticket, EventKind.SLA_BREACHED)) == 1
    assert breach.headers["Auto-Submitted"] == "auto-generated"


def test_the_mail_goes_to_whoever_was_responsible_when_the_clock_was_marked(
    policy, customer, team, agent, lead, other_agent
):
    """The event names them (its handler mails after the commit, when the ticket may already
    have moved on)."""
    ticket = make_ticket(customer, team, assignee=agent)
    with TestCase.captureOnCommitCallbacks() as callbacks:
        assert sweep(46, dispatch=False) == {"breach": 0, "warning": 1}
    services.ticket_assign(
        ticket=ticket, team=other_agent.teams.get(), assignee=other_agent, by=lead
    )
    for callback in callbacks:
        callback()
    warning = OutboundEmail.objects.get(kind="sla_warning")
    assert warning.to == [agent.email]
    assert (
        warning.subject
        == f"[#{ticket.pk}] SLA warning: first response due 2026-06-01 10:00 UTC — Down"
    )


def test_unassigned_ticket_notifies_the_team(policy, customer, team, agent, lead):
    make_ticket(customer, team)
    sweep(46)
    assert sorted(OutboundEmail.objects.get(kind="sla_warning").to) == sorted(
        [agent.email, lead.email]
    )


def test_catch_up_records_the_true_breach_time_and_skips_the_warning_mail(
    policy, customer, team, agent
):
    ticket = make_ticket(customer, team, assignee=agent)
    # The worker was down all day: the first sweep after it returns.
    assert sweep(24 * 60) == {"breach": 2, "warning": 0}
    fr = SlaTarget.objects.get(ticket=ticket, kind=TargetKind.FIRST_RESPONSE)
    assert fr.breached_at == at(60) and fr.warned_at == at(45)
    res = SlaTarget.objects.get(ticket=ticket, kind=TargetKind.RESOLUTION)
    assert res.breached_at == at(480)
    assert not OutboundEmail.objects.filter(kind="sla_warning").exists()
    assert OutboundEmail.objects.filter(kind="sla_breach").count() == 2
    assert "at 2026-06-01T10:00:00+00:00" in events(ticket, EventKind.SLA_BREACHED)[0].new


def test_met_and_paused_clocks_do_not_breach(policy, customer, team, agent):
    ticket = make_ticket(customer, team, assignee=agent)
    with clock.travel(at(10)):
        services.ticket_reply(ticket=ticket, body="Hi", by=agent, status="pending")
    assert sweep(24 * 60) == {"breach": 0, "warning": 0}


def test_a_late_reply_still_meets_a_breached_clock(policy, customer, team, agent):
    ticket = make_ticket(customer, team, assignee=agent)
    sweep(70)
    with clock.travel(at(90)):
        services.ticket_reply(ticket=ticket, body="Sorry", by=agent)
    fr = SlaTarget.objects.get(ticket=ticket, kind=TargetKind.FIRST_RESPONSE)
    assert fr.breached_at == at(60) and fr.met_at == at(90)
    assert fr.business_seconds_taken == 90 * 60


def test_escalation_raises_priority_and_moves_team(policy, customer, team, agent):
    tier2 = factories.TeamFactory(name="Tier 2", members=[factories.AgentFactory()])
    watcher = factories.AgentFactory()
    policy.breach_raise_priority = True
    policy.breach_team = tier2
    policy.save()
    policy.notify.set([watcher])
    ticket = make_ticket(customer, team, assignee=agent)
    sweep(61)
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
    assert ticket.team == tier2 and ticket.assignee is None
    to = OutboundEmail.objects.get(kind="sla_breach").to
    assert agent.email in to and watcher.email in to and tier2.members.get().email in to
    assert len(events(ticket, EventKind.PRIORITY_CHANGED)) == 1
    assert len(events(ticket, EventKind.TEAM_CHANGED)) == 1


def test_warning_escalation_raises_priority(policy, customer, team):
    policy.warning_raise_priority = True
    policy.save()
    ticket = make_ticket(customer, team, priority=Priority.LOW)
    sweep(46)
    ticket.refresh_from_db()
    assert ticket.priority == Priority.NORMAL


def test_a_repeated_mail_is_deduplicated(policy, customer, team, agent):
    """Even if the guard were bypassed, the mail row's dedupe key stops a second mail."""
    ticket = make_ticket(customer, team, assignee=agent)
    sweep(61)
    SlaTarget.objects.filter(ticket=ticket).update(breached_at=None, warned_at=None)
    sweep(61)
    assert OutboundEmail.objects.filter(kind="sla_breach").count() == 1


def test_sweep_reads_due_clocks_through_the_partial_index(policy, customer, team):
    make_ticket(customer, team)
    with CaptureQueriesContext(connection) as queries:
        sweep(30, dispatch=False)
    assert len(queries) == 2  # one for breaches, one for warnings; nothing due


@pytest.mark.postgres
def test_sweep_query_plan_uses_the_index(policy, customer, team):
    make_ticket(customer, team)
    from tickets.sla.sweep import due_for_breach

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql, params = due_for_breach(at(30)).values_list("pk").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "sla_target_breach_due_idx" in plan


@pytest.mark.postgres
def test_warning_candidates_are_listed_from_the_warning_index(policy, customer, team):
    """Listed with "due_at > now" too, PostgreSQL read the breach index at scale (docs/sla.md);
    the listing has just the warning index's own tests."""
    make_ticket(customer, team)
    from tickets.sla.sweep import warning_candidates

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_sort = off")
        sql, params = warning_candidates(at(50)).values_list("pk").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "sla_target_warn_due_idx" in plan and "due_at" not in plan


def test_a_past_due_clock_the_breach_pass_skipped_gets_no_warning(policy, customer, team, agent):
    """The warning pass lists clocks by warning time alone, but marks only those not yet due:
    one the breach pass left (its ticket was locked) is the next sweep's breach, not a warning."""
    from tickets.sla import sweep as sla_sweep_module

    ticket = make_ticket(customer, team, assignee=agent)
    fr = SlaTarget.objects.get(ticket=ticket, kind=TargetKind.FIRST_RESPONSE)
    now = at(90)  # warning at 45, due at 60
    assert fr.pk in set(sla_sweep_module.warning_candidates(now).values_list("pk", flat=True))
    marked = sla_sweep_module._mark_chunk(sla_sweep_module.WARNING, [(fr.pk, ticket.pk)], now)
    assert marked == 0
    fr.refresh_from_db()
    assert fr.warned_at is None and fr.breached_at is None
    assert not OutboundEmail.objects.filter(kind="sla_warning").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_mark_each_breach_once(policy, customer, team, agent):
    tickets = [make_ticket(customer, team, assignee=agent) for _ in range(20)]
    barrier = threading.Barrier(4)
    results: list[dict] = []

    def run():
        try:
            barrier.wait()
            results.append(sweep(24 * 60))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["breach"] for r in results) == 40
    for ticket in tickets:
        assert len(events(ticket, EventKind.SLA_BREACHED)) == 2
    assert OutboundEmail.objects.filter(kind="sla_breach").count() == 40


def test_a_failing_escalation_leaves_only_that_clock_for_the_next_run(
    policy, customer, team, agent, monkeypatch
):
    from tickets.sla import sweep as sweep_module

    policy.breach_raise_priority = True
    policy.save()
    first = make_ticket(customer, team, assignee=agent)
    second = make_ticket(customer, team, assignee=agent)
    real = sweep_module._escalate

    def flaky(ticket, what, pol):
        if ticket.pk == first.pk and what == "breach":
            raise RuntimeError("escalation refused")
        return real(ticket, what, pol)

    monkeypatch.setattr(sweep_module, "_escalate", flaky)
    assert sweep(61) == {"breach": 1, "warning": 0}
    assert not events(first, EventKind.SLA_BREACHED)
    assert len(events(second, EventKind.SLA_BREACHED)) == 1
    monkeypatch.setattr(sweep_module, "_escalate", real)
    assert sweep(62) == {"breach": 1, "warning": 0}
    assert SlaTarget.objects.get(ticket=first, kind="first_response").breached_at == at(60)


def test_a_chunk_costs_the_same_queries_however_many_clocks_it_holds(
    policy, customer, team, agent, lead
):
    """Marks and events (with who is to be told) are written in bulk: 4 due clocks or 12, the
    same statements. The mail is queued after the commit, by the events' handler."""

    def catch_up(n: int) -> int:
        for _ in range(n):
            make_ticket(customer, team, assignee=agent if _ % 2 else None)
        with CaptureQueriesContext(connection) as queries:
            assert sweep(24 * 60, dispatch=False)["breach"] == 2 * n
        return len(queries)

    assert catch_up(2) == catch_up(6)


def test_a_chunk_is_published_with_one_callback_and_its_mail_queued_when_dispatched(
    policy, customer, team, agent, django_capture_on_commit_callbacks
):
    from support.tasks import dispatch_events

    for _ in range(3):
        make_ticket(customer, team, assignee=agent)
    with (
        mock.patch.object(dispatch_events, "delay") as publish,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        assert sweep(24 * 60, dispatch=False) == {"breach": 6, "warning": 0}
    assert len(callbacks) == 1
    table, published = publish.call_args.args
    assert sorted(published) == sorted(
        TicketEvent.objects.filter(kind=EventKind.SLA_BREACHED).values_list("pk", flat=True)
    )
    assert not OutboundEmail.objects.exists()  # nothing is mailed from inside the sweep
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_events.apply(args=[table, published]).get()  # the one task for the chunk
    assert OutboundEmail.objects.filter(kind="sla_breach").count() == 6
    assert not TicketEvent.objects.filter(dispatched_at__isnull=True, kind="sla_breached").exists()
