"""The served schema of a rule's conditions and actions says exactly what the server takes: for
every field, operator and a pool of boundary values (and every action and value), the schema
accepts the rule if and only if the API's checks (``api.rule_types_check``, ``validate_rule``, the
NUL rule) do — for routing rules, triggers and automations, with ticket, organization and
customer fields of every kind defined."""

from __future__ import annotations

import copy

import jsonschema
import pytest

from customers.fields import profile_fields
from support.api.serializers import nul_errors
from support.customfields import MAX_NUMBER
from support.errors import ValidationFailed
from support.ids import MAX_ID
from tests import factories
from tests.customers import profile_setup
from tickets.automation import openapi
from tickets.automation import schema as rules
from tickets.automation.api import rule_types_check
from tickets.automation.field_rules import PREFIX
from tickets.automation.profile_rules import PREFIXES
from tickets.fields.cache import ticket_fields

KINDS = ("text", "long_text", "number", "decimal", "checkbox", "date")
COMPONENTS = {
    openapi.ROUTING: "RoutingRuleInputRequest",
    openapi.TRIGGER: "TriggerInputRequest",
    openapi.AUTOMATION: "AutomationInputRequest",
}
TIME_OK = {"field": "hours_since_created", "operator": "greater_than", "value": 4}


@pytest.fixture
def served(api, admin_user, monkeypatch):
    for kind in KINDS:
        factories.TicketFieldFactory(key=f"t_{kind}", kind=kind)
    factories.TicketFieldFactory(key="t_choice", kind="choice", choices=["safari", "chrome"])
    factories.TicketFieldFactory(key="t_multi", kind="multi_choice", choices=["a", "b"])
    factories.TicketFieldFactory(key="t_gone", kind="text", active=False)
    for target in (profile_setup.ORG, profile_setup.CUSTOMER):
        for kind in KINDS:
            profile_setup.define(admin_user, target=target, key=f"p_{kind}", kind=kind)
        profile_setup.define(
            admin_user, target=target, key="p_choice", kind="choice", choices=[{"value": "pro"}]
        )
    schemas = api(admin_user).get("/api/schema/?format=json").json()["components"]["schemas"]
    # The definitions don't change from here on: read them once (inside the test's transaction
    # that made them, every read would reload them).
    for cached in (ticket_fields, profile_fields):
        value = cached.get()
        monkeypatch.setattr(cached, "get", lambda value=value: value)
    return {kind: schemas[name]["properties"] for kind, name in COMPONENTS.items()}


def _server_takes(kind: str, conditions, actions) -> bool:
    conditions, actions = copy.deepcopy(conditions), copy.deepcopy(actions)
    if nul_errors({"conditions": conditions, "actions": actions}):
        return False
    try:
        rule_types_check(conditions, actions)
        rules.validate_rule(
            conditions,
            actions,
            routing=kind == openapi.ROUTING,
            automation=kind == openapi.AUTOMATION,
        )
    except (ValidationFailed, rules.RuleError):
        return False
    return True


_VALIDATORS: dict[int, jsonschema.Draft202012Validator] = {}


def _schema_takes(schema: dict, value) -> bool:
    validator = _VALIDATORS.get(id(schema))
    if validator is None or validator.schema is not schema:
        validator = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        _VALIDATORS[id(schema)] = validator
    return validator.is_valid(value)


MISSING = object()


VALUES = [
    None,
    True,
    0,
    1,
    -1,
    1.5,
    MAX_ID,
    MAX_ID + 1,
    rules.MAX_HOURS,
    rules.MAX_HOURS + 0.5,
    MAX_NUMBER,
    MAX_NUMBER + 1,
    -MAX_NUMBER,
    10**15 - 0.5,
    "",
    "  ",
    "x",
    " chrome ",
    "a" * rules.MAX_TEXT,
    "a" * (rules.MAX_TEXT + 1),
    "x\x00",
    "12",
    "2026-03-01",
    "2026-02-30",
    "20260301",
    "safari",
    "a",
    "pro",
    "enterprise",
    [],
    ["a"],
    {},
    *rules.EVENTS,
    *rules.ACTORS,
    *(c for spec in rules.FIELDS.values() for c in spec.choices),
]
FIELD_NAMES = [
    *rules.FIELDS,
    *rules.TIME_FIELDS,
    *(f"{PREFIX}t_{k}" for k in (*KINDS, "choice", "multi", "gone", "none")),
    *(f"{p}p_{k}" for p in PREFIXES for k in (*KINDS, "choice", "none")),
    "nonsense",
    {},
]
OPERATORS = sorted(
    {
        *(o for spec in {**rules.FIELDS, **rules.TIME_FIELDS}.values() for o in spec.operators),
        "is_set",
        "not_set",
        "is_not_set",
        "changed",
        "bogus",
    }
)


def _condition_takes(conditions: dict, group: str, cond: dict) -> bool:
    """``{group: [cond]}`` by the schema, checking only the forms naming the condition's field
    (every other form's ``field`` enum refuses it): the same answer as ``anyOf``, faster."""
    forms = conditions["properties"][group]["items"]["anyOf"]
    name = cond.get("field")
    return any(
        _schema_takes(form, cond)
        for form in forms
        if isinstance(name, str) and name in form["properties"]["field"]["enum"]
    )


