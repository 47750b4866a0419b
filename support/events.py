"""The one event stream: how the rest of the system hears of a change, after it commits.

An app that announces changes keeps them in an event table of its own (``tickets.TicketEvent``,
the ticket's history; ``feedback.FeedbackEvent``) and registers it here in its
``AppConfig.ready`` with the kinds it writes (:func:`register`); kinds are unique across the
system. A service writes the event row inside its transaction with ``dispatched_at`` empty and
calls :func:`publish_on_commit`. Once the transaction commits, one Celery task
(``support.tasks.dispatch_events``, given the table's label and the ids, one event or a batch)
hands each event to every handler subscribed to its kind (:func:`subscribe`), then marks it
dispatched; not if a handler raised, so the task retries it.

Nothing is lost when that task is: one beat task (``support.tasks.sweep_undispatched_events``,
:func:`sweep_undispatched`) queues again the events of every registered table still
undispatched after a grace period, whether the broker was down at commit, the worker died, or a
handler kept failing. So a handler may run more than once for one event and must be idempotent.

This module imports no app: tables and handlers come to it.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction

from support import clock

logger = logging.getLogger(__name__)

Handler = Callable[[Any], None]  # called with one event row
ALL = "*"  # subscribe to every kind of every table


@dataclass(frozen=True)
class EventTable:
    """A registered event table. Its rows have ``kind``, ``at`` (when the change happened) and
    ``dispatched_at`` (null while a dispatch is owed; the one column ever updated)."""

    model: type[models.Model]
    kinds: frozenset[str]
    select_related: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def rows(self) -> models.QuerySet:
        return self.model.objects.select_related(*self.select_related)


_tables: dict[str, EventTable] = {}
_handlers: dict[str, list[Handler]] = defaultdict(list)
_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar("suppressed", default=False)


# --- tables and handlers ---------------------------------------------------------------------


def register(
    model: type[models.Model], *, kinds: Iterable[str], select_related: Sequence[str] = ()
) -> EventTable:
    """Make ``model`` one of the stream's tables (from its app's ``AppConfig.ready``)."""
    for name in ("kind", "at", "dispatched_at"):
        model._meta.get_field(name)  # FieldDoesNotExist: not an event table
    table = EventTable(model=model, kinds=frozenset(kinds), select_related=tuple(select_related))
    for other in _tables.values():
        if other.label != table.label and (shared := table.kinds & other.kinds):
            raise ValueError(f"Event kinds {sorted(shared)} belong to {other.label} already.")
    _tables[table.label] = table
    return table


def tables() -> list[EventTable]:
    return list(_tables.values())


def oldest_undispatched() -> datetime | None:
    """When the oldest event still owed a dispatch happened, over every table (status page)."""
    times = [
        at
        for table in _tables.values()
        if (
            at := table.model.objects.filter(dispatched_at__isnull=True)
            .order_by("id")
            .values_list("at", flat=True)
            .first()
        )
        is not None
    ]
    return min(times, default=None)


def subscribe(*kinds: str) -> Callable[[Handler], Handler]:
    """Register a handler for events of these kinds (``ALL``, or none given, for every event).

    It is called with the event row after the change committed, and must be idempotent."""
    kinds = kinds or (ALL,)
    known = {kind for table in _tables.values() for kind in table.kinds}
    if unknown := [kind for kind in kinds if kind != ALL and kind not in known]:
        raise ValueError(f"Unknown event kinds {unknown}: no registered table writes them.")

    def register_handler(handler: Handler) -> Handler:
        for kind in kinds:
            if handler not in _handlers[kind]:
                _handlers[kind].append(handler)
        return handler

    return register_handler


def unsubscribe(handler: Handler) -> None:
    """Forget ``handler`` for every kind (tests that listen for a while)."""
    for registered in _handlers.values():
        if handler in registered:
            registered.remove(handler)


def handlers_for(kind: str) -> list[Handler]:
    return [*_handlers.get(kind, []), *_handlers.get(ALL, [])]


# --- publishing -----------------------------------------------------------------------------


@contextlib.contextmanager
def suppressed() -> Iterator[None]:
    """Record events without publishing them: for importing history (demo data, migrations).

    Each table's writer decides what that means for its rows: ticket events are stored as
    already dispatched (the sweep never replays them), feedback events are not written."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def is_suppressed() -> bool:
    return _suppressed.get()


