"""Feedback events: how the rest of the system hears of feedback changes.

The same shape as ``tickets.events``: a service calls :func:`publish` inside its transaction; on
commit a Celery task hands the event to every handler subscribed to its kind. Handlers live in the
apps above ``feedback`` (``integrations`` turns them into webhook deliveries) and register in their
``AppConfig.ready``, so ``feedback`` never imports them. A handler may run more than once (the task
retries), so it must be idempotent; each event carries a ``key`` that names it for that purpose.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

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
    event = {"kind": kind, "key": key, **data}
    transaction.on_commit(lambda: _queue(event))


def _queue(event: dict) -> None:
    from feedback.tasks import dispatch_feedback_event

    try:
        dispatch_feedback_event.delay(event)
    except Exception:
        # The change is committed; a broker outage must not turn it into an error page.
        logger.exception("Could not queue feedback event %s", event.get("key"))


def dispatch(event: dict) -> None:
    for handler in _handlers.get(event["kind"], []):
        handler(event)
