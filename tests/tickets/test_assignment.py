"""Auto-assignment: round robin, least open tickets, capacity and online, waiting tickets handed
out when someone is free, tickets of away agents returned to the team."""

from datetime import timedelta

import pytest

from accounts.models import AssignmentMode, Availability
from accounts.services import agent_heartbeat, agent_set_availability
from support import clock
from tests import factories
from tickets import services
from tickets.assignment.services import assign_waiting, return_from_away
from tickets.assignment.tasks import sweep_assignment
from tickets.models import EventKind, Status, Ticket
from tickets.workspace.presentation import event_sentence

pytestmark = pytest.mark.django_db


def online(team, n=1, **fields):
    fields = {"availability": Availability.ONLINE, **fields}
    return [factories.AgentFactory(teams=[team], **fields) for _ in range(n)]


@pytest.fixture
def rr_team():
    return factories.TeamFactory(name="Billing", assignment_mode=AssignmentMode.ROUND_ROBIN)


def new_ticket(customer, team, subject="Help"):
    return services.ticket_create(requester=customer, subject=subject, body="x", team=team)


def test_round_robin_rotates_through_the_online_members(rr_team, customer):
    a, b, c = online(rr_team, 3)
    assignees = [new_ticket(customer, rr_team).assignee for _ in range(6)]
    assert assignees == [a, b, c, a, b, c]


def test_the_assignment_is_attributed_to_the_team_s_rule(rr_team, customer):
    (agent,) = online(rr_team)
    ticket = new_ticket(customer, rr_team)
    event = ticket.events.get(kind=EventKind.ASSIGNEE_CHANGED)
    assert event.actor is None and event.new == agent.display_name
    assert event.data == {
        "rule": {"kind": "assignment", "id": rr_team.pk, "name": "Round robin (Billing)"}
    }
    sentence = event_sentence(event)
    assert (
        sentence == f"Auto-assignment “Round robin (Billing)” assigned this to {agent.display_name}"
    ), sentence


def test_least_open_picks_the_least_loaded_member(customer):
    team = factories.TeamFactory(assignment_mode=AssignmentMode.LEAST_OPEN)
    busy, idle = online(team, 2)
    for _ in range(3):
        factories.TicketFactory(team=team, assignee=busy, status=Status.OPEN)
    factories.TicketFactory(team=team, assignee=idle, status=Status.OPEN)
    factories.TicketFactory(team=team, assignee=idle, status=Status.SOLVED, solved_at=clock.now())
    picks = [new_ticket(customer, team).assignee for _ in range(3)]
    # idle has 1 open and takes two; then both have 3 and the turn passes idle: busy.
    assert picks == [idle, idle, busy]
    assert Ticket.objects.filter(assignee=busy).open().count() == 4
    assert Ticket.objects.filter(assignee=idle).open().count() == 3


def test_only_online_members_under_capacity_are_picked(rr_team, customer):
    factories.AgentFactory(teams=[rr_team], availability=Availability.AWAY)
    factories.AgentFactory(teams=[rr_team], availability=Availability.OFFLINE)
    (full,) = online(rr_team, capacity=1)
    factories.TicketFactory(team=rr_team, assignee=full, status=Status.OPEN)
    factories.AgentFactory(availability=Availability.ONLINE)  # online, but not in the team
    (free,) = online(rr_team, capacity=2)
    assert [new_ticket(customer, rr_team).assignee for _ in range(2)] == [free, free]
    assert new_ticket(customer, rr_team).assignee is None  # free is full now too


def test_a_team_that_is_off_assigns_nothing(customer):
    team = factories.TeamFactory()
    online(team)
    assert new_ticket(customer, team).assignee is None


def test_nobody_free_the_ticket_waits_then_coming_online_assigns_oldest_first(
    rr_team, customer, django_capture_on_commit_callbacks
):
    (agent,) = factories.AgentFactory.create_batch(1, teams=[rr_team], capacity=2)
    first, second, third = (new_ticket(customer, rr_team, s) for s in ("1", "2", "3"))
    assert not Ticket.objects.filter(assignee__isnull=False).exists()
    with django_capture_on_commit_callbacks(execute=True):
        agent_set_availability(agent=agent, availability=Availability.ONLINE)
    assert [t.assignee for t in Ticket.objects.order_by("pk")] == [agent, agent, None]
    assert third.pk == Ticket.objects.get(assignee__isnull=True).pk
    assert {first.pk, second.pk} == set(agent.assigned_tickets.values_list("pk", flat=True))


def test_solving_a_ticket_frees_the_agent_for_the_next_waiting_one(
    rr_team, customer, django_capture_on_commit_callbacks
):
    (agent,) = online(rr_team, capacity=1)
    first = new_ticket(customer, rr_team, "first")
    waiting = new_ticket(customer, rr_team, "waiting")
    assert first.assignee == agent and waiting.assignee is None
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_update(ticket=first, by=agent, changes={"status": Status.SOLVED})
    waiting.refresh_from_db()
    assert waiting.assignee == agent


