"""The OpenAPI schema of a rule's ``conditions`` and ``actions``: exactly what
``schema.validate_rule`` takes, built from the tables it checks with (``FIELDS``,
``TIME_FIELDS``, ``ACTIONS``, ``MAIL_TO``, ``TAG_RE``, ``MAX_HOURS``…) and, at run time, from the
current ticket, organization and customer field definitions (``SchemaView`` keeps one copy per
version of them, as for a macro's ``actions.fields``).

Each condition is one of a few closed forms ``{"field": <enum>, "operator": <enum>, "value":
<schema>}``: fields that take the same operators and the same value share one form, every
operator that takes no value (``changed``, ``is_set``…: a value sent with it is ignored) has its
fields in one form per operator set. Few forms keep schemathesis' coverage phase short (it tries
every form's boundaries). Automations add the time fields, refuse what only a change has, and need
one time condition in ``all`` (``contains``), none in ``any``. Routing rules take only the
actions marked for routing.

The API takes the JSON types the schema states (``api.rule_types_check``): ``"3"`` for a number
field is a 400 there; the pages, which send text, keep ``validate_rule``'s leniency.
"""

from __future__ import annotations

import json
import re

from customers import fields as profile
from support import customfields
from support.customfields import FieldKind
from support.ids import MAX_ID
from tickets.automation import field_rules, profile_rules
from tickets.automation import schema as rules
from tickets.fields.cache import ticket_fields

ROUTING, TRIGGER, AUTOMATION = "routing", "trigger", "automation"

NO_NUL = "^[^\\u0000]*$"
# Text that isn't only spaces (``value.strip()``), without NUL (refused anywhere in a body).
NON_BLANK = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
ID_OR_NULL = {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID}
# A value the server ignores (``changed``, ``is_set``…; mail's address when it goes elsewhere):
# any JSON but text with a NUL (refused anywhere in a body; docs/api.md, "Contract").
ANY: dict = {"not": {"type": "string", "pattern": "\\u0000"}}
TEXT = {"type": "string", "maxLength": rules.MAX_TEXT, "pattern": NON_BLANK}
TAG = {
    "type": "string",
    # TAG_RE after ``strip().lower()``: spaces around and capitals are taken.
    "pattern": "^\\s*" + rules.TAG_RE.pattern[1:-1].replace("a-z", "A-Za-z") + "\\s*$",
}
_PLACEHOLDERS = "|".join(re.escape(name) for name in rules.PLACEHOLDERS)
# No ``{{ name }}`` (PLACEHOLDER_RE) naming an unknown placeholder.
_KNOWN_PLACEHOLDERS = (
    "(?![\\s\\S]*\\{\\{\\s*(?!(?:" + _PLACEHOLDERS + ")\\s*\\}\\})[a-z_.]+\\s*\\}\\})"
)
MAIL_BODY = {"type": "string", "pattern": "^" + _KNOWN_PLACEHOLDERS + NON_BLANK[1:]}
MAIL_SUBJECT = {
    "type": "string",
    "pattern": "^" + _KNOWN_PLACEHOLDERS + "[^\\u0000\\r\\n]*[^\\s\\u0000][^\\u0000\\r\\n]*$",
}


# --- conditions ---------------------------------------------------------------------------------


def _builtin_value(spec: rules.Field) -> tuple[dict, bool]:
    """A built-in field's value schema, and whether the value must be sent."""
    if spec.kind == "choice":
        return {"enum": list(spec.choices)}, True
    if spec.kind == "ref":
        return ID_OR_NULL, False  # no value: null
    if spec.kind == "calendar":
        return ID, True
    if spec.kind == "hours":
        return {"type": "number", "minimum": 0, "maximum": rules.MAX_HOURS}, True
    return TEXT, True  # text, tags


def _custom_value(field, *, limit: int) -> dict:
    """A custom field's condition value (``api.rule_types_check`` holds the API to the type)."""
    kind = field.kind
    if kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
        return {"type": "string", "maxLength": limit, "pattern": NON_BLANK}
    if kind == FieldKind.PATTERN:
        if limit == field_rules.MAX_TEXT:  # a ticket field's condition text isn't matched
            return {"type": "string", "maxLength": limit, "pattern": NON_BLANK}
        return {"type": "string", "maxLength": limit, "pattern": f"^(?:{field.pattern})$"}
    if kind == FieldKind.NUMBER:
        top = customfields.MAX_NUMBER
        return {"type": "integer", "minimum": -top, "maximum": top}
    if kind == FieldKind.DECIMAL:
        return {"type": "number", "exclusiveMinimum": -(10**15), "exclusiveMaximum": 10**15}
    if kind == FieldKind.DATE:
        return {"type": "string", "format": "date"}
    # One choice (a retired one too: tickets may still hold it).
    return {"type": "string", "enum": list(customfields.choices_of(field))}


