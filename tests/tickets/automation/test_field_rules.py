"""Rules on ticket custom fields (``tickets.automation.field_rules``): ``field.<key>``
conditions in routing rules, triggers and automations, compiled and interpreted alike, checked
when saved; the ``set_field`` action through ``ticket_update``."""

import datetime as dt

import pytest

from portal.services import ticket_submit
from support.errors import ValidationFailed
from tests import factories
from tickets import services
from tickets.automation import services as rule_services
from tickets.automation.compiled import compile_conditions
from tickets.automation.evaluate import Facts, conditions_hold
from tickets.automation.models import Automation
from tickets.automation.schema import RuleError, refires_itself, validate_rule
from tickets.automation.sweep import automations_sweep, candidates_query
from tickets.models import EventKind, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def c(field, operator, value=None):
    cond = {"field": field, "operator": operator}
    if value is not None:
        cond["value"] = value
    return cond


@pytest.fixture
def fields(db):
    return {
        "browser": factories.TicketFieldFactory(
            key="browser", kind="choice", choices=["safari", "chrome", "firefox"]
        ),
        "os": factories.TicketFieldFactory(key="os", kind="multi_choice", choices=["mac", "ios"]),
        "seats": factories.TicketFieldFactory(key="seats", kind="number"),
        "amount": factories.TicketFieldFactory(key="amount", kind="decimal"),
        "renewal": factories.TicketFieldFactory(key="renewal", kind="date"),
        "order": factories.TicketFieldFactory(key="order", kind="text"),
        "vip": factories.TicketFieldFactory(key="vip", kind="checkbox"),
    }


@pytest.fixture
def valued(ticket, fields):
    ticket.fields = {
        "browser": "safari",
        "os": ["mac"],
        "seats": 12,
        "amount": "99.50",
        "renewal": "2026-03-01",
        "order": "AB-1234",
        "vip": True,
    }
    ticket.save()
    return ticket


# Each condition with whether it holds for ``valued``.
CASES = [
    (c("field.browser", "is", "safari"), True),
    (c("field.browser", "is", "chrome"), False),
    (c("field.browser", "is_not", "chrome"), True),
    (c("field.browser", "is_set"), True),
    (c("field.browser", "not_set"), False),
    (c("field.os", "contains", "mac"), True),
    (c("field.os", "contains", "ios"), False),
    (c("field.os", "not_contains", "ios"), True),
    (c("field.seats", "greater_than", 10), True),
    (c("field.seats", "greater_than", "12"), False),
    (c("field.seats", "less_than", 13), True),
    (c("field.seats", "is", "12"), True),
    (c("field.amount", "greater_than", "99.4"), True),
    (c("field.amount", "is", "99.5"), True),
    (c("field.amount", "less_than", 99), False),
    (c("field.renewal", "less_than", "2026-04-01"), True),
    (c("field.renewal", "greater_than", "2026-03-01"), False),
    (c("field.renewal", "is", "2026-03-01"), True),
    (c("field.order", "is", "ab-1234"), True),
    (c("field.order", "contains", "b-12"), True),
    (c("field.order", "not_contains", "AB"), False),
    (c("field.order", "is_not", "AB-1234"), False),
    (c("field.vip", "is_set"), True),
    (c("field.vip", "not_set"), False),
]


@pytest.mark.parametrize(("cond", "expected"), CASES, ids=lambda v: str(v))
def test_a_field_condition_holds_compiled_and_interpreted(valued, cond, expected):
    conditions, _ = validate_rule({"all": [cond]}, [{"action": "add_tags", "value": "x"}])
    facts = Facts(valued, [])
    assert conditions_hold(facts, conditions) is expected
    assert compile_conditions(conditions)(facts) is expected


def test_a_ticket_without_the_value_is_never_greater_or_less(ticket, fields):
    for operator in ("greater_than", "less_than"):
        conditions, _ = validate_rule(
            {"all": [c("field.seats", operator, 1)]}, [{"action": "add_tags", "value": "x"}]
        )
        assert not compile_conditions(conditions)(Facts(ticket, []))
    conditions, _ = validate_rule(
        {"all": [c("field.seats", "not_set")]}, [{"action": "add_tags", "value": "x"}]
    )
    assert compile_conditions(conditions)(Facts(ticket, []))