def test_unassigning_or_moving_a_ticket_to_the_team_assigns_it(rr_team, customer):
    a, b = online(rr_team, 2)
    other = factories.TeamFactory()
    ticket = new_ticket(customer, other)
    assert ticket.assignee is None
    services.ticket_update(ticket=ticket, by=None, changes={"team": rr_team})
    assert ticket.assignee == a
    services.ticket_update(ticket=ticket, by=a, changes={"assignee": None})
    assert ticket.assignee == b


def test_the_sweep_is_idempotent_and_respects_capacity(rr_team, customer):
    for n in range(3):
        new_ticket(customer, rr_team, str(n))
    online(rr_team, capacity=2)
    assert assign_waiting() == 2
    assert assign_waiting() == 0
    assert Ticket.objects.filter(assignee__isnull=True).count() == 1


def test_tickets_of_an_agent_away_too_long_return_to_the_team_and_are_reassigned(customer):
    team = factories.TeamFactory(
        name="Sales", assignment_mode=AssignmentMode.ROUND_ROBIN, return_after_minutes=30
    )
    leaving, staying = online(team, 2)
    start = clock.now()
    with clock.travel(start):
        ticket = new_ticket(customer, team)
        assert ticket.assignee == leaving
        agent_set_availability(agent=leaving, availability=Availability.AWAY)
    with clock.travel(start + timedelta(minutes=29)):
        assert return_from_away() == 0
    with clock.travel(start + timedelta(minutes=30)):
        agent_heartbeat(agent=staying)  # her workspace is open
    with clock.travel(start + timedelta(minutes=31)):
        assert sweep_assignment() == {"expired": 0, "returned": 1, "assigned": 0}
    ticket.refresh_from_db()
    assert ticket.assignee == staying
    changes = list(ticket.events.filter(kind=EventKind.ASSIGNEE_CHANGED).order_by("pk"))
    assert [(e.old, e.new) for e in changes] == [
        ("", leaving.display_name),
        (leaving.display_name, ""),
        ("", staying.display_name),
    ]
    assert all(e.data["rule"]["name"] == "Round robin (Sales)" for e in changes)


def test_tickets_are_never_returned_when_the_team_says_so(rr_team, customer):
    (agent,) = online(rr_team)
    ticket = new_ticket(customer, rr_team)
    agent_set_availability(agent=agent, availability=Availability.OFFLINE)
    with clock.travel(clock.now() + timedelta(days=3)):
        assert return_from_away() == 0
    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_availability_change_time_is_kept(agent):
    before = agent.availability_changed_at
    moment = clock.now() + timedelta(hours=1)
    with clock.travel(moment):
        agent_set_availability(agent=agent, availability=Availability.ONLINE)
    agent.refresh_from_db()
    assert agent.availability == Availability.ONLINE
    assert agent.availability_changed_at == moment != before


def test_a_failing_assignment_is_logged_and_the_change_still_commits(
    rr_team, customer, monkeypatch, caplog
):
    online(rr_team)

    def broken(ticket):
        raise RuntimeError("boom")

    monkeypatch.setattr("tickets.assignment.services.assign", broken)
    ticket = new_ticket(customer, rr_team)
    assert Ticket.objects.filter(pk=ticket.pk, assignee__isnull=True).exists()
    assert f"Auto-assignment of ticket {ticket.pk} failed" in caplog.text


def test_reassigning_a_ticket_away_frees_the_agent_for_a_waiting_one(
    rr_team, customer, django_capture_on_commit_callbacks
):
    (agent,) = online(rr_team, capacity=1)
    colleague = factories.AgentFactory(teams=[rr_team])  # offline: never picked
    first = new_ticket(customer, rr_team, "first")
    waiting = new_ticket(customer, rr_team, "waiting")
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_update(ticket=first, by=agent, changes={"assignee": colleague})
    waiting.refresh_from_db()
    assert (first.assignee, waiting.assignee) == (colleague, agent)


def test_a_ticket_routed_by_an_earlier_hook_through_another_instance_is_assigned(rr_team, customer):
    from tickets import events

    (agent,) = online(rr_team)

    def route(change):
        for ticket in change.tickets():
            if ticket.team_id is None:
                fresh = Ticket.objects.get(pk=ticket.pk)  # not the instance the change holds
                services.ticket_update(ticket=fresh, by=None, changes={"team": rr_team})

    events._hooks.insert(0, route)
    try:
        ticket = services.ticket_create(requester=customer, subject="Unrouted", body="x")
    finally:
        events._hooks.remove(route)
    assert Ticket.objects.get(pk=ticket.pk).assignee == agent
