"""Ticket events: the append-only record of every change, and how the rest of the system hears.

A service calls :func:`record_event` inside its transaction. When the transaction commits, each
event is handed to a Celery task that calls every handler subscribed to its kind. Code that
writes many events at once (the SLA sweep) builds them with :func:`event_build` and saves them
with :func:`record_events`: one INSERT, one ``on_commit`` callback and one Celery task
(``dispatch_ticket_events``) for the whole batch. Handlers live in
the app that cares (mail, webhooks, SLA, feedback) and register themselves in ``AppConfig.ready``,
so ``tickets`` never imports them.

Nothing is lost when that task is: the event row is written in the change's own transaction with
``dispatched_at`` empty, and the task sets it only after every handler ran. A beat sweep
(:func:`sweep_undispatched`) re-queues events still undispatched after a grace period, whether the
broker was down at commit, the worker died, or a handler kept failing. So a handler may run more
than once for one event and must be idempotent.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from django.db import transaction

from accounts.models import User
from customers.models import Customer
from support import clock
from support.outbox import requeue_overdue
from tickets.models import Message, Ticket, TicketEvent

logger = logging.getLogger(__name__)

Handler = Callable[[TicketEvent], None]
ALL = "*"

_handlers: dict[str, list[Handler]] = defaultdict(list)
_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar("suppressed", default=False)


def subscribe(*kinds: str) -> Callable[[Handler], Handler]:
    """Register a handler for events of these kinds (``"*"`` for all)."""

    def register(handler: Handler) -> Handler:
        for kind in kinds or (ALL,):
            if handler not in _handlers[kind]:
                _handlers[kind].append(handler)
        return handler

    return register


def handlers_for(kind: str) -> list[Handler]:
    return [*_handlers.get(kind, []), *_handlers.get(ALL, [])]


@contextlib.contextmanager
def suppressed() -> Iterator[None]:
    """Record events without publishing them: for importing history (demo data, migrations).

    They are stored as already dispatched, so the sweep never replays them either."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def is_suppressed() -> bool:
    """Inside :func:`suppressed`: other apps' events (feedback) stay quiet there too."""
    return _suppressed.get()


def event_build(
    ticket: Ticket,
    *,
    kind: str,
    by: User | Customer | None,
    field: str = "",
    old: object = "",
    new: object = "",
    message: Message | None = None,
) -> TicketEvent:
    """An unsaved event, for :func:`record_events`."""
    return TicketEvent(
        ticket=ticket,
        kind=kind,
        actor=by if isinstance(by, User) else None,
        actor_customer=by if isinstance(by, Customer) else None,
        field=field,
        old=_text(old),
        new=_text(new),
        message=message,
        # History imported under suppressed() counts as dispatched: the sweep never replays it.
        dispatched_at=clock.now() if _suppressed.get() else None,
    )


def record_event(
    ticket: Ticket,
    *,
    kind: str,
    by: User | Customer | None,
    field: str = "",
    old: object = "",
    new: object = "",
    message: Message | None = None,
) -> TicketEvent:
    event = event_build(ticket, kind=kind, by=by, field=field, old=old, new=new, message=message)
    event.save()
    if event.dispatched_at is None:
        transaction.on_commit(lambda: _publish(event.id))
    return event


def record_events(events: Iterable[TicketEvent]) -> list[TicketEvent]:
    """Save many events (built with :func:`event_build`) in one INSERT and publish them together:
    one ``on_commit`` callback, one Celery task for the batch. Handlers see each event exactly as
    if it had come through :func:`record_event`, in id order."""
    created = TicketEvent.objects.bulk_create(list(events))
    if created and created[0].dispatched_at is None:
        ids = [event.id for event in created]
        transaction.on_commit(lambda: _publish_many(ids))
    return created


def _text(value: object) -> str:
    if value is None:
        return ""
    text = getattr(value, "display_name", None) or str(value)
    return text[:255]


def _publish(event_id: int) -> None:
    from tickets.tasks import dispatch_ticket_event

    try:
        dispatch_ticket_event.delay(event_id)
    except Exception:
        # The change is committed; a broker outage must not turn it into an error page.
        # The event stays undispatched and the beat sweep queues it again, so nothing is lost.
        logger.exception("Could not queue ticket event %s", event_id)


def _publish_many(event_ids: list[int]) -> None:
    from tickets.tasks import dispatch_ticket_events

    try:
        dispatch_ticket_events.delay(event_ids)
    except Exception:
        logger.exception("Could not queue %s ticket events (%s…)", len(event_ids), event_ids[0])


def dispatch(event: TicketEvent) -> None:
    """Run every handler for ``event``, then mark it dispatched (not if one of them raised)."""
    for handler in handlers_for(event.kind):
        handler(event)
    # Events are append-only; this bookkeeping column is the one update they get.
    TicketEvent.objects.filter(pk=event.pk, dispatched_at__isnull=True).update(
        dispatched_at=clock.now()
    )


def sweep_undispatched(*, limit: int = 5000) -> int:
    """Beat: queue again the events whose dispatch is overdue; returns how many it queued
    (``support.outbox.requeue_overdue``)."""
    return requeue_overdue(
        TicketEvent.objects.filter(dispatched_at__isnull=True),
        publish=_publish,
        name="ticket events",
        limit=limit,
    )
