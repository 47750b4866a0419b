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
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from accounts.models import User
from customers.models import Customer
from support import clock
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
    """Beat: queue again the events whose dispatch is overdue; returns how many it queued.

    Overdue means undispatched for longer than ``EVENT_DISPATCH_GRACE_SECONDS`` (longer than the
    dispatch task normally takes, retries included). Each event is queued at most once per grace
    period, so a backlog in the queue isn't multiplied by the sweep; oldest first, at most
    ``limit`` a run (after a long outage the rest follow a minute later). Events older than
    ``EVENT_DISPATCH_MAX_AGE_HOURS`` are given up on (and logged): telling people about a change
    days late does more harm than good.
    """
    now = clock.now()
    grace = timedelta(seconds=settings.EVENT_DISPATCH_GRACE_SECONDS)
    oldest = now - timedelta(hours=settings.EVENT_DISPATCH_MAX_AGE_HOURS)
    undispatched = TicketEvent.objects.filter(dispatched_at__isnull=True)
    expired = undispatched.filter(at__lt=oldest).count()
    if expired:
        logger.warning("%s ticket events too old to sweep were never dispatched", expired)
    overdue = undispatched.filter(at__gte=oldest, at__lte=now - grace).order_by("id")
    queued, after = 0, 0
    while queued < limit:
        ids = list(overdue.filter(id__gt=after).values_list("id", flat=True)[:500])
        if not ids:
            break
        after = ids[-1]
        keys = {event_id: f"events:requeued:{event_id}" for event_id in ids}
        last_queued = cache.get_many(list(keys.values()))
        for event_id in ids:
            last = last_queued.get(keys[event_id])
            if last is not None and now - last < grace:
                continue  # queued by an earlier sweep less than a grace period ago
            cache.set(keys[event_id], now, timeout=int(grace.total_seconds()) * 2)
            _publish(event_id)
            queued += 1
            if queued >= limit:
                break
    if queued:
        logger.warning("Re-queued %s ticket events whose dispatch was lost", queued)
    return queued