def test_the_value_is_stored_as_the_ticket_stores_it(fields):
    conditions, _ = validate_rule(
        {
            "all": [
                c("field.seats", "greater_than", " 5"),
                c("field.renewal", "is", "2026-3-01".replace("3-01", "03-01")),
                c("field.amount", "less_than", "1,5"),
            ]
        },
        [{"action": "add_tags", "value": "x"}],
    )
    assert [x["value"] for x in conditions["all"]] == [5, "2026-03-01", "1.5"]


@pytest.mark.parametrize(
    ("cond", "where", "message"),
    [
        (c("field.nope", "is", "x"), "conditions.all[0].field", "no ticket field “nope”"),
        (c("field.browser", "is", "opera"), "conditions.all[0].value", "not one of the choices"),
        (c("field.browser", "contains", "saf"), "conditions.all[0].operator", "is, is_not"),
        (c("field.seats", "greater_than", "many"), "conditions.all[0].value", "whole number"),
        (c("field.renewal", "less_than", "soon"), "conditions.all[0].value", "not a date"),
        (c("field.order", "is", ""), "conditions.all[0].value", "give some text"),
        (c("field.vip", "is", True), "conditions.all[0].operator", "is_set, not_set"),
        (c("field.os", "contains", ["mac", "ios"]), "conditions.all[0].value", "one value"),
    ],
)
def test_a_bad_field_condition_is_refused_naming_the_place(fields, cond, where, message):
    with pytest.raises(RuleError, match=message) as info:
        validate_rule({"all": [cond]}, [{"action": "add_tags", "value": "x"}])
    assert info.value.field == where


def test_a_retired_choice_can_still_be_a_condition_but_not_set(fields):
    fields["browser"].choices.filter(value="firefox").update(retired=True)
    fields["browser"].save()  # drops the fields cache
    validate_rule(
        {"all": [c("field.browser", "is", "firefox")]}, [{"action": "add_tags", "value": "x"}]
    )
    with pytest.raises(RuleError, match="no longer offered") as info:
        validate_rule(
            {}, [{"action": "set_field", "value": {"field": "browser", "value": "firefox"}}]
        )
    assert info.value.field == "actions[0].value.value"


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ({"field": "nope", "value": "x"}, "actions[0].value.field"),
        ({"field": "seats", "value": "lots"}, "actions[0].value.value"),
        ("browser=safari", "actions[0].value"),
        ({"field": "browser", "value": "safari", "extra": 1}, "actions[0].value"),
    ],
)
def test_a_bad_set_field_action_is_refused(fields, value, where):
    with pytest.raises(RuleError) as info:
        validate_rule({}, [{"action": "set_field", "value": value}])
    assert info.value.field == where


def test_the_trigger_sets_tags_and_priority_when_a_portal_request_names_safari(
    trigger, fields, customer
):
    """The issue's example: "if field browser is Safari, add tag safari and set priority high"."""
    trigger(
        "Safari",
        {"all": [c("field.browser", "is", "safari")]},
        [{"action": "add_tags", "value": "safari"}, {"action": "set_priority", "value": "high"}],
    )
    fields["browser"].customer_editable = True
    fields["browser"].save()
    safari = ticket_submit(
        customer=customer, subject="Blank page", body="x", fields={"browser": "safari"}
    )
    chrome = ticket_submit(
        customer=customer, subject="Blank page", body="x", fields={"browser": "chrome"}
    )
    safari.refresh_from_db()
    chrome.refresh_from_db()
    assert (safari.priority, list(safari.tags.values_list("name", flat=True))) == (
        "high",
        ["safari"],
    )
    assert chrome.priority != "high" and not chrome.tags.exists()


def test_a_trigger_sets_a_field_through_ticket_update(trigger, fields, ticket, agent):
    trigger(
        "Big accounts",
        {"all": [c("field.seats", "greater_than", 100)]},
        [{"action": "set_field", "value": {"field": "vip", "value": True}}],
    )
    services.ticket_update(ticket=ticket, by=agent, changes={"fields": {"seats": 250}})
    ticket.refresh_from_db()
    assert ticket.fields == {"seats": 250, "vip": True}
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.FIELD_CHANGED, field="vip")
    assert event.new == "Yes"
    assert event.data["rule"]["name"] == "Big accounts"  # attributed to the trigger


