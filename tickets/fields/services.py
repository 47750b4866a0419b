"""The one place custom field values are checked: the portal, the workspace, the API, mail,
macros and triggers all reach it through ``ticket_create`` / ``ticket_update`` (``fields=``).

``fields_clean`` turns what a caller sent into stored values (or raises ``ValidationFailed``
naming ``fields.<key>``); ``fields_missing`` says which required fields are empty; ``display``
is how a stored value reads (choice labels as they are now).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from accounts.models import User
from support.errors import InvalidChange, NotPermitted, ValidationFailed
from tickets.fields.cache import ticket_fields
from tickets.fields.models import (
    BUILTIN_KEYS,
    CHOICE_KINDS,
    FieldChoice,
    FieldKind,
    TicketField,
    TicketFormField,
)

MAX_TEXT = 255
MAX_LONG_TEXT = 10_000


def active_fields() -> list[TicketField]:
    return [f for f in ticket_fields.get().values() if f.active]


def customer_visible_keys() -> frozenset[str]:
    return frozenset(k for k, f in ticket_fields.get().items() if f.customer_visible)


def _choices(field: TicketField) -> dict[str, FieldChoice]:
    return {c.value: c for c in getattr(field, "choice_list", None) or field.choices.all()}


def _bad(field: TicketField, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field.label}: {message}", field=f"fields.{field.key}")


def is_empty(value: object) -> bool:
    return value is None or value == "" or value == [] or value is False


def value_clean(field: TicketField, value: object, *, old: object = None) -> object:
    """One value as stored, or ``None`` for empty. Text from forms and JSON from the API are
    both accepted ("3" and 3 for a number; "on"/true for a checkbox)."""
    if value is None or (isinstance(value, str) and not value.strip() and field.kind != "checkbox"):
        return None
    kind = field.kind
    if kind in (FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.PATTERN):
        if not isinstance(value, str):
            raise _bad(field, "give some text.")
        text = value.strip()
        limit = MAX_LONG_TEXT if kind == FieldKind.LONG_TEXT else MAX_TEXT
        if len(text) > limit:
            raise _bad(field, f"at most {limit} characters.")
        if kind == FieldKind.PATTERN and not re.fullmatch(field.pattern, text):
            raise _bad(field, f"“{text}” doesn't have the expected form.")
        return text
    if kind == FieldKind.NUMBER:
        if isinstance(value, bool) or not re.fullmatch(r"-?\d{1,15}", str(value).strip()):
            raise _bad(field, f"“{value}” is not a whole number.")
        return int(str(value).strip())
    if kind == FieldKind.DECIMAL:
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            raise _bad(field, f"“{value}” is not a number.") from None
        if isinstance(value, bool) or not number.is_finite() or abs(number) >= 10**15:
            raise _bad(field, f"“{value}” is not a number.")
        return str(number)
    if kind == FieldKind.CHECKBOX:
        if value in (True, "on", "true", "1", "yes", 1):
            return True
        if value in (False, "", "false", "0", "no", "off", 0):
            return None
        raise _bad(field, "yes or no.")
    if kind == FieldKind.DATE:
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise _bad(field, f"“{value}” is not a date (YYYY-MM-DD).") from None
    choices = _choices(field)
    wanted = value if isinstance(value, list) else [value]
    if kind == FieldKind.CHOICE and isinstance(value, list):
        raise _bad(field, "choose one.")
    kept = set(old if isinstance(old, list) else [old])
    picked = []
    for item in wanted:
        choice = choices.get(str(item))
        if choice is None:
            raise _bad(field, f"“{item}” is not one of the choices.")
        if choice.retired and choice.value not in kept:
            raise _bad(field, f"“{choice.label}” is no longer offered.")
        if choice.value not in picked:
            picked.append(choice.value)
    if kind == FieldKind.CHOICE:
        return picked[0]
    return picked or None


def fields_clean(
    values: dict, *, current: dict, customer: bool = False, only_active: bool = True
) -> dict:
    """``values`` by key, checked, merged into ``current``: the new whole set of values.
    Unknown keys and (for a customer) fields they may not edit are refused."""
    known = ticket_fields.get()
    if not isinstance(values, dict):
        raise ValidationFailed("Fields are given as an object of key and value.", field="fields")
    result = dict(current)
    for key, value in values.items():
        field = known.get(key)
        if field is None or (only_active and not field.active and key not in current):
            raise ValidationFailed(f"There is no field “{key}”.", field=f"fields.{key}")
        if customer and not field.customer_editable:
            raise NotPermitted(f"{field.label} can't be changed by customers.")
        clean = value_clean(field, value, old=current.get(key))
        if clean is None:
            result.pop(key, None)
        else:
            result[key] = clean
    return result


def fields_missing(values: dict, *, on: str) -> list[TicketField]:
    """The active fields required ``on`` "submit" or "solve" that have no value."""
    flag = "required_on_submit" if on == "submit" else "required_on_solve"
    return [f for f in active_fields() if getattr(f, flag) and is_empty(values.get(f.key))]


def require(values: dict, *, on: str) -> None:
    missing = fields_missing(values, on=on)
    if missing:
        first = missing[0]
        names = ", ".join(f.label for f in missing)
        what = "to solve the ticket" if on == "solve" else "to send the request"
        raise ValidationFailed(f"Fill in {names} {what}.", field=f"fields.{first.key}")


def display(field: TicketField, value: object) -> str:
    """How a stored value reads now: choice labels (a retired one too), Yes for a checkbox."""
    if value is None or value == "" or value == []:
        return ""
    if field.kind in CHOICE_KINDS:
        choices = _choices(field)
        items = value if isinstance(value, list) else [value]
        return ", ".join(choices[v].label if v in choices else str(v) for v in items)
    if field.kind == FieldKind.CHECKBOX:
        return "Yes" if value else ""
    return str(value)


def visible_values(values: dict, *, customer: bool) -> list[tuple[TicketField, object, str]]:
    """(field, stored value, how it reads) for each field the reader may see, in order."""
    rows = []
    for field in ticket_fields.get().values():
        if customer and not field.customer_visible:
            continue
        value = values.get(field.key)
        if value is None and not field.active:
            continue
        rows.append((field, value, display(field, value)))
    return rows


# --- defining fields -------------------------------------------------------------------------


def _require_admin(by: User) -> None:
    if not (by.is_active and by.is_admin):
        raise NotPermitted("Only admins define ticket fields.")


@transaction.atomic
def field_save(*, field: TicketField, by: User, choices: list[dict] | None = None) -> TicketField:
    """Create or change a field; ``choices`` (for choice fields): ``[{"value", "label",
    "retired"}]`` in order — values are kept, labels renamed, missing ones retired (never
    deleted: tickets may hold them)."""
    _require_admin(by)
    field.label = field.label.strip()
    if not field.label:
        raise ValidationFailed("A field needs a label.", field="label")
    if field.kind == FieldKind.PATTERN:
        try:
            re.compile(field.pattern)
        except re.error as exc:
            raise ValidationFailed(f"The pattern is not valid: {exc}.", field="pattern") from None
    if not field.pk and field.key in (*BUILTIN_KEYS, "form"):
        raise ValidationFailed(
            f"“{field.key}” is a ticket's own field: choose another key.", field="key"
        )
    if field.pk:
        old_kind = TicketField.objects.filter(pk=field.pk).values_list("kind", flat=True).first()
        if old_kind and old_kind != field.kind:
            raise InvalidChange("A field's kind can't change; add a new field.", field="kind")
    if field.customer_editable:
        field.customer_visible = True
    try:
        field.full_clean()
    except DjangoValidationError as exc:
        name, errors = next(iter(exc.message_dict.items()))
        raise ValidationFailed(
            " ".join(errors), field=None if name == "__all__" else name
        ) from None
    field.save()
    if choices is not None and field.kind in CHOICE_KINDS:
        _choices_save(field, choices)
    if field.kind in CHOICE_KINDS and not field.choices.filter(retired=False).exists():
        raise ValidationFailed("A choice field needs at least one choice.", field="choices")
    return field


def _choices_save(field: TicketField, choices: list[dict]) -> None:
    existing = {c.value: c for c in field.choices.all()}
    seen = set()
    for position, item in enumerate(choices):
        value = str(item.get("value") or "").strip().lower()
        label = str(item.get("label") or "").strip() or value
        if not re.fullmatch(r"[a-z0-9_-]{1,64}", value):
            raise ValidationFailed(
                f"“{value}” is not a choice value (letters, digits, - and _).", field="choices"
            )
        if value in seen:
            raise ValidationFailed(f"The choice “{value}” is listed twice.", field="choices")
        seen.add(value)
        choice = existing.get(value) or FieldChoice(field=field, value=value)
        choice.label, choice.position = label[:100], position
        choice.retired = bool(item.get("retired"))
        choice.save()
    for value, choice in existing.items():
        if value not in seen and not choice.retired:
            choice.retired = True
            choice.save(update_fields=["retired"])


@transaction.atomic
def field_delete(*, field: TicketField, by: User) -> None:
    """Refused while tickets hold a value (archive it instead), with the count."""
    from tickets.models import Ticket

    _require_admin(by)
    used = Ticket.objects.filter(fields__has_key=field.key).count()
    if used:
        raise InvalidChange(
            f"{field.label} has a value on {used} ticket{'s' if used != 1 else ''}: "
            "archive it instead."
        )
    # Forms name their fields by key: take it off them too.
    TicketFormField.objects.filter(key=field.key).delete()
    field.delete()
