from __future__ import annotations

import logging

from celery import shared_task

from tickets import events
from tickets.models import TicketEvent

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def dispatch_ticket_event(self, event_id: int) -> None:
    """Hand one committed ticket event to every handler subscribed to its kind."""
    event = (
        TicketEvent.objects.select_related("ticket", "actor", "actor_customer", "message")
        .filter(pk=event_id)
        .first()
    )
    if event is None:  # its ticket was deleted meanwhile; nothing left to tell anyone
        return
    if event.dispatched_at is not None:  # queued twice (the sweep, a redelivery): done already
        return
    events.dispatch(event)


@shared_task(acks_late=True)
def sweep_undispatched_events() -> int:
    """Beat: re-queue ticket events whose dispatch task was lost (broker down, worker killed)."""
    return events.sweep_undispatched()


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def dispatch_ticket_events(self, event_ids: list[int]) -> None:
    """Hand a batch of committed ticket events (``events.record_events``) to their handlers.

    An event whose handler fails is passed on to ``dispatch_ticket_event`` on its own, which
    retries it with backoff, so one failure neither stops the batch nor re-runs the others.
    """
    batch = (
        TicketEvent.objects.select_related("ticket", "actor", "actor_customer", "message")
        # Those dispatched already (a redelivery, the sweep got there first) are done.
        .filter(pk__in=event_ids, dispatched_at__isnull=True)
        .order_by("pk")
    )
    for event in batch.iterator(chunk_size=500):
        try:
            events.dispatch(event)
        except Exception:
            logger.exception("Ticket event %s failed in a batch; retrying it alone", event.pk)
            dispatch_ticket_event.delay(event.pk)


# SLA tasks live in their sub-package; imported so the worker registers them.
from tickets.sla.tasks import sweep_sla  # noqa: E402, F401