def test_a_field_changed_condition_fires_on_that_fields_change_only(trigger, fields, ticket, agent):
    trigger(
        "Browser changed",
        {"all": [c("field.browser", "changed"), c("field.browser", "is", "chrome")]},
        [{"action": "add_tags", "value": "moved-to-chrome"}],
    )
    services.ticket_update(ticket=ticket, by=agent, changes={"fields": {"seats": 3}})
    assert not ticket.tags.exists()
    services.ticket_update(ticket=ticket, by=agent, changes={"fields": {"browser": "chrome"}})
    assert list(ticket.tags.values_list("name", flat=True)) == ["moved-to-chrome"]


def test_a_trigger_setting_the_field_its_change_condition_reads_refires_itself(fields):
    conditions = {"all": [c("field.browser", "changed")]}
    actions = [{"action": "set_field", "value": {"field": "browser", "value": "chrome"}}]
    validate_rule(conditions, actions)  # taken: it fires once per change, it can't loop
    assert refires_itself(conditions, actions)


def test_a_routing_rule_routes_and_sets_a_field(routing_rule, general, billing, fields, customer):
    fields["seats"].customer_editable = True
    fields["seats"].save()
    routing_rule(
        "Large accounts",
        {"all": [c("field.seats", "greater_than", 50)]},
        [
            {"action": "set_team", "value": billing.pk},
            {"action": "set_field", "value": {"field": "browser", "value": "chrome"}},
        ],
    )
    big = ticket_submit(customer=customer, subject="Hi", body="x", fields={"seats": "80"})
    small = ticket_submit(customer=customer, subject="Hi", body="x", fields={"seats": "8"})
    big.refresh_from_db()
    small.refresh_from_db()
    assert (big.team, big.fields["browser"]) == (billing, "chrome")
    assert small.team == general and "browser" not in small.fields


def test_a_set_field_that_fails_rolls_back_that_rule_alone(trigger, fields, ticket, agent):
    trigger(
        "Sets an archived field",
        {"all": [c("field.seats", "is_set")]},
        [{"action": "set_field", "value": {"field": "order", "value": "X-1"}}],
    )
    trigger("Tags", {"all": [c("field.seats", "is_set")]}, [{"action": "add_tags", "value": "t"}])
    fields["order"].active = False
    fields["order"].save()
    services.ticket_update(ticket=ticket, by=agent, changes={"fields": {"seats": 3}})
    ticket.refresh_from_db()
    assert ticket.fields == {"seats": 3}
    assert list(ticket.tags.values_list("name", flat=True)) == ["t"]
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.RULE_FAILED).exists()


def test_rule_save_names_the_field_in_the_error(fields):
    with pytest.raises(ValidationFailed) as info:
        rule_services.rule_save(
            Automation(),
            name="x",
            conditions={
                "all": [
                    c("hours_since_created", "greater_than", 1),
                    c("field.browser", "changed"),
                ]
            },
            actions=[{"action": "add_tags", "value": "x"}],
        )
    assert info.value.field == "conditions.all[1].operator"


def test_an_automation_on_a_field_narrows_its_query_and_acts(fields, customer, settings):
    now = dt.datetime(2026, 5, 4, 12, tzinfo=dt.UTC)
    old = now - dt.timedelta(hours=30)
    on_safari = factories.TicketFactory(requester=customer, created_at=old)
    on_chrome = factories.TicketFactory(requester=customer, created_at=old)
    Ticket.objects.filter(pk=on_safari.pk).update(fields={"browser": "safari", "vip": True})
    Ticket.objects.filter(pk=on_chrome.pk).update(fields={"browser": "chrome"})
    automation = rule_services.rule_save(
        Automation(),
        name="Old Safari tickets",
        conditions={
            "all": [
                c("hours_since_created", "greater_than", 24),
                c("field.browser", "is", "safari"),
                c("field.vip", "is_set"),
            ]
        },
        actions=[{"action": "add_tags", "value": "old-safari"}],
    )
    query, _ = candidates_query(automation, now)
    assert list(query.values_list("pk", flat=True)) == [on_safari.pk]
    automations_sweep(now)
    assert list(on_safari.tags.values_list("name", flat=True)) == ["old-safari"]
    assert not on_chrome.tags.exists()


