"""What a rule may say: its fields, the operators each field takes, its actions, and the one
validator every path (API, admin pages, demo data) runs before a rule is saved.

Conditions: ``{"all": [cond, ...], "any": [cond, ...]}`` where ``cond`` is
``{"field": ..., "operator": ..., "value": ...}``: every ``all`` condition and (when there are
any) at least one ``any`` condition must hold. Actions: ``[{"action": ..., "value": ...}, ...]``.
Errors are :class:`RuleError` naming where (``conditions.all[0].operator``) and what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext

from support.ids import MAX_ID
from tickets.automation.profile_rules import check_condition as check_profile_condition
from tickets.automation.profile_rules import is_profile_condition
from tickets.models import Channel, Priority, Status, TicketType

EQ = ("is", "is_not")
CHANGE = ("changed", "changed_to", "changed_from")
TEXT = ("contains", "not_contains")
ORDER = ("less_than", "greater_than")
ACTORS = ("customer", "agent", "system")
EVENTS = ("created", "updated")


@dataclass(frozen=True)
class Field:
    kind: str  # choice | ref | text | tags | calendar
    operators: tuple[str, ...]
    choices: tuple[str, ...] = ()
    label: str = ""


FIELDS: dict[str, Field] = {
    "event": Field("choice", EQ, EVENTS, "ticket is"),
    "status": Field("choice", EQ + CHANGE + ORDER, tuple(Status.values), "status"),
    "priority": Field("choice", EQ + CHANGE + ORDER, tuple(Priority.values), "priority"),
    "type": Field("choice", EQ + CHANGE, tuple(TicketType.values), "type"),
    "channel": Field("choice", EQ, tuple(Channel.values), "channel"),
    "team": Field("ref", EQ + CHANGE, label="team"),
    "assignee": Field("ref", EQ + CHANGE, label="assignee"),
    "organization": Field("ref", EQ, label="organization"),
    "product": Field("ref", EQ + CHANGE, label="product"),
    "version": Field("ref", EQ + CHANGE, label="product version"),
    "component": Field("ref", EQ + CHANGE, label="product component"),
    "tags": Field("tags", TEXT + ("changed",), label="tags"),
    "requester": Field("text", EQ + TEXT, label="requester email"),
    "requester_domain": Field("text", EQ, label="requester email domain"),
    "mail_to": Field("text", EQ + TEXT, label="address the mail came to"),
    "subject": Field("text", EQ + TEXT + ("changed",), label="subject"),
    "message": Field("text", TEXT, label="latest message text"),
    "actor": Field("choice", EQ, ACTORS, "changed by"),
    "business_hours": Field("calendar", EQ, label="within business hours of calendar"),
}
# Time conditions (automations only): hours since (or until) a timestamp, compared with a number
# of hours. Each is a column the sweep reads as an indexed range (``tickets.automation.timing``).
TIME = ("greater_than", "less_than")
SLA_KINDS = ("first_response", "next_reply", "resolution")
TIME_FIELDS: dict[str, Field] = {
    "hours_since_created": Field("hours", TIME, label="hours since created"),
    "hours_since_updated": Field("hours", TIME, label="hours since updated"),
    "hours_since_status_changed": Field("hours", TIME, label="hours since the status changed"),
    "hours_since_pending": Field("hours", TIME, label="hours pending"),
    "hours_since_solved": Field("hours", TIME, label="hours since solved"),
    "hours_since_customer_reply": Field("hours", TIME, label="hours since the customer's reply"),
    "hours_since_agent_reply": Field("hours", TIME, label="hours since an agent's reply"),
    **{
        f"hours_{way}_{kind}_due": Field(
            "hours", TIME, label=f"hours {way} the {kind.replace('_', ' ')} SLA due time"
        )
        for kind in SLA_KINDS
        for way in ("until", "since")
    },
}
# Conditions that read a change: they mean nothing to a time-based automation.
CHANGE_ONLY_FIELDS = ("event", "actor")
MAX_HOURS = 24 * 365
# Values that are ordered, for less_than / greater_than.
ORDERED = {"priority": tuple(Priority.values), "status": tuple(Status.values)}

# Actions: (what the value is, allowed in routing rules).
ACTIONS: dict[str, tuple[str, bool]] = {
    "set_status": ("status", False),
    "set_priority": ("priority", True),
    "set_type": ("type", True),
    "set_team": ("team", True),
    "set_assignee": ("assignee", True),
    "add_tags": ("tags", True),
    "remove_tags": ("tags", False),
    "add_followers": ("users", False),
    "add_note": ("text", False),
    "mail": ("mail", False),
    "webhook": ("webhook", False),
    "set_sla_policy": ("sla_policy", False),
    "set_field": ("field", True),  # {"field": <custom field key>, "value": …}
}
MAIL_TO = ("requester", "assignee", "team", "address")
# The field an action changes (for ``refires_itself``).
ACTION_FIELD = {
    "set_status": "status",
    "set_priority": "priority",
    "set_type": "type",
    "set_team": "team",
    "set_assignee": "assignee",
    "add_tags": "tags",
    "remove_tags": "tags",
}
PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z_.]+)\s*\}\}")
PLACEHOLDERS = (
    "ticket.id",
    "ticket.subject",
    "ticket.status",
    "ticket.priority",
    "ticket.type",
    "ticket.team",
    "ticket.assignee",
    "ticket.requester",
    "ticket.url",
)
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,63}$")
MAX_TEXT = 250  # a text condition's value


class RuleError(ValueError):
    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _ref(value, where: str, what: str, *, nullable: bool = True) -> None:
    if value is None and nullable:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise RuleError(
            gettext("The value must be the id of a %(what)s.") % {"what": what}, field=where
        )


def _check_condition(cond, where: str, *, automation: bool = False) -> None:
    if not isinstance(cond, dict):
        raise RuleError(
            gettext("A condition is an object with field, operator and value."), field=where
        )
    if is_profile_condition(cond.get("field")):  # organization.<key>, customer.<key>
        check_profile_condition(cond, where)
        return
    unknown = set(cond) - {"field", "operator", "value"}
    if unknown:
        raise RuleError(
            gettext("Unknown key %(unknown)s.") % {"unknown": repr(sorted(unknown)[0])}, field=where
        )
    name = cond.get("field")
    if isinstance(name, str) and name.startswith("field."):
        # Ticket custom fields: their module builds on this one's RuleError.
        from tickets.automation.field_rules import check_condition

        check_condition(cond, where, automation=automation)
        return
    fields = (
        {k: v for k, v in {**TIME_FIELDS, **FIELDS}.items() if k not in CHANGE_ONLY_FIELDS}
        if automation
        else FIELDS
    )
    spec = fields.get(name) if isinstance(name, str) else None
    if spec is None:
        raise RuleError(
            gettext("Unknown field %(name)s; use one of %(fields)s.")
            % {"name": repr(name), "fields": ", ".join(fields)},
            field=f"{where}.field",
        )
    if automation and cond.get("operator") in CHANGE:
        raise RuleError(
            gettext("An automation runs on time, not on a change: use is, is_not, contains… here."),
            field=f"{where}.operator",
        )
    operator = cond.get("operator")
    if operator not in spec.operators:
        raise RuleError(
            gettext(
                "The operator %(operator)s doesn't fit the field %(name)s; use one of "
                "%(operators)s."
            )
            % {
                "operator": repr(operator),
                "name": repr(name),
                "operators": ", ".join(spec.operators),
            },
            field=f"{where}.operator",
        )
    value = cond.get("value")
    at = f"{where}.value"
    if operator == "changed":
        return  # no value
    if spec.kind == "choice":
        if value not in spec.choices:
            raise RuleError(
                gettext("%(value)s is not a %(label)s; use one of %(choices)s.")
                % {"value": repr(value), "label": spec.label, "choices": ", ".join(spec.choices)},
                field=at,
            )
    elif spec.kind == "ref":
        _ref(value, at, spec.label)
    elif spec.kind == "calendar":
        _ref(value, at, "business calendar", nullable=False)
    elif spec.kind == "hours":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise RuleError(gettext("The value must be a number of hours (0 or more)."), field=at)
        if value > MAX_HOURS:
            raise RuleError(
                gettext("The value can be at most %(MAX_HOURS)s hours.") % {"MAX_HOURS": MAX_HOURS},
                field=at,
            )
    elif spec.kind in ("text", "tags"):
        if not isinstance(value, str) or not value.strip():
            raise RuleError(gettext("The value must be some text."), field=at)
        if len(value) > MAX_TEXT:
            raise RuleError(gettext("The value can be at most 250 characters."), field=at)


def _check_mail(value, at: str) -> None:
    if not isinstance(value, dict):
        raise RuleError(gettext("A mail action needs to, subject and body."), field=at)
    unknown = set(value) - {"to", "address", "subject", "body"}
    if unknown:
        raise RuleError(
            gettext("Unknown key %(unknown)s.") % {"unknown": repr(sorted(unknown)[0])}, field=at
        )
    if value.get("to") not in MAIL_TO:
        raise RuleError(
            gettext("Mail goes to one of %(MAIL_TO)s.") % {"MAIL_TO": ", ".join(MAIL_TO)},
            field=f"{at}.to",
        )
    if value["to"] == "address":
        try:
            validate_email(value.get("address") or "")
        except DjangoValidationError:
            raise RuleError(
                gettext("%(value)s is not a valid email address.")
                % {"value": repr(value.get("address"))},
                field=f"{at}.address",
            ) from None
    for key in ("subject", "body"):
        text = value.get(key)
        if not isinstance(text, str) or not text.strip():
            raise RuleError(
                gettext("The mail needs a %(key)s.") % {"key": key}, field=f"{at}.{key}"
            )
        for name in PLACEHOLDER_RE.findall(text):
            if name not in PLACEHOLDERS:
                raise RuleError(
                    gettext("Unknown placeholder {{%(name)s}}; use %(PLACEHOLDERS)s.")
                    % {"name": name, "PLACEHOLDERS": ", ".join(PLACEHOLDERS)},
                    field=f"{at}.{key}",
                )
    if "\n" in value["subject"] or "\r" in value["subject"]:
        raise RuleError(gettext("The subject is one line."), field=f"{at}.subject")


def _check_action(item, where: str, *, routing: bool) -> None:
    if not isinstance(item, dict) or "action" not in item:
        raise RuleError(gettext("An action is an object with action and value."), field=where)
    unknown = set(item) - {"action", "value"}
    if unknown:
        raise RuleError(
            gettext("Unknown key %(unknown)s.") % {"unknown": repr(sorted(unknown)[0])}, field=where
        )
    name = item["action"]
    if not isinstance(name, str) or name not in ACTIONS or (routing and not ACTIONS[name][1]):
        allowed = [a for a, (_, r) in ACTIONS.items() if r or not routing]
        raise RuleError(
            gettext("Unknown action %(name)s; use one of %(allowed)s.")
            % {"name": repr(name), "allowed": ", ".join(allowed)},
            field=f"{where}.action",
        )
    kind = ACTIONS[name][0]
    value = item.get("value")
    at = f"{where}.value"
    if kind in ("status", "priority", "type"):
        choices = FIELDS[kind].choices
        if value not in choices:
            raise RuleError(
                gettext("%(value)s is not a %(kind)s; use one of %(choices)s.")
                % {"value": repr(value), "kind": kind, "choices": ", ".join(choices)},
                field=at,
            )
    elif kind == "team":
        _ref(value, at, "team", nullable=False)
    elif kind == "assignee":
        _ref(value, at, "agent")
    elif kind == "tags":
        tags = [value] if isinstance(value, str) else value
        if not isinstance(tags, list) or not tags:
            raise RuleError(gettext("Give a tag or a list of tags."), field=at)
        for tag in tags:
            if not isinstance(tag, str) or not TAG_RE.match(tag.strip().lower()):
                raise RuleError(
                    gettext("%(tag)s is not a valid tag.") % {"tag": repr(tag)}, field=at
                )
    elif kind == "users":
        if not isinstance(value, list) or not value:
            raise RuleError(gettext("Give a list of agent ids."), field=at)
        for user_id in value:
            _ref(user_id, at, "agent", nullable=False)
    elif kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise RuleError(gettext("The note needs some text."), field=at)
    elif kind == "mail":
        _check_mail(value, at)
    elif kind == "sla_policy":
        _ref(value, at, "SLA policy", nullable=False)
    elif kind == "field":
        from tickets.automation.field_rules import check_set_field

        check_set_field(value, at)
    elif kind == "webhook":
        if not isinstance(value, dict) or set(value) != {"subscription"}:
            raise RuleError(gettext('A webhook action is {"subscription": <id>}.'), field=at)
        _ref(value["subscription"], f"{at}.subscription", "webhook subscription", nullable=False)


def refires_itself(conditions: dict, actions: list) -> bool:
    """Would the trigger's own actions always make its conditions hold again? Only when every
    condition is a change of a field its actions change (to the value the condition names).

    Such a trigger doesn't loop: a trigger fires at most once per change (``engine.run_triggers``).
    It does take over every such change someone else makes (*priority changed → set priority
    high* puts back "high" whatever an agent chose), which the edit page says when it is saved.
    It is allowed, as in Zendesk, so the API's schema states every rule a trigger must meet."""
    sets = {}
    for item in actions:
        field, value = ACTION_FIELD.get(item["action"]), item.get("value")
        if item["action"] == "set_field":
            field, value = f"field.{value['field']}", value.get("value")
        if field:
            sets.setdefault(field, []).append(value)
    groups = [c for c in conditions.get("all", [])]
    anys = conditions.get("any", [])
    if not groups and not anys:
        return False

    def self_made(cond: dict) -> bool:
        values = sets.get(cond["field"])
        if values is None:
            return False
        if cond["operator"] == "changed":
            return True
        if cond["operator"] == "changed_to":
            return cond.get("value") in values
        return False

    return all(self_made(c) for c in groups) and (not anys or any(self_made(c) for c in anys))


