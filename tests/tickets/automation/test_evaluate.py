"""Conditions evaluated in memory against the ticket, the change's events and the actor."""

import datetime as dt

import pytest

from support import clock
from tests import factories
from tickets.automation.evaluate import Facts, conditions_hold
from tickets.models import EventKind, TicketEvent

pytestmark = pytest.mark.django_db


def holds(facts, *conds, group="all") -> bool:
    return conditions_hold(facts, {group: list(conds)})


def c(field, operator, value=None):
    return {"field": field, "operator": operator, "value": value}


@pytest.fixture
def ticket(team, customer):
    customer.email = "ana@vip.example"
    customer.save()
    return factories.TicketFactory(
        requester=customer, team=team, priority="high", subject="Refund for order 7"
    )


def test_is_and_is_not(ticket, team):
    facts = Facts(ticket, [])
    assert holds(facts, c("priority", "is", "high"), c("team", "is", team.pk))
    assert not holds(facts, c("priority", "is_not", "high"))
    assert holds(facts, c("assignee", "is", None))
    assert holds(facts, c("requester_domain", "is", "VIP.example"))
    assert holds(facts, c("event", "is", "updated"))


def test_any_group_needs_one(ticket):
    facts = Facts(ticket, [])
    assert holds(facts, c("priority", "is", "low"), c("channel", "is", ticket.channel), group="any")
    assert not holds(facts, c("priority", "is", "low"), group="any")


def test_text_operators_ignore_case(ticket):
    facts = Facts(ticket, [])
    assert holds(facts, c("subject", "contains", "REFUND"))
    assert holds(facts, c("subject", "not_contains", "invoice"))


def test_order_operators(ticket):
    facts = Facts(ticket, [])
    assert holds(facts, c("priority", "greater_than", "normal"))
    assert holds(facts, c("priority", "less_than", "urgent"))
    assert not holds(facts, c("priority", "less_than", "high"))


def test_changes_come_from_the_events(ticket, agent):
    events = [
        TicketEvent(
            ticket=ticket,
            kind=EventKind.PRIORITY_CHANGED,
            field="priority",
            old="normal",
            new="high",
            actor=agent,
        )
    ]
    facts = Facts(ticket, events)
    assert holds(facts, c("priority", "changed"))
    assert holds(facts, c("priority", "changed_to", "high"))
    assert holds(facts, c("priority", "changed_from", "normal"))
    assert not holds(facts, c("priority", "changed_from", "low"))
    assert not holds(facts, c("status", "changed"))
    assert holds(facts, c("actor", "is", "agent"))


def test_a_new_ticket_counts_its_first_values_as_changed_to(ticket, customer):
    facts = Facts(
        ticket, [TicketEvent(ticket=ticket, kind=EventKind.CREATED, actor_customer=customer)]
    )
    assert holds(facts, c("event", "is", "created"), c("priority", "changed_to", "high"))
    assert holds(facts, c("actor", "is", "customer"))


def test_tags_and_message(ticket):
    ticket.tags.add(factories.TagFactory(name="vip"))
    factories.MessageFactory(ticket=ticket, body_text="Please refund me")
    facts = Facts(ticket, [])
    assert holds(facts, c("tags", "contains", "VIP"), c("message", "contains", "refund"))


def test_business_hours(ticket):
    calendar = factories.BusinessCalendarFactory(
        time_zone="UTC", hours={"mon": [["09:00", "17:00"]]}, always_open=False
    )
    facts = Facts(ticket, [], calendars={calendar.pk: calendar.as_calendar()})
    monday_noon = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
    with clock.travel(monday_noon):
        assert holds(facts, c("business_hours", "is", calendar.pk))
    with clock.travel(monday_noon + dt.timedelta(hours=8)):
        assert holds(facts, c("business_hours", "is_not", calendar.pk))
