"""Custom ticket fields: one place checks values (``tickets.fields.services``) for every path
through ``ticket_create`` / ``ticket_update``; each change is an event with a readable
sentence; choices are renamed and retired without rewriting history."""

from __future__ import annotations

import pytest

from support.errors import InvalidChange, NotPermitted, ValidationFailed
from tests import factories
from tickets import services
from tickets.fields.models import FieldKind, TicketField
from tickets.fields.services import field_delete, field_save
from tickets.models import EventKind, Status
from tickets.workspace.presentation import event_sentence

pytestmark = pytest.mark.django_db

BROWSERS = [
    {"value": "firefox", "label": "Firefox"},
    {"value": "chrome", "label": "Chrome"},
    {"value": "ie", "label": "Internet Explorer"},
]


@pytest.fixture
def admin(db):
    return factories.AdminFactory()


@pytest.fixture
def browser_field(admin):
    return field_save(
        field=TicketField(
            key="browser",
            kind=FieldKind.CHOICE,
            label="Browser",
            customer_visible=True,
            customer_editable=True,
        ),
        choices=BROWSERS,
        by=admin,
    )


def _field(admin, key, kind, **extra):
    return field_save(field=TicketField(key=key, kind=kind, label=key.title(), **extra), by=admin)


def test_a_choice_change_is_an_event_that_reads_as_a_sentence(ticket, agent, browser_field):
    services.ticket_update(ticket=ticket, by=agent, changes={"fields": {"browser": "firefox"}})
    services.ticket_update(ticket=ticket, by=agent, changes={"fields": {"browser": "chrome"}})
    ticket.refresh_from_db()
    assert ticket.fields == {"browser": "chrome"}
    events = list(ticket.events.filter(kind=EventKind.FIELD_CHANGED).order_by("id"))
    name = agent.display_name
    assert [event_sentence(e) for e in events] == [
        f"{name} set Browser to Firefox",
        f"{name} changed Browser from Firefox to Chrome",
    ]
    assert events[1].data == {"label": "Browser", "old": "firefox", "new": "chrome"}


def test_renaming_and_retiring_a_choice_rewrites_no_history(ticket, agent, admin, browser_field):
    services.ticket_update(ticket=ticket, by=agent, changes={"fields": {"browser": "ie"}})
    field_save(
        field=browser_field,
        choices=[
            {"value": "firefox", "label": "Mozilla Firefox"},
            {"value": "chrome", "label": "Chrome"},
            {"value": "ie", "label": "Internet Explorer", "retired": True},
        ],
        by=admin,
    )
    event = ticket.events.get(kind=EventKind.FIELD_CHANGED)
    assert event_sentence(event).endswith("set Browser to Internet Explorer")
    ticket.refresh_from_db()
    assert ticket.fields == {"browser": "ie"}  # a retired value stays where it is
    other = factories.TicketFactory(team=ticket.team)
    with pytest.raises(ValidationFailed, match="no longer offered") as error:
        services.ticket_update(ticket=other, by=agent, changes={"fields": {"browser": "ie"}})
    assert error.value.field == "fields.browser"
    services.ticket_update(ticket=other, by=agent, changes={"fields": {"browser": "firefox"}})
    later = other.events.get(kind=EventKind.FIELD_CHANGED)
    assert event_sentence(later).endswith("set Browser to Mozilla Firefox")


@pytest.mark.parametrize(
    ("kind", "extra", "good", "stored", "bad"),
    [
        (FieldKind.NUMBER, {}, "42", 42, "4.2"),
        (FieldKind.DECIMAL, {}, "19,90", "19.90", "cheap"),
        (FieldKind.CHECKBOX, {}, "on", True, "maybe"),
        (FieldKind.DATE, {}, "2026-03-01", "2026-03-01", "1 March"),
        (FieldKind.TEXT, {}, " Order 7 ", "Order 7", 7),
        (FieldKind.PATTERN, {"pattern": r"INV-\d{4}"}, "INV-1042", "INV-1042", "INV-12"),
    ],
)
def test_each_kind_checks_its_values(ticket, agent, admin, kind, extra, good, stored, bad):
    _field(admin, "thing", kind, **extra)
    services.ticket_update(ticket=ticket, by=agent, changes={"fields": {"thing": good}})
    ticket.refresh_from_db()
    assert ticket.fields["thing"] == stored
    with pytest.raises(ValidationFailed) as error:
        services.ticket_update(ticket=ticket, by=agent, changes={"fields": {"thing": bad}})
    assert error.value.field == "fields.thing"


def test_multi_choice_keeps_order_and_refuses_unknown(ticket, agent, admin):
    field_save(
        field=TicketField(key="os", kind=FieldKind.MULTI_CHOICE, label="OS"),
        choices=[{"value": "mac", "label": "macOS"}, {"value": "linux", "label": "Linux"}],
        by=admin,
    )
    services.ticket_update(ticket=ticket, by=agent, changes={"fields": {"os": ["linux", "mac"]}})
    ticket.refresh_from_db()
    assert ticket.fields["os"] == ["linux", "mac"]
    with pytest.raises(ValidationFailed, match="“beos” is not one of the choices"):
        services.ticket_update(ticket=ticket, by=agent, changes={"fields": {"os": ["beos"]}})


def test_unknown_fields_and_customer_limits(ticket, browser_field, admin):
    _field(admin, "plan", FieldKind.TEXT)  # agents only
    customer = ticket.requester
    with pytest.raises(ValidationFailed, match="no field “colour”"):
        services.ticket_update(
            ticket=ticket, by=factories.AgentFactory(), changes={"fields": {"colour": "red"}}
        )
    services.ticket_update(ticket=ticket, by=customer, changes={"fields": {"browser": "chrome"}})
    with pytest.raises(NotPermitted, match="Plan can't be changed by customers"):
        services.ticket_update(ticket=ticket, by=customer, changes={"fields": {"plan": "gold"}})


def test_required_on_submit_and_on_solve(customer, agent, team, admin, browser_field):
    browser_field.required_on_submit = True
    field_save(field=browser_field, by=admin)
    _field(admin, "root_cause", FieldKind.TEXT, required_on_solve=True)
    with pytest.raises(ValidationFailed, match="Fill in Browser to send the request"):
        services.ticket_create(requester=customer, by=customer, subject="Hi", body="x")
    ticket = services.ticket_create(
        requester=customer, by=customer, subject="Hi", body="x", fields={"browser": "chrome"}
    )
    with pytest.raises(ValidationFailed, match="Fill in Root_Cause to solve the ticket"):
        services.ticket_change_status(ticket=ticket, status=Status.SOLVED, by=agent)
    services.ticket_update(
        ticket=ticket,
        by=agent,
        changes={"fields": {"root_cause": "Cache"}, "status": Status.SOLVED},
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED


def test_a_field_tickets_use_is_not_deleted(ticket, agent, admin, browser_field):
    services.ticket_update(ticket=ticket, by=agent, changes={"fields": {"browser": "chrome"}})
    with pytest.raises(InvalidChange, match="has a value on 1 ticket: archive it instead"):
        field_delete(field=browser_field, by=admin)


def test_a_kind_never_changes_and_a_bad_pattern_is_refused(admin, browser_field):
    browser_field.kind = FieldKind.TEXT
    with pytest.raises(InvalidChange):
        field_save(field=browser_field, by=admin)
    with pytest.raises(ValidationFailed, match="pattern is not valid"):
        _field(admin, "ref", FieldKind.PATTERN, pattern="(")
