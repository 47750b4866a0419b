"""What every kind of custom field shares — ticket fields (``tickets.fields``) and the
organization and customer fields (``customers.fields``): the kinds, the abstract definition and
choice models, the one value validator, how a stored value reads, and the checks an admin's
definition passes before it is saved.

A value is stored in its holder's JSON column by the field's stable key; a choice field stores
the choice's ``value`` (never its label), so a choice can be renamed or retired without
rewriting a single row. This module imports no app: a holder passes its own field definitions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from support import clock
from support.errors import InvalidChange, ValidationFailed

MAX_TEXT = 255
MAX_LONG_TEXT = 10_000


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DECIMAL = "decimal", _("Decimal")
    CHECKBOX = "checkbox", _("Checkbox")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Single choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    PATTERN = "pattern", _("Text checked by a pattern")


CHOICE_KINDS = (FieldKind.CHOICE, FieldKind.MULTI_CHOICE)
# Kinds whose values are ordered (less than / greater than in rules).
NUMBER_KINDS = (FieldKind.NUMBER, FieldKind.DECIMAL)


class FieldDefinition(models.Model):
    """A field an admin defines. A concrete model adds its ``key`` (unique where it applies),
    its constraints and what it alone needs (a ticket field's customer label, say)."""

    kind = models.CharField(max_length=16, choices=FieldKind.choices, default=FieldKind.TEXT)
    label = models.CharField(max_length=100, help_text="What agents see.")
    help_text = models.CharField(max_length=300, blank=True)
    pattern = models.CharField(
        max_length=200, blank=True, help_text="A regular expression the whole value must match."
    )
    position = models.PositiveIntegerField(default=100)
    # An archived field keeps its stored values but is offered for no new value.
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


class FieldChoiceBase(models.Model):
    """One value of a choice field. ``value`` is what holders store and never changes; the
    label can be renamed, and a retired choice is offered no more but reads as before.
    A concrete model adds the ``field`` foreign key (``related_name="choices"``)."""

    value = models.SlugField(max_length=64)
    label = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=100)
    retired = models.BooleanField(default=False)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


# --- values ----------------------------------------------------------------------------------


def choices_of(field: FieldDefinition) -> dict[str, FieldChoiceBase]:
    """The field's choices by value: the cached ``choice_list`` when loaded, else a query."""
    listed = getattr(field, "choice_list", None)
    return {c.value: c for c in (listed if listed is not None else field.choices.all())}


def _bad(field: FieldDefinition, message: str) -> ValidationFailed:
    return ValidationFailed(
        gettext("%(label)s: %(message)s") % {"label": field.label, "message": message},
        field=f"fields.{field.key}",
    )


def is_empty(value: object) -> bool:
    return value is None or value == "" or value == [] or value is False


def value_clean(field: FieldDefinition, value: object, *, old: object = None) -> object:
    """One value as stored, or ``None`` for empty; raises ``ValidationFailed`` naming
    ``fields.<key>``. Text from forms and JSON from the API are both accepted ("3" and 3 for a
    number; "on"/true for a checkbox). A retired choice is refused unless it is held already."""
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
    choices = choices_of(field)
    wanted = value if isinstance(value, list) else [value]
    if kind == FieldKind.CHOICE and isinstance(value, list):
        raise _bad(field, "choose one.")
    kept = {v for v in (old if isinstance(old, list) else [old]) if isinstance(v, str)}
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


# --- values as the API takes them: a JSON type per kind, stated in the schema ------------------

MAX_NUMBER = 10**15 - 1  # the 15 digits a number field keeps
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NO_NUL = "^[^\\u0000]*$"


