"""Ticket-event handlers: each committed ticket change queues the webhook deliveries it owes."""

from __future__ import annotations

from integrations.services import webhook_deliveries_queue
from tickets.events import subscribe
from tickets.models import TicketEvent


@subscribe("*")
def queue_webhook_deliveries(event: TicketEvent) -> None:
    webhook_deliveries_queue(event=event)
