"""Purging ``AutomationRun`` rows that no longer stop anything (beat, hourly).

A run exists to stop its automation acting twice on one period of one ticket: the sweep skips a
ticket when a run for the automation, the ticket and the ticket's *current* period value exists.
A run can go once that can never be asked again:

- its ticket is closed (closed is final; automations act on live tickets only), or
- its period has moved on: the column the automation's first time condition counts from is now
  later than the run's period. Those columns only move forward (created, updated, status changed,
  solved, last replies), so the old period can't come back. SLA due times can move back to an
  earlier value (a priority changed and changed back recomputes the same due time), so runs of
  automations counting from a due time are kept until the ticket closes.

Only runs older than ``AUTOMATION_RUN_KEEP_DAYS`` go (recent ones stay for anyone looking into
what an automation did). Deletes go in batches of ids, at most ``limit`` rows per call, so one
call never holds long locks; the next hour goes on. Running it twice, or at once, is harmless.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, QuerySet

from support import clock
from tickets.automation.models import LIVE_STATUSES, Automation, AutomationRun
from tickets.automation.sweep import period_field
from tickets.automation.timing import TIME_COLUMNS

BATCH = 1000
LIMIT = 50_000


def stale_runs(now: datetime) -> list[QuerySet]:
    """Querysets of the runs that can go, each read through ``automation_run_at_idx``."""
    old = AutomationRun.objects.filter(
        at__lt=now - timedelta(days=settings.AUTOMATION_RUN_KEEP_DAYS)
    )
    stale = [old.exclude(ticket__status__in=LIVE_STATUSES)]
    for automation in Automation.objects.order_by("pk"):
        try:
            spec = TIME_COLUMNS[period_field(automation)]
        except (IndexError, KeyError):  # no time condition (never saved through the validator)
            continue
        if spec.until:  # an SLA due time can come back to an earlier value
            continue
        stale.append(
            old.filter(automation=automation, **{f"ticket__{spec.column}__gt": F("period_at")})
        )
    return stale


def automation_runs_purge(
    *, now: datetime | None = None, batch: int = BATCH, limit: int = LIMIT
) -> int:
    """Delete stale runs, ``batch`` ids at a time, at most ``limit``; returns how many went."""
    now = now or clock.now()
    deleted = 0
    for runs in stale_runs(now):
        while deleted < limit:
            ids = list(runs.order_by().values_list("pk", flat=True)[: min(batch, limit - deleted)])
            if not ids:
                break
            deleted += AutomationRun.objects.filter(pk__in=ids).delete()[0]
        if deleted >= limit:
            break
    return deleted
