"""The one place custom field values are checked: the portal, the workspace, the API, mail,
macros and triggers all reach it through ``ticket_create`` / ``ticket_update`` (``fields=``).

``fields_clean`` turns what a caller sent into stored values (or raises ``ValidationFailed``
naming ``fields.<key>``); ``fields_missing`` says which required fields are empty; ``display``
is how a stored value reads (choice labels as they are now).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from support import customfields
from support.customfields import display, is_empty, value_clean
from support.errors import NotPermitted, ValidationFailed
from tickets.fields.cache import ticket_fields
from tickets.fields.models import BUILTIN_KEYS, TicketField, TicketFormField

# The shared validator and display (``support.customfields``), named here too for callers.
__all__ = ["display", "is_empty", "value_clean"]


def active_fields() -> list[TicketField]:
    return [f for f in ticket_fields.get().values() if f.active]


def customer_visible_keys() -> frozenset[str]:
    return frozenset(k for k, f in ticket_fields.get().items() if f.customer_visible)


def fields_clean(
    values: dict, *, current: dict, customer: bool = False, only_active: bool = True
) -> dict:
    """``values`` by key, checked, merged into ``current``: the new whole set of values.
    Unknown keys and (for a customer) fields they may not edit are refused."""

    def may_edit(field: TicketField) -> None:
        if customer and not field.customer_editable:
            raise NotPermitted(
                _("%(label)s can't be changed by customers.") % {"label": field.label}
            )

    return customfields.values_clean(
        values,
        current=current,
        known=ticket_fields.get(),
        only_active=only_active,
        may_edit=may_edit,
    )


def fields_missing(values: dict, *, on: str) -> list[TicketField]:
    """The active fields required ``on`` "submit" or "solve" that have no value."""
    flag = "required_on_submit" if on == "submit" else "required_on_solve"
    return [f for f in active_fields() if getattr(f, flag) and is_empty(values.get(f.key))]


def require(values: dict, *, on: str) -> None:
    missing = fields_missing(values, on=on)
    if missing:
        first = missing[0]
        names = ", ".join(f.label for f in missing)
        message = (
            _("Fill in %(names)s to solve the ticket.")
            if on == "solve"
            else _("Fill in %(names)s to send the request.")
        )
        raise ValidationFailed(
            message % {"names": names},
            field=f"fields.{first.key}",
        )


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
        raise NotPermitted(_("Only admins define ticket fields."))


@transaction.atomic
def field_save(*, field: TicketField, by: User, choices: list[dict] | None = None) -> TicketField:
    """Create or change a field; ``choices`` (for choice fields): ``[{"value", "label",
    "retired"}]`` in order — values are kept, labels renamed, missing ones retired (never
    deleted: tickets may hold them)."""
    _require_admin(by)
    if not field.pk and field.key in (*BUILTIN_KEYS, "form"):
        raise ValidationFailed(
            _("“%(key)s” is a ticket's own field: choose another key.") % {"key": field.key},
            field="key",
        )
    if field.customer_editable:
        field.customer_visible = True
    customfields.definition_save(field, choices)
    return field


@transaction.atomic
def field_delete(*, field: TicketField, by: User) -> None:
    """Refused while tickets hold a value (archive it instead), with the count."""
    from tickets.models import Ticket

    _require_admin(by)
    customfields.refuse_delete_if_held(field, Ticket.objects.all(), "ticket")
    # Forms name their fields by key: take it off them too.
    TicketFormField.objects.filter(key=field.key).delete()
    field.delete()
