"""Feedback events: how the rest of the system hears of feedback changes.

The same contract as ``tickets.events``: a service calls :func:`publish` inside its transaction,
which writes a ``FeedbackEvent`` row there; on commit a Celery task hands the event to every
handler subscribed to its kind, then marks the row dispatched. If the task is lost (broker down
at commit, worker killed, a handler failing every retry), the row stays undispatched and the beat
sweep (:func:`sweep_undispatched`, ``support.outbox``) queues it again: nothing is lost. Handlers
live in the apps above ``feedback`` (``integrations`` turns them into webhook deliveries) and
register in their ``AppConfig.ready``, so ``feedback`` never imports them. A handler may run more
than once for one event, so it must be idempotent; each event carries a ``key`` that names it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

from feedback.models import FeedbackEvent
from support import clock
from support.outbox import requeue_overdue
from tickets.events import is_suppressed

logger = logging.getLogger(__name__)

ITEM_STATUS_CHANGED = "feedback.item_status_changed"
CSAT_RECEIVED = "csat.received"
KINDS = (ITEM_STATUS_CHANGED, CSAT_RECEIVED)

Handler = Callable[[dict], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(*kinds: str) -> Callable[[Handler], Handler]:
    """Register a handler for events of these kinds; it is called with the event's data."""

    def register(handler: Handler) -> Handler:
        for kind in kinds:
            if kind not in KINDS:
                raise ValueError(f"Unknown feedback event kind {kind!r}.")
            if handler not in _handlers[kind]:
                _handlers[kind].append(handler)
        return handler

    return register


def publish(kind: str, *, key: str, **data: object) -> None:
    """Announce a change once the transaction commits. ``data`` must be JSON (ids, strings).

    Quiet inside ``tickets.events.suppressed()`` (importing history: the demo seed)."""
    if is_suppressed():
        return
    event = FeedbackEvent.objects.create(kind=kind, key=key, data=data)
    transaction.on_commit(lambda: _queue(event.pk))


def _queue(event_id: int) -> None:
    from feedback.tasks import dispatch_feedback_event

    try:
        dispatch_feedback_event.delay(event_id)
    except Exception:
        # The change is committed; a broker outage must not turn it into an error page.
        # The event stays undispatched and the beat sweep queues it again, so nothing is lost.
        logger.exception("Could not queue feedback event %s", event_id)


def dispatch(event: FeedbackEvent) -> None:
    """Run every handler for ``event``, then mark it dispatched (not if one of them raised)."""
    for handler in _handlers.get(event.kind, []):
        handler(event.as_event())
    FeedbackEvent.objects.filter(pk=event.pk, dispatched_at__isnull=True).update(
        dispatched_at=clock.now()
    )


def sweep_undispatched(*, limit: int = 5000) -> int:
    """Beat: queue again the events whose dispatch is overdue (``support.outbox``)."""
    return requeue_overdue(
        FeedbackEvent.objects.filter(dispatched_at__isnull=True),
        publish=_queue,
        name="feedback events",
        limit=limit,
    )
