"""``ticket_update``: any set of field changes as one change, checked before anything is written."""

import pytest

from support.errors import InvalidChange, NotPermitted, ValidationFailed
from tests import factories
from tickets import services
from tickets.models import EventKind, Priority, Status, TicketType

pytestmark = pytest.mark.django_db


def kinds(ticket):
    return list(ticket.events.order_by("id").values_list("kind", flat=True))


@pytest.fixture
def ticket(customer):
    return services.ticket_create(requester=customer, subject="Export fails", body="It stops.")


def test_many_fields_in_one_call_each_with_its_event_and_status_last(ticket, agent):
    team = factories.TeamFactory()
    team.members.add(agent)
    services.ticket_update(
        ticket=ticket,
        by=agent,
        changes={
            "status": Status.SOLVED,
            "subject": "Export fails on Safari",
            "priority": Priority.HIGH,
            "type": TicketType.INCIDENT,
            "team": team,
            "assignee": agent,
            "tags": ["safari", "export"],
            "followers_add": [agent],
        },
    )
    ticket.refresh_from_db()
    assert (ticket.subject, ticket.priority, ticket.type, ticket.status) == (
        "Export fails on Safari",
        Priority.HIGH,
        TicketType.INCIDENT,
        Status.SOLVED,
    )
    assert (ticket.team, ticket.assignee) == (team, agent)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["export", "safari"]
    assert list(ticket.followers.all()) == [agent]
    assert kinds(ticket) == [
        EventKind.CREATED,
        EventKind.SUBJECT_CHANGED,
        EventKind.PRIORITY_CHANGED,
        EventKind.TYPE_CHANGED,
        EventKind.TEAM_CHANGED,
        EventKind.ASSIGNEE_CHANGED,
        EventKind.TAG_ADDED,
        EventKind.TAG_ADDED,
        EventKind.FOLLOWER_ADDED,
        EventKind.STATUS_CHANGED,
    ]


def test_one_bad_value_writes_nothing(ticket, agent):
    with pytest.raises(ValidationFailed, match="not a valid tag"):
        services.ticket_update(
            ticket=ticket, by=agent, changes={"priority": Priority.HIGH, "tags": ["no good!"]}
        )
    ticket.refresh_from_db()
    assert ticket.priority == Priority.NORMAL and kinds(ticket) == [EventKind.CREATED]


def test_the_whole_tag_set_replaces_the_tags(ticket, agent):
    services.ticket_update(ticket=ticket, by=agent, changes={"tags": ["a", "b"]})
    services.ticket_update(ticket=ticket, by=agent, changes={"tags": ["b", "c"]})
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["b", "c"]


def test_values_equal_to_the_current_ones_are_no_change(ticket, agent):
    services.ticket_update(
        ticket=ticket,
        by=agent,
        changes={"status": Status.NEW, "priority": Priority.NORMAL, "team": None, "tags": []},
    )
    assert kinds(ticket) == [EventKind.CREATED]


def test_a_customer_may_only_solve_or_reopen(ticket, customer):
    with pytest.raises(NotPermitted):
        services.ticket_update(ticket=ticket, by=customer, changes={"priority": Priority.HIGH})
    with pytest.raises(ValidationFailed, match="Customers can only mark a ticket solved"):
        services.ticket_update(ticket=ticket, by=customer, changes={"status": Status.PENDING})
    services.ticket_update(ticket=ticket, by=customer, changes={"status": Status.SOLVED})
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED


def test_another_customer_is_refused(ticket):
    stranger = factories.CustomerFactory()
    with pytest.raises(NotPermitted):
        services.ticket_update(ticket=ticket, by=stranger, changes={"status": Status.SOLVED})


def test_unknown_fields_are_refused(ticket, agent):
    with pytest.raises(ValidationFailed, match="requester can't be changed"):
        services.ticket_update(ticket=ticket, by=agent, changes={"requester": None})


def test_a_closed_ticket_takes_no_field_change(ticket, agent):
    services.ticket_change_status(ticket=ticket, status=Status.SOLVED, by=agent)
    services.ticket_change_status(ticket=ticket, status=Status.CLOSED, by=agent)
    with pytest.raises(InvalidChange, match="closed ticket can't be changed"):
        services.ticket_update(ticket=ticket, by=agent, changes={"priority": Priority.HIGH})
    with pytest.raises(InvalidChange, match="can't be retagged"):
        services.ticket_update(ticket=ticket, by=agent, changes={"tags_add": ["x"]})
