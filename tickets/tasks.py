from __future__ import annotations

from celery import shared_task

from tickets import events
from tickets.models import TicketEvent


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
    events.dispatch(event)
