"""Rules on ticket custom fields: conditions ``{"field": "field.<key>", ...}`` and the action
``{"action": "set_field", "value": {"field": <key>, "value": ...}}``.

A custom field's operators follow its kind (:func:`operators_for`); a condition's value is
checked and stored as the ticket stores it (``tickets.fields.services.value_clean``: ``5`` for a
number, ``"2026-03-01"`` for a date, a choice's stable value), so comparing needs no parsing per
ticket. ``is_set`` / ``not_set`` take no value; ``changed`` holds when the change wrote the
field's event (a new ticket's first value counts, as for the other fields), ``changed_to`` /
``changed_from`` when that event moved the value to / away from the condition's (read from the
stored values the event keeps, so a choice renamed since still matches; a new ticket's first
value counts as "changed to"; for a multiple-choice field, the value was added / removed).
Text compares ignore case; ``greater_than`` / ``less_than`` compare numbers, decimals and dates,
and never hold for a ticket without a value.

One predicate per condition (:func:`predicate`) serves both the compiled rules and the reference
interpreter; :func:`field_q` narrows the automations' sweep query where an index can (the sweep
checks every candidate's conditions again, so the query only has to keep every ticket that could
match). A ``set_field`` action goes through ``ticket_update(changes={"fields": …})``: the same
validation, event and hooks as an agent's edit.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from support.errors import ValidationFailed
from tickets.automation.schema import RuleError
from tickets.fields.cache import ticket_fields
from tickets.fields.filters import value_matches
from tickets.fields.models import FieldKind, TicketField
from tickets.fields.services import value_clean
from tickets.models import EventKind

if TYPE_CHECKING:
    from tickets.automation.evaluate import Facts

PREFIX = "field."
SET, UNSET, CHANGED = "is_set", "not_set", "changed"
CHANGED_TO, CHANGED_FROM = "changed_to", "changed_from"
NO_VALUE = (SET, UNSET, CHANGED)
# What only a change can make hold: triggers and routing rules take them, automations (which
# look at tickets, not changes) don't.
ON_CHANGE = (CHANGED, CHANGED_TO, CHANGED_FROM)
_TEXT = (FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.PATTERN)
_ORDERED = (FieldKind.NUMBER, FieldKind.DECIMAL, FieldKind.DATE)
_OPERATORS: dict[str, tuple[str, ...]] = {
    **{kind: ("is", "is_not", "contains", "not_contains") for kind in _TEXT},
    **{kind: ("is", "is_not", "greater_than", "less_than") for kind in _ORDERED},
    FieldKind.CHECKBOX: (),  # checked is "is set"
    FieldKind.CHOICE: ("is", "is_not"),
    FieldKind.MULTI_CHOICE: ("contains", "not_contains"),
}
MAX_TEXT = 250


def is_field_condition(name: object) -> bool:
    return isinstance(name, str) and name.startswith(PREFIX)


def operators_for(field: TicketField) -> tuple[str, ...]:
    if field.kind == FieldKind.CHECKBOX:  # ticked or not: "changed" and is_set say it
        return (SET, UNSET, CHANGED)
    return (*_OPERATORS[field.kind], SET, UNSET, CHANGED, CHANGED_TO, CHANGED_FROM)


def _known(key: str) -> TicketField | None:
    return ticket_fields.get().get(key)


def condition_value(field: TicketField, operator: str, value: object) -> object:
    """The value as the ticket stores it, or ``ValidationFailed`` with the field's label."""
    if field.kind in _TEXT:
        if not isinstance(value, str) or not value.strip():
            raise ValidationFailed(_("%(label)s: give some text.") % {"label": field.label})
        if len(value) > MAX_TEXT:
            raise ValidationFailed(
                _("%(label)s: at most %(MAX_TEXT)s characters.")
                % {"label": field.label, "MAX_TEXT": MAX_TEXT}
            )
        return value.strip()
    if value is None or value == "" or isinstance(value, list):
        raise ValidationFailed(
            _("%(label)s: give one value to compare with.") % {"label": field.label}
        )
    # old=value: a condition may name a retired choice (tickets may still hold it).
    clean = value_clean(field, value, old=value)
    if clean is None:  # only spaces
        raise ValidationFailed(
            _("%(label)s: give one value to compare with.") % {"label": field.label}
        )
    return clean[0] if isinstance(clean, list) else clean


