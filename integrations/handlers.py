"""Event handlers: each committed ticket change, feedback status change, CSAT answer, article
change and rule or macro change queues the webhook deliveries it owes.

``integrations`` sits above ``tickets`` and ``feedback`` and imports them; neither imports it
(they publish on the one event stream, ``support.events``; this module subscribes).
"""

from __future__ import annotations

from feedback import events as feedback_events
from feedback.models import FeedbackEvent
from integrations.payloads import article_payload, csat_payload, feedback_item_payload
from integrations.services import (
    trigger_webhook_queue,
    webhook_deliveries_queue,
    webhook_deliveries_queue_keyed,
)
from kb import events as kb_events
from kb.models import KbEvent
from support.events import subscribe
from tickets.automation import announce
from tickets.automation.models import WorkflowEvent
from tickets.models import EventKind, TicketEvent


@subscribe(*EventKind.values)
def queue_webhook_deliveries(event: TicketEvent) -> None:
    webhook_deliveries_queue(event=event)


@subscribe(EventKind.TRIGGER_WEBHOOK)
def queue_trigger_webhook(event: TicketEvent) -> None:
    trigger_webhook_queue(event=event)


@subscribe(feedback_events.ITEM_STATUS_CHANGED)
def queue_item_status_webhooks(event: FeedbackEvent) -> None:
    _queue_keyed(event, feedback_item_payload(event.as_event()))


@subscribe(feedback_events.CSAT_RECEIVED)
def queue_csat_webhooks(event: FeedbackEvent) -> None:
    _queue_keyed(event, csat_payload(event.as_event()))


@subscribe(kb_events.ARTICLE_PUBLISHED, kb_events.ARTICLE_UPDATED)
def queue_article_webhooks(event: KbEvent) -> None:
    _queue_keyed(event, article_payload(event.as_event()))


@subscribe(*announce.KINDS)
def queue_workflow_webhooks(event: WorkflowEvent) -> None:
    """A rule or macro changed: the event holds the payload, as it was at the change."""
    webhook_deliveries_queue_keyed(
        event_type=event.kind, key=f"workflow:{event.pk}", payload=event.data
    )


def _queue_keyed(event: FeedbackEvent | KbEvent, payload: dict | None) -> None:
    if payload is not None:  # None: its object was deleted meanwhile, nothing left to tell
        webhook_deliveries_queue_keyed(
            event_type=event.kind, key=f"{event.kind}:{event.key}", payload=payload
        )