def validate_rule(
    conditions, actions, *, routing: bool = False, automation: bool = False
) -> tuple[dict, list]:
    """The rule's conditions and actions, checked; raises :class:`RuleError`. An automation's
    conditions may use the time fields and must have one in ``all`` (what the sweep reads from an
    index); they can't use what only a change has (event, actor, changed…)."""
    if conditions in (None, ""):
        conditions = {}
    if not isinstance(conditions, dict):
        raise RuleError(gettext('Conditions are {"all": [...], "any": [...]}.'), field="conditions")
    unknown = set(conditions) - {"all", "any"}
    if unknown:
        raise RuleError(
            gettext("Unknown condition group %(unknown)s; use all or any.")
            % {"unknown": repr(sorted(unknown)[0])},
            field="conditions",
        )
    for group in ("all", "any"):
        items = conditions.get(group, [])
        if not isinstance(items, list):
            raise RuleError(gettext("A condition group is a list."), field=f"conditions.{group}")
        for i, cond in enumerate(items):
            _check_condition(cond, f"conditions.{group}[{i}]", automation=automation)
            if group == "any" and cond.get("field") in TIME_FIELDS:
                raise RuleError(
                    gettext("Time conditions go in all (every one must hold), not in any."),
                    field=f"conditions.any[{i}].field",
                )
    if automation and not any(c.get("field") in TIME_FIELDS for c in conditions.get("all", [])):
        raise RuleError(
            gettext(
                "An automation needs at least one time condition in all (hours since created, "
                "pending, solved…)."
            ),
            field="conditions.all",
        )
    if not isinstance(actions, list) or not actions:
        raise RuleError(gettext("A rule needs at least one action."), field="actions")
    if len(actions) > 30:
        raise RuleError(gettext("A rule can have at most 30 actions."), field="actions")
    for i, item in enumerate(actions):
        _check_action(item, f"actions[{i}]", routing=routing)
    clean = {g: conditions[g] for g in ("all", "any") if conditions.get(g)}
    return clean, actions
