"""Rule conditions on organization and customer fields (``customers.fields``):
``{"field": "organization.plan", "operator": "is", "value": "enterprise"}`` or
``customer.<key>``, read from the ticket's organization and requester — rows a change has
loaded already, or one query each, evaluated in memory like every other condition.

Operators by the field's kind: every kind takes ``is_set`` / ``is_not_set``; text kinds
``is``, ``is_not``, ``contains``, ``not_contains`` (case folded, as for the ticket's own text);
numbers, decimals and dates ``is``, ``is_not``, ``less_than``, ``greater_than``; a single choice
``is`` / ``is_not`` (a choice's value); a multiple choice ``contains`` / ``not_contains``; a
checkbox only ``is_set`` / ``is_not_set``. The value is checked with the fields' own validator
(``support.customfields``), so ``"12"`` for a number is 12 and an unknown choice is refused.

The validator (``schema``), the compiler (``compiled``) and the interpreter (``evaluate``) each
hand such a condition here, and the compiler and the interpreter run the same predicate.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext

from customers import fields as profile
from customers.models import ProfileField
from support.customfields import NUMBER_KINDS, FieldKind, is_empty, value_clean
from support.errors import ValidationFailed

if TYPE_CHECKING:
    from tickets.automation.evaluate import Facts

PREFIXES = {
    "organization.": ProfileField.Target.ORGANIZATION,
    "customer.": ProfileField.Target.CUSTOMER,
}
SET = ("is_set", "is_not_set")
EQ = ("is", "is_not")
TEXT = ("contains", "not_contains")
ORDER = ("less_than", "greater_than")
TEXT_KINDS = (FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.PATTERN)
OPERATORS: dict[str, tuple[str, ...]] = {
    **{kind: EQ + TEXT + SET for kind in TEXT_KINDS},
    FieldKind.NUMBER: EQ + ORDER + SET,
    FieldKind.DECIMAL: EQ + ORDER + SET,
    FieldKind.DATE: EQ + ORDER + SET,
    FieldKind.CHOICE: EQ + SET,
    FieldKind.MULTI_CHOICE: TEXT + SET,
    FieldKind.CHECKBOX: SET,
}


def is_profile_condition(name: object) -> bool:
    return isinstance(name, str) and name.startswith(tuple(PREFIXES))


def _split(name: str) -> tuple[str, str]:
    prefix, _, key = name.partition(".")
    return PREFIXES[f"{prefix}."], key


def _wanted(field: ProfileField, operator: str, value: object) -> object:
    """The condition's value as stored values are (``ValidationFailed`` if it can't be one). A
    retired choice is accepted: a rule may still name it."""
    if operator in SET:
        return None
    kind = field.kind
    if kind == FieldKind.MULTI_CHOICE:  # contains one choice
        single = ProfileField(key=field.key, kind=FieldKind.CHOICE, label=field.label)
        single.choice_list = getattr(field, "choice_list", None) or list(field.choices.all())
        field = single
    clean = value_clean(field, value, old=value)
    if clean is None:
        raise ValidationFailed(
            gettext("%(label)s: give a value.") % {"label": field.label},
            field=f"fields.{field.key}",
        )
    return clean


def check_condition(cond: dict, where: str) -> None:
    """Raises ``RuleError`` naming where (``conditions.all[0].value``) and what is wrong."""
    from tickets.automation.schema import RuleError

    unknown = set(cond) - {"field", "operator", "value"}
    if unknown:
        raise RuleError(
            gettext("Unknown key %(unknown)s.") % {"unknown": repr(sorted(unknown)[0])}, field=where
        )
    name = cond["field"]
    target, key = _split(name)
    field = profile.field_for(target, key)
    if field is None:
        known = ", ".join(f"{name.partition('.')[0]}.{k}" for k in profile.fields_for(target))
        raise RuleError(
            (
                gettext("There is no %(target)s field %(key)s; use one of %(known)s.")
                if known
                else gettext("There is no %(target)s field %(key)s.")
            )
            % {"target": target, "key": repr(key), "known": known},
            field=f"{where}.field",
        )
    operator = cond.get("operator")
    allowed = OPERATORS[field.kind]
    if operator not in allowed:
        raise RuleError(
            gettext(
                "The operator %(operator)s doesn't fit the field %(name)s; use one of %(allowed)s."
            )
            % {"operator": repr(operator), "name": repr(name), "allowed": ", ".join(allowed)},
            field=f"{where}.operator",
        )
    try:
        _wanted(field, operator, cond.get("value"))
    except ValidationFailed as exc:
        raise RuleError(exc.message, field=f"{where}.value") from None


def _stored(target: str) -> Callable[[Facts], dict]:
    if target == ProfileField.Target.ORGANIZATION:

        def values(f: Facts) -> dict:
            ticket = f.ticket
            if ticket.organization_id is None:
                return {}
            return ticket.organization.fields or {}

        return values
    return lambda f: f.ticket.requester.fields or {}


def _number(value: object) -> Decimal:
    return Decimal(str(value))


def predicate(cond: dict) -> Callable[[Facts], bool]:
    """The condition as a predicate over the change's facts. A field deleted since the rule was
    saved holds no value: only ``is_not_set`` (and the negations) hold."""
    target, key = _split(cond["field"])
    operator = cond["operator"]
    stored = _stored(target)
    field = profile.field_for(target, key)

    def current(f: Facts) -> object:
        return stored(f).get(key)

    if operator in SET:
        setting = operator == "is_set"
        return lambda f: (not is_empty(current(f))) is setting
    try:
        want = _wanted(field, operator, cond.get("value")) if field is not None else None
    except ValidationFailed:
        want = None  # the field changed kind or lost the choice: nothing equals it
    kind = field.kind if field is not None else FieldKind.TEXT
    if kind in TEXT_KINDS and isinstance(want, str):
        want = want.lower()

        def now(f: Facts) -> object:
            value = current(f)
            return value.lower() if isinstance(value, str) else value

    else:
        now = current
    if operator in ORDER:
        less = operator == "less_than"
        numeric = kind in NUMBER_KINDS

        def ordered(f: Facts) -> bool:
            value = now(f)
            if want is None or value is None:
                return False
            here, there = (_number(value), _number(want)) if numeric else (value, want)
            return here < there if less else here > there

        return ordered
    if operator in EQ:
        numeric = kind in NUMBER_KINDS and want is not None
        equal = operator == "is"

        def same(f: Facts) -> bool:
            value = now(f)
            if numeric and value is not None:
                return (_number(value) == _number(want)) is equal
            return (value == want) is equal

        return same
    contains = operator == "contains"

    def within(f: Facts) -> bool:
        value = now(f)
        if want is None or not value:
            return not contains
        return (want in value) is contains

    return within


def reference() -> list[dict]:
    """The organization and customer fields a rule may name, for the rule form's help: name,
    label, operators and (choice fields) the choices' values."""
    rows = []
    for prefix, target in PREFIXES.items():
        for field in profile.fields_for(target).values():
            if not field.active:
                continue
            choices = [c.value for c in getattr(field, "choice_list", None) or () if not c.retired]
            rows.append(
                {
                    "name": f"{prefix}{field.key}",
                    "label": field.label,
                    "operators": OPERATORS[field.kind],
                    "choices": choices,
                }
            )
    return rows
