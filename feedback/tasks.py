from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def send_due_csat_surveys() -> int:
    """Beat: queue the mail of every CSAT survey that has come due."""
    from feedback.services import csat_send_due

    return csat_send_due()


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def dispatch_feedback_event(self, event_id: int) -> None:
    """Hand one committed feedback event to every handler subscribed to its kind."""
    from feedback import events
    from feedback.models import FeedbackEvent

    event = FeedbackEvent.objects.filter(pk=event_id).first()
    if event is None or event.dispatched_at is not None:  # gone, or queued twice: done already
        return
    events.dispatch(event)


@shared_task(acks_late=True)
def sweep_undispatched_feedback_events() -> int:
    """Beat: re-queue feedback events whose dispatch task was lost (broker down, worker killed)."""
    from feedback import events

    return events.sweep_undispatched()