def check_condition(cond: dict, where: str, *, automation: bool = False) -> None:
    """A ``field.<key>`` condition, checked; its value normalised in place. Raises
    :class:`RuleError` naming ``<where>.field``, ``.operator`` or ``.value``."""
    key = cond["field"][len(PREFIX) :]
    field = _known(key)
    if field is None:
        raise RuleError(
            _("There is no ticket field “%(key)s”.") % {"key": key}, field=f"{where}.field"
        )
    operators = operators_for(field)
    if automation:
        operators = tuple(o for o in operators if o not in ON_CHANGE)
    operator = cond.get("operator")
    if operator not in operators:
        raise RuleError(
            _(
                "The operator %(operator)s doesn't fit %(label)s (%(field)s); use one of "
                "%(operators)s."
            )
            % {
                "operator": repr(operator),
                "label": field.label,
                "field": field.get_kind_display(),
                "operators": ", ".join(operators),
            },
            field=f"{where}.operator",
        )
    if operator in NO_VALUE:
        cond.pop("value", None)
        return
    try:
        cond["value"] = condition_value(field, operator, cond.get("value"))
    except ValidationFailed as exc:
        raise RuleError(exc.message, field=f"{where}.value") from None


def _order(field: TicketField) -> Callable[[object], object]:
    if field.kind == FieldKind.DECIMAL:
        return lambda v: Decimal(str(v))
    if field.kind == FieldKind.NUMBER:
        return int
    return str  # ISO dates sort as text


def _changed(key: str) -> Callable[[Facts], bool]:
    def holds(f: Facts) -> bool:
        for event in f.events:
            if event.kind == EventKind.FIELD_CHANGED and event.field == key[:32]:
                return True
        return f.created and (f.ticket.fields or {}).get(key) not in (None, "", [])

    return holds


def _changed_value(field: TicketField, operator: str, value: object) -> Callable[[Facts], bool]:
    """``changed_to`` / ``changed_from``: an event of this change moved the field's stored value
    to / away from ``value``; a new ticket's first value counts as changed to."""
    key, to = field.key, operator == CHANGED_TO
    if field.kind in _TEXT:
        want = str(value).lower()

        def has(stored: object) -> bool:
            return stored not in (None, "") and str(stored).lower() == want
    elif field.kind == FieldKind.MULTI_CHOICE:

        def has(stored: object) -> bool:
            return isinstance(stored, list) and value in stored
    else:
        order = _order(field) if field.kind in _ORDERED else (lambda v: v)
        want_value = order(value)

        def has(stored: object) -> bool:
            return stored not in (None, "") and order(stored) == want_value

    def holds(f: Facts) -> bool:
        for event in f.events:
            if event.kind != EventKind.FIELD_CHANGED or event.field != key[:32]:
                continue
            data = event.data or {}
            before, after = data.get("old"), data.get("new")
            if (has(after) and not has(before)) if to else (has(before) and not has(after)):
                return True
        return to and f.created and has((f.ticket.fields or {}).get(key))

    return holds