def value_schema(field: FieldDefinition) -> dict:
    """The JSON Schema of one value the API takes for ``field``; ``null`` clears it. Exactly
    what :func:`value_strict` lets through (forms send text; JSON sends these types)."""
    kind = field.kind
    if kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
        limit = MAX_LONG_TEXT if kind == FieldKind.LONG_TEXT else MAX_TEXT
        return {"type": ["string", "null"], "maxLength": limit, "pattern": _NO_NUL}
    if kind == FieldKind.PATTERN:
        # The admin's pattern is a Python regular expression: stated as it is (most read the
        # same in the schema's dialect; docs/api.md, "Contract").
        return {
            "type": ["string", "null"],
            "maxLength": MAX_TEXT,
            "pattern": f"^(?:{field.pattern})$",
        }
    if kind == FieldKind.NUMBER:
        return {"type": ["integer", "null"], "minimum": -MAX_NUMBER, "maximum": MAX_NUMBER}
    if kind == FieldKind.DECIMAL:
        return {
            "type": ["number", "null"],
            "exclusiveMinimum": -(10**15),
            "exclusiveMaximum": 10**15,
        }
    if kind == FieldKind.CHECKBOX:
        return {"type": ["boolean", "null"]}
    if kind == FieldKind.DATE:
        return {"type": ["string", "null"], "format": "date"}
    offered = [c.value for c in choices_of(field).values() if not c.retired]
    if kind == FieldKind.CHOICE:
        return {"enum": [*offered, None]}
    return {"type": ["array", "null"], "items": {"type": "string", "enum": offered}}


def value_strict(field: FieldDefinition, value: object) -> object:
    """``value`` if it has the JSON type :func:`value_schema` states, else ``ValidationFailed``
    naming ``fields.<key>``; :func:`value_clean` then checks and normalizes it as for a form."""
    if value is None:
        return None
    kind = field.kind
    if kind in (FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.PATTERN):
        limit = MAX_LONG_TEXT if kind == FieldKind.LONG_TEXT else MAX_TEXT
        if not isinstance(value, str):
            raise _bad(field, "give some text.")
        if len(value) > limit:
            raise _bad(field, f"at most {limit} characters.")
        if kind == FieldKind.PATTERN and not re.fullmatch(field.pattern, value):
            raise _bad(field, f"“{value}” doesn't have the expected form.")
        return value
    if kind in (FieldKind.NUMBER, FieldKind.DECIMAL):
        if isinstance(value, float) and value.is_integer() and kind == FieldKind.NUMBER:
            value = int(value)  # 3.0 is a whole number, as JSON Schema's "integer" says
        numeric = int if kind == FieldKind.NUMBER else int | float
        if isinstance(value, bool) or not isinstance(value, numeric):
            raise _bad(field, f"“{value}” is not a {'whole ' if numeric is int else ''}number.")
        if abs(value) > MAX_NUMBER if kind == FieldKind.NUMBER else abs(value) >= 10**15:
            raise _bad(field, f"“{value}” is too large.")
        return value
    if kind == FieldKind.CHECKBOX:
        if not isinstance(value, bool):
            raise _bad(field, "true or false.")
        return value
    if kind == FieldKind.DATE:
        if not isinstance(value, str) or not DATE_RE.fullmatch(value):
            raise _bad(field, f"“{value}” is not a date (YYYY-MM-DD).")
        return value
    items = value if kind == FieldKind.MULTI_CHOICE else [value]
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise _bad(field, "choose from the field's choices.")
    return value


def values_clean(
    values: object,
    *,
    current: dict,
    known: Mapping[str, FieldDefinition],
    only_active: bool = True,
    may_edit: Callable[[FieldDefinition], None] | None = None,
) -> dict:
    """``values`` by key, each checked against ``known`` and merged into ``current``: the new
    whole set of values (an emptied value is dropped). An unknown key, or an archived field
    the holder has no value for, is refused naming ``fields.<key>``; ``may_edit`` raises for a
    field the caller may not change."""
    if not isinstance(values, dict):
        raise ValidationFailed(
            gettext("Fields are given as an object of key and value."), field="fields"
        )
    result = dict(current)
    for key, value in values.items():
        field = known.get(key)
        if field is None or (only_active and not field.active and key not in current):
            raise ValidationFailed(
                gettext("There is no field “%(key)s”.") % {"key": key}, field=f"fields.{key}"
            )
        if may_edit is not None:
            may_edit(field)
        clean = value_clean(field, value, old=current.get(key))
        if clean is None:
            result.pop(key, None)
        else:
            result[key] = clean
    return result


def display(field: FieldDefinition, value: object) -> str:
    """How a stored value reads now: choice labels (a retired one too), Yes for a checkbox."""
    if value is None or value == "" or value == []:
        return ""
    if field.kind in CHOICE_KINDS:
        choices = choices_of(field)
        items = value if isinstance(value, list) else [value]
        return ", ".join(choices[v].label if v in choices else str(v) for v in items)
    if field.kind == FieldKind.CHECKBOX:
        return "Yes" if value else ""
    return str(value)


