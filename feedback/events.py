"""Feedback events: how the rest of the system hears of feedback changes, on the one event stream.

A service calls :func:`publish` inside its transaction; it writes a ``FeedbackEvent`` row there,
and once the transaction commits the stream (``support.events``) hands it to every handler
subscribed to its kind, then marks it dispatched; the stream's beat sweep queues it again if that
was lost, so a handler may run twice and must be idempotent (each event carries a ``key`` that
names it). Handlers (``feedback.handlers``; ``integrations`` turns these into webhook deliveries)
are called with the ``FeedbackEvent`` row; ``event.as_event()`` is its data with kind and key.
``FeedbackEvent`` joins the stream in ``FeedbackConfig.ready``.
"""

from __future__ import annotations

from feedback.models import FeedbackEvent
from support.events import is_suppressed, publish_on_commit

ITEM_STATUS_CHANGED = "feedback.item_status_changed"
CSAT_RECEIVED = "csat.received"
KINDS = (ITEM_STATUS_CHANGED, CSAT_RECEIVED)


def publish(kind: str, *, key: str, **data: object) -> FeedbackEvent | None:
    """Announce a change once the transaction commits. ``data`` must be JSON (ids, strings).

    Quiet inside ``support.events.suppressed()`` (importing history: the demo seed)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown feedback event kind {kind!r}.")
    if is_suppressed():
        return None
    event = FeedbackEvent.objects.create(kind=kind, key=key, data=data)
    publish_on_commit(FeedbackEvent, [event.pk])
    return event
