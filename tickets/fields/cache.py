"""Every custom field with its choices, kept per process (``support.localcache``): each ticket
write that carries field values, and each ticket page, reads them without a query."""

from __future__ import annotations

from django.db.models import Prefetch
from django.db.models.signals import post_delete, post_save

from support.localcache import ProcessCache
from tickets.fields.models import FieldChoice, TicketField


def _load() -> dict[str, TicketField]:
    fields = TicketField.objects.prefetch_related(
        Prefetch("choices", queryset=FieldChoice.objects.all(), to_attr="choice_list")
    )
    return {field.key: field for field in fields}


ticket_fields: ProcessCache[dict[str, TicketField]] = ProcessCache("ticket-fields", _load)


def _changed(sender, **kwargs) -> None:
    ticket_fields.invalidate()


for model in (TicketField, FieldChoice):
    post_save.connect(_changed, sender=model, dispatch_uid=f"fields-save-{model.__name__}")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"fields-delete-{model.__name__}")
