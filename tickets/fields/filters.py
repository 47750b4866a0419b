"""Filtering tickets by custom field values: ``field.<key>=<value>`` in the workspace's queues
and saved views and in the API (``?field.browser=chrome``). One building block, two callers.

On PostgreSQL a value is matched by containment (``fields @> '{"browser": "chrome"}'``; for a
multiple-choice field ``fields @> '{"os": ["mac"]}'``, a ticket whose list holds it), which the GIN
index ``ticket_fields_gin`` (``jsonb_path_ops``) answers; SQLite, which has no such operator,
compares the key's value (a multiple-choice list as its JSON text holding the quoted value: choice
values are slugs, so ``"mac"`` can only be a whole element). Several values of one field mean any
of them; several fields mean all of them. An empty value means "no value".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from support.errors import ValidationFailed
from tickets.fields.cache import ticket_fields
from tickets.fields.models import FieldKind, TicketField
from tickets.fields.services import value_clean

PREFIX = "field."
# Long text is for reading, not for matching a whole value.
NOT_FILTERABLE = (FieldKind.LONG_TEXT,)


def filterable_fields(*, customer: bool = False) -> list[TicketField]:
    """The active fields a queue or the API can filter by, in order."""
    return [
        f
        for f in ticket_fields.get().values()
        if f.active and f.kind not in NOT_FILTERABLE and (f.customer_visible or not customer)
    ]


def field_param_keys(names: Iterable[str]) -> list[tuple[str, str]]:
    """``(parameter, key)`` for each ``field.<key>`` among ``names``."""
    return [(name, name[len(PREFIX) :]) for name in names if name.startswith(PREFIX)]


def value_matches(key: str, value: object, *, multi: bool = False) -> Q:
    """Tickets whose field ``key`` holds ``value`` (``None``: no value; ``multi``: a
    multiple-choice list that has ``value`` among its values), by containment on PostgreSQL (the
    GIN index)."""
    if value is None:
        return ~Q(fields__has_key=key)
    if connection.vendor == "postgresql":
        return Q(fields__contains={key: [value] if multi else value})
    if multi:
        return Q(**{f"fields__{key}__regex": '"' + re.escape(str(value)) + '"'})
    return Q(**{f"fields__{key}": value})


def field_q(name: str, raw_values: list[str], *, customer: bool = False) -> Q:
    """Tickets whose field (``name`` = ``field.<key>``) has any of ``raw_values``, each read as
    the field's kind ("5" for a number, "true" for a checkbox, a choice's value). An unknown
    field, one a customer may not see, one that can't be filtered or a value of the wrong kind
    raises ``ValidationFailed`` naming ``name``."""
    key = name[len(PREFIX) :]
    field = ticket_fields.get().get(key)
    if field is None or (customer and not field.customer_visible):
        raise ValidationFailed(_("There is no field “%(key)s”.") % {"key": key}, field=name)
    if field.kind in NOT_FILTERABLE:
        raise ValidationFailed(
            _("%(label)s can't be filtered by.") % {"label": field.label}, field=name
        )
    q = Q()
    for raw in raw_values or [""]:
        try:
            value = value_clean(field, raw, old=raw)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, field=name) from None
        if field.kind == FieldKind.MULTI_CHOICE:
            for one in value or [None]:  # one value a parameter: a list of one, or none
                q |= value_matches(key, one, multi=True)
        else:
            q |= value_matches(key, value)
    return q


def fields_q(params, *, customer: bool = False, lenient: bool = False) -> Q:
    """Every ``field.<key>`` parameter of ``params`` (a QueryDict or a dict of lists) as one
    WHERE clause. ``lenient`` (the workspace's queues): a bad parameter is left out rather than
    refused, as the queues do with every other unknown value."""
    q = Q()
    for name, _key in field_param_keys(params):
        values = params.getlist(name) if hasattr(params, "getlist") else params.get(name)
        if isinstance(values, str):
            values = [values]
        if lenient:  # a queue form's "Any" sends an empty value: no filter
            values = [v for v in values or [] if str(v).strip()]
            if not values:
                continue
        try:
            q &= field_q(name, [str(v) for v in values or []], customer=customer)
        except ValidationFailed:
            if not lenient:
                raise
    return q


def field_filter_rows(params) -> list[dict]:
    """The queue filter form's custom fields: a list of choices (a choice field, yes/no for a
    checkbox) or a text box, with what ``params`` chose."""
    rows = []
    for field in filterable_fields():
        name = PREFIX + field.key
        chosen = [str(v) for v in (params.getlist(name) if hasattr(params, "getlist") else [])]
        if field.kind in (FieldKind.CHOICE, FieldKind.MULTI_CHOICE):
            options = [
                (c.value, f"{c.label} (retired)" if c.retired else c.label)
                for c in field.choice_list
            ]
        elif field.kind == FieldKind.CHECKBOX:
            options = [("true", "Yes"), ("false", "No")]
        else:
            options = None
        rows.append(
            {
                "name": name,
                "label": field.label,
                "options": options,
                "chosen": chosen,
                "value": chosen[0] if chosen else "",
            }
        )
    return rows
