"""Organization and customer fields: defining them (admins) and setting their values (agents),
with the ticket fields' one validator (``support.customfields``).

Definitions are kept per process (``support.localcache``), so a ticket page shows the
requester's and organization's values — which ride along on the rows it already loaded —
without a query, and rules read them in memory. A customer's values changing is a
``customer.fields_changed`` event, like a change of the contact's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from accounts.models import User
from customers.models import Customer, CustomerEvent, Organization, ProfileField, ProfileFieldChoice
from customers.services import customer_event_record
from support import customfields
from support.errors import AlreadyExists, InvalidChange, NotPermitted, ValidationFailed
from support.localcache import ProcessCache

Target = ProfileField.Target


def _load() -> dict[str, dict[str, ProfileField]]:
    fields = ProfileField.objects.prefetch_related(
        Prefetch("choices", queryset=ProfileFieldChoice.objects.all(), to_attr="choice_list")
    )
    found: dict[str, dict[str, ProfileField]] = {t: {} for t in Target.values}
    for field in fields:
        found[field.applies_to][field.key] = field
    return found


# Every organization and customer field (archived ones too), with its choices, by target, key.
profile_fields: ProcessCache[dict[str, dict[str, ProfileField]]] = ProcessCache(
    "profile-fields", _load
)


def _changed(sender, **kwargs) -> None:
    profile_fields.invalidate()


for _model in (ProfileField, ProfileFieldChoice):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"profile-save-{_model.__name__}")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"profile-delete-{_model.__name__}")


def fields_for(target: str) -> dict[str, ProfileField]:
    """The target's fields by key, in order (archived ones too)."""
    return profile_fields.get()[target]


def field_for(target: str, key: str) -> ProfileField | None:
    return profile_fields.get()[target].get(key)


@dataclass(frozen=True)
class FieldValue:
    field: ProfileField
    value: object  # as stored
    text: str  # how it reads

    @property
    def held(self) -> list[str]:
        """The stored choice values (a list for both choice kinds), for a form's options."""
        value = self.value
        return (
            []
            if value is None
            else [str(v) for v in value]
            if isinstance(value, list)
            else [str(value)]
        )

    @property
    def choices(self) -> list[ProfileFieldChoice]:
        """The choices to offer: the active ones and any retired one still held."""
        held = set(self.held)
        listed = customfields.choices_of(self.field).values()
        return [c for c in listed if not c.retired or c.value in held]


def values_of(holder: Organization | Customer | None, *, filled: bool = False) -> list[FieldValue]:
    """The holder's fields in order, with their values: an archived field only when it holds
    one; with ``filled`` only those that hold one (the ticket's sidebar). No query."""
    if holder is None or (filled and not holder.fields):
        return []  # nothing to show: not even the definitions are read
    target = Target.ORGANIZATION if isinstance(holder, Organization) else Target.CUSTOMER
    stored = holder.fields or {}
    rows = []
    for field in fields_for(target).values():
        value = stored.get(field.key)
        if value is None and (filled or not field.active):
            continue
        rows.append(FieldValue(field, value, customfields.display(field, value)))
    return rows


# --- values ----------------------------------------------------------------------------------


def values_schema(target: str) -> dict[str, dict]:
    """The API schema of the target's ``fields`` object: each active field's key and the value
    it takes (``support.customfields.value_schema``)."""
    return {
        key: customfields.value_schema(field)
        for key, field in fields_for(target).items()
        if field.active
    }


def values_strict(target: str, values: dict) -> dict:
    """The API's values, each of the JSON type its schema states (a key naming no field is
    left to the service's check)."""
    known = fields_for(target)
    return {
        key: customfields.value_strict(known[key], value) if key in known else value
        for key, value in values.items()
    }


def _require_agent(by: User) -> None:
    if not by.is_active or not by.is_agent:
        raise NotPermitted(_("Only agents can change contacts and organizations."))


def _clean(target: str, values: object, current: dict) -> dict:
    return customfields.values_clean(values, current=current, known=fields_for(target))


@transaction.atomic
def organization_set_fields(*, organization: Organization, values: dict, by: User) -> Organization:
    """Set some of an organization's field values by key (an empty value clears one); the
    rest stay. Each value is checked (``ValidationFailed`` naming ``fields.<key>``)."""
    _require_agent(by)
    locked = Organization.objects.select_for_update().only("fields").get(pk=organization.pk)
    new = _clean(Target.ORGANIZATION, values, locked.fields or {})
    if new != (locked.fields or {}):
        Organization.objects.filter(pk=organization.pk).update(fields=new)
    organization.fields = new
    return organization


@transaction.atomic
def customer_set_fields(*, customer: Customer, values: dict, by: User) -> Customer:
    """Set some of a contact's field values by key, as for an organization; a real change is
    recorded as a ``customer.fields_changed`` event with each key's old and new value."""
    _require_agent(by)
    locked = Customer.objects.select_for_update().only("fields").get(pk=customer.pk)
    old = locked.fields or {}
    new = _clean(Target.CUSTOMER, values, old)
    customer.fields = new
    if new == old:
        return customer
    Customer.objects.filter(pk=customer.pk).update(fields=new)
    changes = {
        key: {"old": old.get(key), "new": new.get(key)}
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    }
    customer_event_record(
        customer=customer,
        kind=CustomerEvent.Kind.FIELDS_CHANGED,
        by=by,
        data={"changes": changes},
    )
    return customer


# --- definitions -----------------------------------------------------------------------------


def _require_admin(by: User) -> None:
    if not (by.is_active and by.is_admin):
        raise NotPermitted(_("Only admins define organization and customer fields."))


def _holders(target: str):
    return Organization.objects if target == Target.ORGANIZATION else Customer.objects


@transaction.atomic
def profile_field_save(
    *, field: ProfileField, by: User, choices: list[dict] | None = None
) -> ProfileField:
    """Create or change an organization or customer field; ``choices`` as for ticket fields
    (values kept, labels renamed, missing ones retired). Its key and target never change."""
    _require_admin(by)
    if field.applies_to not in Target.values:
        raise ValidationFailed(
            _("A field is for organizations or for customers."), field="applies_to"
        )
    if field.pk:
        before = ProfileField.objects.filter(pk=field.pk).values("key", "applies_to").first()
        if before and (before["key"], before["applies_to"]) != (field.key, field.applies_to):
            raise InvalidChange(_("A field's key and what it is for can't change."), field="key")
    elif ProfileField.objects.filter(applies_to=field.applies_to, key=field.key).exists():
        what = "an organization" if field.applies_to == Target.ORGANIZATION else "a customer"
        raise AlreadyExists(
            _("There is already %(what)s field “%(key)s”.") % {"what": what, "key": field.key},
            field="key",
        )
    customfields.definition_save(field, choices)
    return field


@transaction.atomic
def profile_field_delete(*, field: ProfileField, by: User) -> None:
    """Refused while an organization or contact holds a value (archive it instead)."""
    _require_admin(by)
    organization = field.applies_to == Target.ORGANIZATION
    customfields.refuse_delete_if_held(
        field,
        _holders(field.applies_to).all(),
        "organization" if organization else "contact",
    )
    field.delete()
