"""Every custom field with its choices, kept per process (``support.localcache``): each ticket
write that carries field values, and each ticket page, reads them without a query."""

from __future__ import annotations

from django.db.models import Prefetch
from django.db.models.signals import post_delete, post_save

from support.localcache import ProcessCache
from tickets.fields.models import FieldChoice, TicketField, TicketForm, TicketFormField


def _load() -> dict[str, TicketField]:
    fields = TicketField.objects.prefetch_related(
        Prefetch("choices", queryset=FieldChoice.objects.all(), to_attr="choice_list")
    )
    return {field.key: field for field in fields}


ticket_fields: ProcessCache[dict[str, TicketField]] = ProcessCache("ticket-fields", _load)


def _load_forms() -> dict[int, TicketForm]:
    forms = TicketForm.objects.prefetch_related(
        Prefetch("items", queryset=TicketFormField.objects.all(), to_attr="item_list")
    )
    return {form.pk: form for form in forms}


# Every ticket form (archived ones too) with its fields in order, by id.
ticket_forms: ProcessCache[dict[int, TicketForm]] = ProcessCache("ticket-forms", _load_forms)


def _changed(sender, **kwargs) -> None:
    ticket_fields.invalidate()
    ticket_forms.invalidate()


for model in (TicketField, FieldChoice, TicketForm, TicketFormField):
    post_save.connect(_changed, sender=model, dispatch_uid=f"fields-save-{model.__name__}")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"fields-delete-{model.__name__}")