def predicate(cond: dict) -> Callable[[Facts], bool]:
    """The condition as a function of the facts; a field deleted since never matches."""
    key, operator, value = cond["field"][len(PREFIX) :], cond["operator"], cond.get("value")
    field = _known(key)
    if field is None:
        return lambda f: False
    if operator == CHANGED:
        return _changed(key)
    if operator in (CHANGED_TO, CHANGED_FROM):
        return _changed_value(field, operator, value)

    def get(f: Facts) -> object:
        return (f.ticket.fields or {}).get(key)

    if operator in (SET, UNSET):
        want = operator == SET
        return lambda f: (get(f) not in (None, "", [], False)) == want
    if field.kind in _TEXT:
        text = str(value).lower()
        if operator == "is":
            return lambda f: str(get(f) or "").lower() == text
        if operator == "is_not":
            return lambda f: str(get(f) or "").lower() != text
        if operator == "contains":
            return lambda f: text in str(get(f) or "").lower()
        return lambda f: text not in str(get(f) or "").lower()
    if field.kind == FieldKind.MULTI_CHOICE:
        if operator == "contains":
            return lambda f: value in (get(f) or ())
        return lambda f: value not in (get(f) or ())
    if operator in ("is", "is_not"):
        order = _order(field) if field.kind in _ORDERED else (lambda v: v)
        want_value = order(value)

        def equal(f: Facts) -> bool:
            current = get(f)
            return current is not None and order(current) == want_value

        if operator == "is":
            return equal
        return lambda f: not equal(f)
    order = _order(field)
    bound = order(value)
    less = operator == "less_than"

    def compare(f: Facts) -> bool:
        current = get(f)
        if current is None:
            return False
        return order(current) < bound if less else order(current) > bound

    return compare


def field_q(cond: dict) -> Q | None:
    """A WHERE clause every ticket the condition holds for passes (``None``: no narrowing):
    equality by containment (the GIN index on PostgreSQL), set / not set by the key."""
    key, operator, value = cond["field"][len(PREFIX) :], cond["operator"], cond.get("value")
    field = _known(key)
    if field is None:
        return None
    if operator == SET:
        return Q(fields__has_key=key)
    if operator == UNSET:
        return ~Q(fields__has_key=key)
    if operator == "is" and field.kind in (FieldKind.CHOICE, FieldKind.NUMBER, FieldKind.DATE):
        return value_matches(key, value)
    return None


# --- the set_field action ---------------------------------------------------------------------


def check_set_field(value: object, at: str) -> None:
    """``{"field": <key>, "value": <value or null to clear>}``: an active field and a value it
    takes (a retired choice is refused, as on a form); the value normalised in place."""
    if not isinstance(value, dict) or set(value) - {"field", "value"} or "field" not in value:
        raise RuleError(_('Set field is {"field": <key>, "value": <value>}.'), field=at)
    key = value["field"]
    field = _known(key) if isinstance(key, str) else None
    if field is None or not field.active:
        raise RuleError(
            _("There is no ticket field “%(key)s”.") % {"key": key}, field=f"{at}.field"
        )
    try:
        value["value"] = value_clean(field, value.get("value"))
    except ValidationFailed as exc:
        raise RuleError(exc.message, field=f"{at}.value") from None


def fields_clean_for_action(values: object) -> dict:
    """A macro's ``fields`` (``{key: value or null}``), each checked as :func:`check_set_field`
    does; ``ValidationFailed`` naming ``fields.<key>``."""
    if not isinstance(values, dict):
        raise ValidationFailed(_("Fields are an object of key and value."), field="fields")
    clean: dict = {}
    for key, value in values.items():
        field = _known(key)
        if field is None or not field.active:
            raise ValidationFailed(
                _("There is no ticket field “%(key)s”.") % {"key": key}, field=f"fields.{key}"
            )
        clean[key] = value_clean(field, value)
    return clean


def editor_fields(*, automation: bool = False) -> list[dict]:
    """The active fields as the rule editor offers them: key, label, kind, operators, and the
    choices a value is picked from (a choice field's offered ones; yes / clear for a checkbox)."""
    rows = []
    for field in ticket_fields.get().values():
        if not field.active:
            continue
        operators = [o for o in operators_for(field) if not (automation and o in ON_CHANGE)]
        if field.kind in (FieldKind.CHOICE, FieldKind.MULTI_CHOICE):
            choices = [[c.value, c.label] for c in field.choice_list if not c.retired]
        elif field.kind == FieldKind.CHECKBOX:
            choices = [["true", "Yes"], ["", "No (clear it)"]]
        else:
            choices = []
        rows.append(
            {
                "key": field.key,
                "label": field.label,
                "kind": field.kind,
                "operators": operators,
                "choices": choices,
            }
        )
    return rows