def publish_on_commit(model: type[models.Model], ids: Sequence[int]) -> None:
    """Once the current transaction commits, queue the dispatch of these rows (one task)."""
    if not ids:
        return
    label, ids = model._meta.label_lower, list(ids)
    transaction.on_commit(lambda: queue(label, ids))


def queue(table: str, ids: list[int]) -> None:
    """Queue one dispatch task for these events now (after the commit)."""
    from support.tasks import dispatch_events

    try:
        dispatch_events.delay(table, ids)
    except Exception:
        # The change is committed; a broker outage must not turn it into an error page.
        # The events stay undispatched and the beat sweep queues them again: nothing is lost.
        logger.exception("Could not queue %s %s event(s) (%s…)", len(ids), table, ids[0])


# --- dispatching ----------------------------------------------------------------------------


def dispatch(event: models.Model) -> None:
    """Run every handler for ``event``, then mark it dispatched (not if one of them raised)."""
    for handler in handlers_for(event.kind):
        handler(event)
    type(event).objects.filter(pk=event.pk, dispatched_at__isnull=True).update(
        dispatched_at=clock.now()
    )


def dispatch_pending(table: str, ids: Sequence[int]) -> None:
    """The dispatch task's work: hand the events among ``ids`` not dispatched yet (a redelivery,
    or the sweep got there first) to their handlers, in id order.

    One event: a failing handler raises, and the task retries it with backoff. A batch: a
    failing event is queued again on its own (which then retries alone), so one failure neither
    stops the batch nor runs the others' handlers twice."""
    pending = _tables[table].rows().filter(pk__in=ids, dispatched_at__isnull=True).order_by("pk")
    if len(ids) == 1:
        for event in pending:
            dispatch(event)
        return
    for event in pending.iterator(chunk_size=500):
        try:
            dispatch(event)
        except Exception:
            logger.exception("%s event %s failed in a batch; retrying it alone", table, event.pk)
            queue(table, [event.pk])


# --- the sweep ------------------------------------------------------------------------------


def sweep_undispatched(*, limit: int = 5000) -> int:
    """Beat: queue again the events of every table whose dispatch is overdue; returns how many."""
    return sum(
        requeue_overdue(
            table.model.objects.filter(dispatched_at__isnull=True),
            publish=lambda ids, label=table.label: queue(label, ids),
            limit=limit,
        )
        for table in _tables.values()
    )


def requeue_overdue(
    undispatched: models.QuerySet, *, publish: Callable[[list[int]], None], limit: int = 5000
) -> int:
    """Queue again (``publish(ids)``, a page at a time) the rows of ``undispatched`` whose
    dispatch is overdue; returns how many it queued. ``undispatched``: an event table's rows
    with ``dispatched_at`` empty.

    Overdue means undispatched for longer than ``EVENT_DISPATCH_GRACE_SECONDS`` (longer than the
    dispatch task normally takes, retries included). Each row is queued at most once per grace
    period, so a backlog in the queue isn't multiplied by the sweep; oldest first, at most
    ``limit`` a run (after a long outage the rest follow a minute later). Rows older than
    ``EVENT_DISPATCH_MAX_AGE_HOURS`` are given up on (and logged): telling people about a change
    days late does more harm than good.
    """
    now = clock.now()
    grace = timedelta(seconds=settings.EVENT_DISPATCH_GRACE_SECONDS)
    oldest = now - timedelta(hours=settings.EVENT_DISPATCH_MAX_AGE_HOURS)
    label = undispatched.model._meta.label_lower  # names them in logs and cache keys (no spaces)
    expired = undispatched.filter(at__lt=oldest).count()
    if expired:
        logger.warning("%s %s events too old to sweep were never dispatched", expired, label)
    overdue = undispatched.filter(at__gte=oldest, at__lte=now - grace).order_by("id")
    queued, after = 0, 0
    while queued < limit:
        ids = list(overdue.filter(id__gt=after).values_list("id", flat=True)[:500])
        if not ids:
            break
        after = ids[-1]
        keys = {row_id: f"outbox:requeued:{label}:{row_id}" for row_id in ids}
        last_queued = cache.get_many(list(keys.values()))
        page = [
            row_id
            for row_id in ids
            # Not those queued by an earlier sweep less than a grace period ago.
            if (last := last_queued.get(keys[row_id])) is None or now - last >= grace
        ][: limit - queued]
        if page:
            cache.set_many(
                {keys[row_id]: now for row_id in page}, timeout=int(grace.total_seconds()) * 2
            )
            publish(page)
            queued += len(page)
    if queued:
        logger.warning("Re-queued %s %s events whose dispatch was lost", queued, label)
    return queued