# --- definitions -----------------------------------------------------------------------------

CHOICE_VALUE_RE = re.compile(r"[a-z0-9_-]{1,64}")


def definition_check(field: FieldDefinition) -> None:
    """The checks every definition passes before it is saved: a label, a pattern that
    compiles, a kind that never changes (stored values were checked against it), the model's
    own validation — each a ``DomainError`` naming the form field."""
    field.label = field.label.strip()
    if not field.label:
        raise ValidationFailed(gettext("A field needs a label."), field="label")
    if field.kind == FieldKind.PATTERN:
        try:
            re.compile(field.pattern)
        except re.error as exc:
            raise ValidationFailed(
                gettext("The pattern is not valid: %(exc)s.") % {"exc": exc}, field="pattern"
            ) from None
    if field.pk:
        model = type(field)
        old_kind = model.objects.filter(pk=field.pk).values_list("kind", flat=True).first()
        if old_kind and old_kind != field.kind:
            raise InvalidChange(
                gettext("A field's kind can't change; add a new field."), field="kind"
            )
    try:
        field.full_clean()
    except DjangoValidationError as exc:
        name, errors = next(iter(exc.message_dict.items()))
        raise ValidationFailed(
            " ".join(errors), field=None if name == "__all__" else name
        ) from None


def choices_save(field: FieldDefinition, choices: list[dict]) -> None:
    """``choices``: ``[{"value", "label", "retired"}]`` in order — values are kept, labels
    renamed, missing ones retired (never deleted: holders may have them)."""
    existing = {c.value: c for c in field.choices.all()}
    model = field.choices.model
    seen = set()
    for position, item in enumerate(choices):
        value = str(item.get("value") or "").strip().lower()
        label = str(item.get("label") or "").strip() or value
        if not CHOICE_VALUE_RE.fullmatch(value):
            raise ValidationFailed(
                gettext("“%(value)s” is not a choice value (letters, digits, - and _).")
                % {"value": value},
                field="choices",
            )
        if value in seen:
            raise ValidationFailed(
                gettext("The choice “%(value)s” is listed twice.") % {"value": value},
                field="choices",
            )
        seen.add(value)
        choice = existing.get(value) or model(field=field, value=value)
        choice.label, choice.position = label[:100], position
        choice.retired = bool(item.get("retired"))
        choice.save()
    for value, choice in existing.items():
        if value not in seen and not choice.retired:
            choice.retired = True
            choice.save(update_fields=["retired"])


def definition_save(field: FieldDefinition, choices: list[dict] | None) -> FieldDefinition:
    """Check and save a definition and (for a choice field) its choices; a choice field is left
    with at least one choice offered. Call inside the caller's transaction."""
    definition_check(field)
    field.save()
    if choices is not None and field.kind in CHOICE_KINDS:
        choices_save(field, choices)
    if field.kind in CHOICE_KINDS and not field.choices.filter(retired=False).exists():
        raise ValidationFailed(
            gettext("A choice field needs at least one choice."), field="choices"
        )
    return field


def refuse_delete_if_held(field: FieldDefinition, holders: models.QuerySet, noun: str) -> None:
    """A field whose value some holder keeps can't be deleted: ``InvalidChange`` with the
    count ("Plan has a value on 12 organizations: archive it instead")."""
    used = holders.filter(fields__has_key=field.key).count()
    if used:
        if noun == "ticket":
            message = ngettext(
                "%(label)s has a value on %(count)s ticket: archive it instead.",
                "%(label)s has a value on %(count)s tickets: archive it instead.",
                used,
            )
        elif noun == "organization":
            message = ngettext(
                "%(label)s has a value on %(count)s organization: archive it instead.",
                "%(label)s has a value on %(count)s organizations: archive it instead.",
                used,
            )
        else:
            message = ngettext(
                "%(label)s has a value on %(count)s contact: archive it instead.",
                "%(label)s has a value on %(count)s contacts: archive it instead.",
                used,
            )
        raise InvalidChange(message % {"label": field.label, "count": used})