@pytest.mark.parametrize(
    ("cond", "before", "after", "expected"),
    [
        (c("field.browser", "changed_to", "chrome"), "firefox", "chrome", True),
        (c("field.browser", "changed_to", "chrome"), "chrome", "safari", False),
        (c("field.browser", "changed_to", "chrome"), None, "chrome", True),
        (c("field.browser", "changed_from", "firefox"), "firefox", "chrome", True),
        (c("field.browser", "changed_from", "firefox"), "chrome", "safari", False),
        (c("field.browser", "changed_from", "firefox"), "firefox", None, True),
        (c("field.os", "changed_to", "ios"), ["mac"], ["mac", "ios"], True),
        (c("field.os", "changed_to", "ios"), ["ios"], ["ios", "mac"], False),
        (c("field.os", "changed_from", "mac"), ["mac", "ios"], ["ios"], True),
        (c("field.seats", "changed_to", "10"), 9, 10, True),
        (c("field.seats", "changed_from", 9), 9, 10, True),
        (c("field.seats", "changed_from", 10), 9, 10, False),
        (c("field.amount", "changed_to", "99.5"), "10", "99.50", True),
        (c("field.renewal", "changed_to", "2026-03-01"), None, "2026-03-01", True),
        (c("field.order", "changed_to", "ab-1"), "AB-2", "AB-1", True),
        (c("field.order", "changed_from", "ab-1"), "AB-2", "AB-1", False),
    ],
    ids=str,
)
def test_changed_to_and_from_read_the_values_the_event_keeps(
    trigger, fields, ticket, agent, cond, before, after, expected
):
    key = cond["field"].removeprefix("field.")
    if before is not None:
        ticket.fields = {key: before}
        ticket.save()
    trigger("Moved", {"all": [cond]}, [{"action": "add_tags", "value": "moved"}])
    services.ticket_update(ticket=ticket, by=agent, changes={"fields": {key: after}})
    assert ticket.tags.filter(name="moved").exists() is expected


def test_changed_to_holds_for_a_new_tickets_first_value_and_changed_from_doesnt(
    trigger, fields, customer
):
    fields["browser"].customer_editable = True
    fields["browser"].save()
    trigger(
        "To",
        {"all": [c("field.browser", "changed_to", "safari")]},
        [{"action": "add_tags", "value": "to-safari"}],
    )
    trigger(
        "From",
        {"all": [c("field.browser", "changed_from", "safari")]},
        [{"action": "add_tags", "value": "from-safari"}],
    )
    ticket = ticket_submit(customer=customer, subject="Hi", body="x", fields={"browser": "safari"})
    assert set(ticket.tags.values_list("name", flat=True)) == {"to-safari"}


def test_changed_to_and_from_are_checked_like_is_and_refused_in_automations(fields):
    conditions, _ = validate_rule(
        {"all": [c("field.seats", "changed_to", " 5")]},
        [{"action": "add_tags", "value": "x"}],
    )
    assert conditions["all"][0]["value"] == 5
    with pytest.raises(RuleError) as info:
        validate_rule(
            {"all": [c("field.browser", "changed_from", "opera")]},
            [{"action": "add_tags", "value": "x"}],
        )
    assert info.value.field == "conditions.all[0].value"
    with pytest.raises(RuleError) as info:
        validate_rule(
            {"all": [c("field.vip", "changed_to", True)]}, [{"action": "add_tags", "value": "x"}]
        )
    assert info.value.field == "conditions.all[0].operator"  # a checkbox: changed / is_set
    with pytest.raises(ValidationFailed) as info:
        rule_services.rule_save(
            Automation(),
            name="x",
            conditions={
                "all": [
                    c("hours_since_created", "greater_than", 1),
                    c("field.browser", "changed_to", "chrome"),
                ]
            },
            actions=[{"action": "add_tags", "value": "x"}],
        )
    assert info.value.field == "conditions.all[1].operator"


def test_a_trigger_setting_the_value_its_changed_to_reads_refires_itself(fields):
    conditions = {"all": [c("field.browser", "changed_to", "chrome")]}
    to_chrome = [{"action": "set_field", "value": {"field": "browser", "value": "chrome"}}]
    assert refires_itself(*validate_rule(conditions, to_chrome))
    # Setting another value doesn't: the change it makes can't match again.
    to_safari = [{"action": "set_field", "value": {"field": "browser", "value": "safari"}}]
    assert not refires_itself(*validate_rule(conditions, to_safari))
