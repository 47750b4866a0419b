"""Ticket forms: named, ordered sets of fields for one kind of request.

``form_check`` is the forms' part of the one validation path: ``ticket_create`` calls it with the
form chosen (portal, New ticket page, API), after ``fields_clean`` checked each value. For a
customer it says which fields the form asks for and which must be filled in; an agent may file
any field through any active form (their own required-on-solve rules still apply later).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from support.errors import InvalidChange, NotPermitted, ValidationFailed
from tickets.fields.cache import ticket_fields, ticket_forms
from tickets.fields.models import BUILTIN_KEYS, TicketForm, TicketFormField
from tickets.fields.services import is_empty, require

BUILTIN_LABELS = {"product": "Product", "version": "Version", "component": "Component"}


def forms_offered(*, customer: bool) -> list[TicketForm]:
    """The active forms in order; for customers only the ones they may choose."""
    return [
        form
        for form in ticket_forms.get().values()
        if form.active and (form.customer_visible or not customer)
    ]


def form_get(form_id: object) -> TicketForm | None:
    """The form with this id (as an int or its text), or ``None`` for an unknown one."""
    text = str(form_id or "").strip()
    return ticket_forms.get().get(int(text)) if text.isdecimal() and len(text) < 10 else None


def key_label(key: str, *, customer: bool = False) -> str:
    """How a form's field reads: the built-in's name, or the field's (customer) label."""
    if key in BUILTIN_LABELS:
        return BUILTIN_LABELS[key]
    field = ticket_fields.get().get(key)
    if field is None:
        return key
    return field.label_for_customers if customer else field.label


def form_items(form: TicketForm, *, customer: bool) -> list[tuple[str, object, bool]]:
    """``(key, field or None for a built-in, required)`` for each field the form shows: to a
    customer the active fields they fill in, to an agent every active field. ``required`` is the
    form's rule or the field's own required-on-submit."""
    known = ticket_fields.get()
    rows = []
    for item in form.item_list if hasattr(form, "item_list") else form.items.all():
        if item.key in BUILTIN_KEYS:
            rows.append((item.key, None, item.required))
            continue
        field = known.get(item.key)
        if field is None or not field.active or (customer and not field.customer_editable):
            continue
        rows.append((item.key, field, item.required or field.required_on_submit))
    return rows


def form_check(form: TicketForm | None, *, values: dict, catalog: dict, customer: bool) -> None:
    """Refuse a new ticket that doesn't fit ``form``: an archived form (or, for a customer, one
    not offered to them), a customer's value for a field the form doesn't ask for, and a
    customer's empty required field. ``values``: the checked custom field values; ``catalog``:
    the product, version and component chosen. Without a form a customer must fill in every
    field required on submit (``tickets.fields.services.require``)."""
    if form is None:
        if customer:
            require(values, on="submit")
        return
    if not form.active or (customer and not form.customer_visible):
        raise ValidationFailed(
            _("The form “%(name)s” is not offered any more.") % {"name": form.name}, field="form"
        )
    if not customer:
        return
    items = form_items(form, customer=True)
    asked = {key for key, _field, _required in items}
    for key in [*values, *(k for k in BUILTIN_KEYS if catalog.get(k) is not None)]:
        if key not in asked:
            name = key if key in BUILTIN_KEYS else f"fields.{key}"
            raise ValidationFailed(
                _("%(key)s is not asked on the form “%(name_for_customers)s”.")
                % {
                    "key": key_label(key, customer=True),
                    "name_for_customers": form.name_for_customers,
                },
                field=name,
            )
    missing = [
        key
        for key, _field, required in items
        if required and is_empty(catalog.get(key) if key in BUILTIN_KEYS else values.get(key))
    ]
    if missing:
        first = missing[0]
        names = ", ".join(key_label(key, customer=True) for key in missing)
        raise ValidationFailed(
            _("Fill in %(names)s to send the request.") % {"names": names},
            field=first if first in BUILTIN_KEYS else f"fields.{first}",
        )


# --- defining forms --------------------------------------------------------------------------


def _require_admin(by: User) -> None:
    if not (by.is_active and by.is_admin):
        raise NotPermitted(_("Only admins define ticket forms."))


@transaction.atomic
def form_save(*, form: TicketForm, items: list[dict], by: User) -> TicketForm:
    """Create or change a form; ``items``: ``[{"key", "required"}]`` in the order shown. A
    version or component needs the product before it (their lists follow the product)."""
    _require_admin(by)
    form.name = " ".join(form.name.split())
    if not form.name:
        raise ValidationFailed(_("A form needs a name."), field="name")
    clash = TicketForm.objects.filter(name__iexact=form.name).exclude(pk=form.pk).exists()
    if clash:
        raise ValidationFailed(
            _("There is already a form named “%(name)s”.") % {"name": form.name}, field="name"
        )
    known = ticket_fields.get()
    keys: list[str] = []
    for item in items:
        key = str(item.get("key") or "")
        if key not in BUILTIN_KEYS and key not in known:
            raise ValidationFailed(_("There is no field “%(key)s”.") % {"key": key}, field="items")
        if key in keys:
            raise ValidationFailed(
                _("%(key)s is on the form twice.") % {"key": key_label(key)}, field="items"
            )
        if key in ("version", "component") and "product" not in keys:
            raise ValidationFailed(
                _("%(key)s needs Product before it on the form (its list follows the product).")
                % {"key": key_label(key)},
                field="items",
            )
        keys.append(key)
    if not keys:
        raise ValidationFailed(_("A form needs at least one field."), field="items")
    form.save()
    form.items.all().delete()
    TicketFormField.objects.bulk_create(
        TicketFormField(
            form=form, key=item["key"], required=bool(item.get("required")), position=position
        )
        for position, item in enumerate(items)
    )
    # bulk_create sends no signal: say so to every process's copy.
    ticket_forms.invalidate()
    return form


@transaction.atomic
def form_delete(*, form: TicketForm, by: User) -> None:
    """Refused while tickets were filed with it (archive it instead), with the count."""
    from tickets.models import Ticket

    _require_admin(by)
    used = Ticket.objects.filter(form=form).count()
    if used:
        raise InvalidChange(
            ngettext(
                "The form “%(name)s” was used by %(count)s ticket: archive it instead.",
                "The form “%(name)s” was used by %(count)s tickets: archive it instead.",
                used,
            )
            % {"name": form.name, "count": used}
        )
    form.delete()
