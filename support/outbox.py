"""Events written in a change's transaction and dispatched after it commits (an outbox): the
beat sweep that queues again the ones whose dispatch was lost.

A service writes the event row in its own transaction with ``dispatched_at`` empty and queues
its dispatch on commit; the dispatch task runs the handlers, then sets ``dispatched_at``. When the
broker was down at commit, the worker died, or a handler kept failing, the row stays
undispatched and :func:`requeue_overdue` queues it again. Ticket events (``tickets.events``) and
feedback events (``feedback.events``) both work this way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from support import clock

logger = logging.getLogger(__name__)


def requeue_overdue(
    undispatched: QuerySet, *, publish: Callable[[int], None], name: str, limit: int = 5000
) -> int:
    """Queue again (``publish(id)``) the rows of ``undispatched`` whose dispatch is overdue;
    returns how many it queued. ``undispatched``: the model's rows with ``dispatched_at`` empty,
    each with its time in ``at``; ``name`` names them in the logs.

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
    expired = undispatched.filter(at__lt=oldest).count()
    if expired:
        logger.warning("%s %s too old to sweep were never dispatched", expired, name)
    overdue = undispatched.filter(at__gte=oldest, at__lte=now - grace).order_by("id")
    label = undispatched.model._meta.label_lower  # cache keys: no spaces
    queued, after = 0, 0
    while queued < limit:
        ids = list(overdue.filter(id__gt=after).values_list("id", flat=True)[:500])
        if not ids:
            break
        after = ids[-1]
        keys = {row_id: f"outbox:requeued:{label}:{row_id}" for row_id in ids}
        last_queued = cache.get_many(list(keys.values()))
        for row_id in ids:
            last = last_queued.get(keys[row_id])
            if last is not None and now - last < grace:
                continue  # queued by an earlier sweep less than a grace period ago
            cache.set(keys[row_id], now, timeout=int(grace.total_seconds()) * 2)
            publish(row_id)
            queued += 1
            if queued >= limit:
                break
    if queued:
        logger.warning("Re-queued %s %s whose dispatch was lost", queued, name)
    return queued