def _operators(field: str) -> list[str]:
    """The operators the validator's tables name for the field, and others it refuses."""
    spec = {**rules.FIELDS, **rules.TIME_FIELDS}.get(field) if isinstance(field, str) else None
    listed = list(spec.operators) if spec else []
    return [*listed, *(o for o in OPERATORS if o not in listed and (not spec or o == "bogus"))]


@pytest.mark.parametrize("kind", list(COMPONENTS))
def test_every_condition_the_schema_takes_the_server_takes_and_no_other(served, kind):
    conditions = served[kind]["conditions"]
    # An action none of the conditions reads.
    actions = [{"action": "add_tags" if kind == openapi.ROUTING else "add_note", "value": "x"}]
    automation = kind == openapi.AUTOMATION
    checked, mismatches = 0, []
    for field in FIELD_NAMES:
        for operator in _operators(field):
            for value in [*VALUES, MISSING]:
                cond = {"field": field, "operator": operator}
                if value is not MISSING:
                    cond["value"] = value
                groups = ["all"]
                if value in (1, "x", MISSING):  # any: the same forms but the time fields'
                    groups.append("any")
                for group in groups:
                    checked += 1
                    body = {"all": [TIME_OK]} if automation else {}
                    body[group] = [*body.get(group, []), cond]
                    schema_says = _condition_takes(conditions, group, cond)
                    if schema_says != _server_takes(kind, body, actions):
                        mismatches.append((group, cond, schema_says))
    assert not mismatches, (len(mismatches), checked, mismatches[:40])
    assert checked > 5_000


@pytest.mark.parametrize("kind", list(COMPONENTS))
def test_condition_groups_and_time_conditions(served, kind):
    conditions = served[kind]["conditions"]
    actions = [{"action": "add_tags", "value": "x"}]
    status = {"field": "status", "operator": "is", "value": "open"}
    for body in (
        {},
        {"all": []},
        {"any": []},
        {"all": [status]},
        {"all": [TIME_OK]},
        {"all": [status, TIME_OK, TIME_OK]},
        {"any": [TIME_OK]},
        {"all": [TIME_OK], "any": [TIME_OK]},
        {"all": [TIME_OK], "any": [status]},
        {"all": {}},
        {"every": []},
        {"all": [TIME_OK, "status"]},
        [],
    ):
        assert _schema_takes(conditions, body) == _server_takes(kind, body, actions), body


ACTION_VALUES = [
    *VALUES,
    ["x", "Y-1"],
    [" x "],
    ["x", ""],
    "BAD TAG",
    "x" * 64,
    "x" * 65,
    [1, 2],
    [1, 0],
    [1.5],
    {"subscription": 3},
    {"subscription": 0},
    {"subscription": 3, "x": 1},
    *(
        {"to": to, **extra, "subject": subject, "body": body}
        for to, extra in (
            ("requester", {}),
            ("team", {"address": 7}),
            ("address", {"address": "a@example.com"}),
            ("address", {"address": "nope"}),
            ("address", {}),
            ("nobody", {}),
        )
        for subject, body in (
            ("Hi {{ ticket.id }}", "Body {{ticket.subject}}"),
            ("Hi\nthere", "b"),
            (" ", "b"),
            ("s", "{{ ticket.nope }}"),
            ("s", "{{ Ticket.id }} {{ x"),
            ("s", "{{{ticket.id}}"),
        )
    ),
    {"to": "requester", "subject": "s"},
    *(
        {"field": key, **({} if value is MISSING else {"value": value})}
        for key in ("t_text", "t_number", "t_checkbox", "t_date", "t_choice", "t_multi", "t_gone")
        for value in (MISSING, None, "x", 3, 3.0, "3", True, "2026-03-01", "safari", ["a"], "b")
    ),
    {"field": "nope", "value": "x"},
    {"value": "x"},
]


@pytest.mark.parametrize("kind", list(COMPONENTS))
def test_every_action_the_schema_takes_the_server_takes_and_no_other(served, kind):
    actions_schema = served[kind]["actions"]
    conditions = {"all": [TIME_OK]} if kind == openapi.AUTOMATION else {}
    mismatches = []
    for name in (*rules.ACTIONS, "bogus", {}, ["set_note"]):
        for value in [*ACTION_VALUES, MISSING]:
            item = {"action": name}
            if value is not MISSING:
                item["value"] = value
            body = [item]
            if _schema_takes(actions_schema, body) != _server_takes(kind, conditions, body):
                mismatches.append((item, _schema_takes(actions_schema, body)))
    assert not mismatches, mismatches[:5]
    # Length and shape.
    note = {"action": "add_tags", "value": "x"}
    for body in ([], [note] * 30, [note] * 31, [{"value": "x"}], [note, {**note, "x": 1}], {}):
        takes = _schema_takes(actions_schema, body)
        assert takes == _server_takes(kind, conditions, body), body
