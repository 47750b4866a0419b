"""Event handlers: each committed ticket change, feedback status change and CSAT answer queues the
webhook deliveries it owes.

``integrations`` sits above ``tickets`` and ``feedback`` and imports them; neither imports it
(``feedback.events`` publishes, this module subscribes).
"""

from __future__ import annotations

from feedback import events as feedback_events
from integrations.payloads import csat_payload, feedback_item_payload
from integrations.services import webhook_deliveries_queue, webhook_deliveries_queue_keyed
from tickets.events import subscribe
from tickets.models import TicketEvent


@subscribe("*")
def queue_webhook_deliveries(event: TicketEvent) -> None:
    webhook_deliveries_queue(event=event)


@feedback_events.subscribe(feedback_events.ITEM_STATUS_CHANGED)
def queue_item_status_webhooks(event: dict) -> None:
    payload = feedback_item_payload(event)
    if payload is not None:
        webhook_deliveries_queue_keyed(
            event_type=event["kind"], key=f"{event['kind']}:{event['key']}", payload=payload
        )


@feedback_events.subscribe(feedback_events.CSAT_RECEIVED)
def queue_csat_webhooks(event: dict) -> None:
    payload = csat_payload(event)
    if payload is not None:
        webhook_deliveries_queue_keyed(
            event_type=event["kind"], key=f"{event['kind']}:{event['key']}", payload=payload
        )