def _entries(kind: str) -> list[tuple[str, tuple[str, ...], dict, bool]]:
    """``(field, operators, value schema, value required)`` for every field a condition of
    ``kind`` may name; operators that take no value are listed with :data:`ANY`."""
    automation = kind == AUTOMATION
    fields = dict(rules.FIELDS)
    if automation:
        fields = {**rules.TIME_FIELDS, **fields}
        for name in rules.CHANGE_ONLY_FIELDS:
            fields.pop(name)
    entries = []
    for name, spec in fields.items():
        operators = tuple(o for o in spec.operators if not (automation and o in rules.CHANGE))
        valued = tuple(o for o in operators if o != "changed")
        value, required = _builtin_value(spec)
        entries.append((name, valued, value, required))
        if "changed" in operators:
            entries.append((name, ("changed",), ANY, False))
    for key, field in ticket_fields.get().items():
        operators = field_rules.operators_for(field)
        if automation:
            operators = tuple(o for o in operators if o not in field_rules.ON_CHANGE)
        name = f"{field_rules.PREFIX}{key}"
        valued = tuple(o for o in operators if o not in field_rules.NO_VALUE)
        if valued:
            entries.append((name, valued, _custom_value(field, limit=field_rules.MAX_TEXT), True))
        entries.append((name, tuple(o for o in operators if o in field_rules.NO_VALUE), ANY, False))
    for prefix, target in profile_rules.PREFIXES.items():
        for key, field in profile.fields_for(target).items():
            operators = profile_rules.OPERATORS[field.kind]
            name = f"{prefix}{key}"
            valued = tuple(o for o in operators if o not in profile_rules.SET)
            limit = (
                customfields.MAX_LONG_TEXT
                if field.kind == FieldKind.LONG_TEXT
                else customfields.MAX_TEXT
            )
            if valued:
                entries.append((name, valued, _custom_value(field, limit=limit), True))
            entries.append((name, profile_rules.SET, ANY, False))
    return entries


def condition_forms(kind: str) -> tuple[list[dict], dict | None]:
    """The closed forms a condition of ``kind`` takes, few: fields with the same operators and
    value share one. Also the time fields' form (automations), ``None`` for the others."""
    groups: dict[tuple, list[str]] = {}
    for name, operators, value, required in _entries(kind):
        if operators:  # in one order: a ticket field and a profile field may share a form
            key = (tuple(sorted(operators)), json.dumps(value, sort_keys=True), required)
            groups.setdefault(key, []).append(name)
    forms, time_form = [], None
    for (operators, value, required), names in groups.items():
        form = {
            "type": "object",
            "properties": {
                "field": {"type": "string", "enum": names},
                "operator": {"type": "string", "enum": list(operators)},
                "value": json.loads(value),
            },
            "required": ["field", "operator", "value"] if required else ["field", "operator"],
            "additionalProperties": False,
        }
        if set(names) <= set(rules.TIME_FIELDS):
            time_form = form
        forms.append(form)
    return forms, time_form


def conditions_schema(kind: str) -> dict:
    """``{"all": [...], "any": [...]}``, closed; an automation's ``all`` holds a time condition,
    its ``any`` none."""
    forms, time_form = condition_forms(kind)
    anys = [form for form in forms if form is not time_form]
    schema = {
        "type": "object",
        "properties": {
            "all": {"type": "array", "items": {"anyOf": forms}},
            "any": {"type": "array", "items": {"anyOf": anys}},
        },
        "additionalProperties": False,
        "description": "Every condition in all and (when there are any) one in any must hold.",
    }
    if time_form is not None:
        schema["properties"]["all"]["contains"] = time_form
        schema["required"] = ["all"]
    return schema


# --- actions ------------------------------------------------------------------------------------

MAIL = {
    "oneOf": [
        {
            "type": "object",
            "properties": {
                "to": {"type": "string", "enum": [t for t in rules.MAIL_TO if t != "address"]},
                "address": ANY,  # read only when mail goes to an address
                "subject": MAIL_SUBJECT,
                "body": MAIL_BODY,
            },
            "required": ["to", "subject", "body"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {
                "to": {"const": "address"},
                "address": {"type": "string", "format": "email"},
                "subject": MAIL_SUBJECT,
                "body": MAIL_BODY,
            },
            "required": ["to", "address", "subject", "body"],
            "additionalProperties": False,
        },
    ]
}


def _action_value(kind: str) -> tuple[dict, bool] | None:
    if kind in ("status", "priority", "type"):
        return {"type": "string", "enum": list(rules.FIELDS[kind].choices)}, True
    if kind in ("team", "sla_policy"):
        return ID, True
    if kind == "assignee":
        return ID_OR_NULL, False
    if kind == "tags":
        return {"anyOf": [TAG, {"type": "array", "items": TAG, "minItems": 1}]}, True
    if kind == "users":
        return {"type": "array", "items": ID, "minItems": 1}, True
    if kind == "text":
        return {"type": "string", "pattern": NON_BLANK}, True
    if kind == "mail":
        return MAIL, True
    if kind == "webhook":
        webhook = {
            "type": "object",
            "properties": {"subscription": ID},
            "required": ["subscription"],
            "additionalProperties": False,
        }
        return webhook, True
    # set_field: an active ticket field and a value it takes (null clears it).
    fields = [f for f in ticket_fields.get().values() if f.active]
    if not fields:
        return None
    one = [
        {
            "type": "object",
            "properties": {
                "field": {"const": f.key},
                "value": customfields.value_schema(f),
            },
            "required": ["field"],
            "additionalProperties": False,
        }
        for f in fields
    ]
    return {"anyOf": one}, True


def actions_schema(kind: str) -> dict:
    """A list of 1-30 actions, each ``{"action", "value"}`` of one of a few closed forms."""
    groups: dict[tuple, list[str]] = {}
    for name, (what, routing) in rules.ACTIONS.items():
        if kind == ROUTING and not routing:
            continue
        found = _action_value(what)
        if found is not None:
            value, required = found
            groups.setdefault((json.dumps(value, sort_keys=True), required), []).append(name)
    forms = [
        {
            "type": "object",
            "properties": {
                "action": {"type": "string", "enum": names},
                "value": json.loads(value),
            },
            "required": ["action", "value"] if required else ["action"],
            "additionalProperties": False,
        }
        for (value, required), names in groups.items()
    ]
    return {"type": "array", "items": {"anyOf": forms}, "minItems": 1, "maxItems": 30}
