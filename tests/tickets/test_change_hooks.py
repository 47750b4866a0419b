"""Change hooks: what routing and triggers stand on. The outermost service call hands its events
to the hooks inside its transaction; what the hooks do joins the same change."""

import pytest

from support.errors import ValidationFailed
from tests import factories
from tickets import events, services
from tickets.models import EventKind, Priority, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def hook():
    seen = []

    def record(change):
        seen.append([e.kind for e in change.events])

    events.on_change(record)
    yield seen
    events._hooks.remove(record)


def test_the_outermost_call_hands_every_event_to_the_hooks_once(hook, customer, agent):
    ticket = services.ticket_create(requester=customer, subject="Export", body="x")
    services.ticket_update(ticket=ticket, by=agent, changes={"priority": "high", "tags": ["a"]})
    assert hook == [
        [EventKind.CREATED],
        [EventKind.PRIORITY_CHANGED, EventKind.TAG_ADDED],
    ]


def test_a_hook_acts_through_the_services_and_its_events_join_the_change(customer):
    seen = []

    def escalate(change):
        seen.append([e.kind for e in change.events])
        for ticket in change.tickets():
            if ticket.priority != Priority.URGENT:
                with events.acting_for({"kind": "trigger", "id": 7, "name": "VIP"}):
                    services.ticket_update(ticket=ticket, by=None, changes={"priority": "urgent"})
        seen.append([e.kind for e in change.events])

    events.on_change(escalate)
    try:
        ticket = services.ticket_create(requester=customer, subject="VIP", body="x")
    finally:
        events._hooks.remove(escalate)
    assert seen == [[EventKind.CREATED], [EventKind.CREATED, EventKind.PRIORITY_CHANGED]]
    changed = ticket.events.get(kind=EventKind.PRIORITY_CHANGED)
    assert changed.data == {"rule": {"kind": "trigger", "id": 7, "name": "VIP"}}
    assert ticket.events.get(kind=EventKind.CREATED).data is None


def test_a_hook_that_refuses_rolls_the_whole_change_back(customer):
    def refuse(change):
        raise ValidationFailed("No.")

    events.on_change(refuse)
    try:
        with pytest.raises(ValidationFailed):
            services.ticket_create(requester=customer, subject="Gone", body="x")
    finally:
        events._hooks.remove(refuse)
    assert not Ticket.objects.exists()


def test_no_hook_runs_while_history_is_imported(hook, customer):
    with events.suppressed():
        services.ticket_create(requester=customer, subject="Old", body="x")
    assert hook == []


def test_nested_services_make_one_change(hook, customer, agent):
    factories.TeamFactory()
    ticket = services.ticket_create(requester=customer, subject="Export", body="x")
    services.ticket_reply(ticket=ticket, body="On it", by=agent, status="pending")
    assert hook[-1] == [EventKind.REPLIED, EventKind.STATUS_CHANGED]
