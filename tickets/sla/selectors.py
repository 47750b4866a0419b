"""SLA reads: the nearest clock of a ticket, and the at-risk / breached filters for queues.

The filters take a queryset the caller has already narrowed to what the user may see
(``tickets_visible_to``), so they add no permission rule of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import BooleanField, Exists, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from support import clock
from support.i18n import per_language
from tickets.models import Ticket
from tickets.sla.models import SlaTarget, TargetKind, TargetState

LABELS = {
    "first_response_due_at": gettext_lazy("first response"),
    "next_reply_due_at": gettext_lazy("next reply"),
    "resolution_due_at": gettext_lazy("resolution"),
}
PAUSING = ("pending", "on_hold")


def _running() -> QuerySet[SlaTarget]:
    return SlaTarget.objects.filter(ticket=OuterRef("pk"), state=TargetState.RUNNING)


def sla_at_risk_q(*, now: datetime | None = None) -> Q:
    """A running clock past its policy's warning point but not yet due."""
    now = now or clock.now()
    return Q(Exists(_running().filter(warn_at__lte=now, due_at__gt=now)))


def sla_breached_q(*, now: datetime | None = None) -> Q:
    """A running clock that is overdue (whether or not the sweep has marked it yet).

    Read from the ticket row: ``sla_due_at`` is the nearest due time of its running clocks (the
    services copy each running clock's due time onto the ticket, a paused or stopped one as
    none), so "some running clock is overdue" is "the nearest is". The queue index on
    ``sla_due_at`` answers it, and a count stops after as many rows as it needs — not a semi-join
    over every overdue clock, which grew with the table (docs/benchmarks.md)."""
    now = now or clock.now()
    return Q(sla_due_at__lte=now)


def tickets_sla_at_risk(queryset: QuerySet[Ticket], *, now: datetime | None = None):
    return queryset.filter(sla_at_risk_q(now=now))


def tickets_sla_breached(queryset: QuerySet[Ticket], *, now: datetime | None = None):
    return queryset.filter(sla_breached_q(now=now))


def tickets_with_sla_clock(queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotate what the clock badge needs beyond the ticket's own due fields, in the same query:
    the earliest warning point of a running clock, and whether the resolution clock is paused.

    Both are scalar subqueries run per row of the page. ``sla_paused`` is deliberately not an
    ``EXISTS``: PostgreSQL may plan an ``EXISTS`` in the select list as a hashed subplan over
    every paused clock (it sizes the choice by the whole table, not the page's ``LIMIT``), which
    at 1,000,000 tickets read ~30,000 clocks for a 50-row queue page (230 ms instead of 0.2 ms)."""
    paused = SlaTarget.objects.filter(
        ticket=OuterRef("pk"), kind=TargetKind.RESOLUTION, state=TargetState.PAUSED
    )
    return queryset.annotate(
        sla_warn_at=Subquery(
            _running().values("ticket").annotate(first=Min("warn_at")).values("first")[:1]
        ),
        sla_paused=Coalesce(
            Subquery(paused.annotate(yes=Value(True)).values("yes")[:1]),
            Value(False),
            output_field=BooleanField(),
        ),
    )


def ticket_with_sla_clock(ticket: Ticket) -> Ticket:
    """Put the ``tickets_with_sla_clock`` annotations on a ticket already loaded (one query), so
    its badge says "warning" exactly when the queues' "SLA at risk" lists it."""
    values = (
        tickets_with_sla_clock(Ticket.objects.filter(pk=ticket.pk))
        .values("sla_warn_at", "sla_paused")
        .first()
        or {}
    )
    ticket.sla_warn_at = values.get("sla_warn_at")
    ticket.sla_paused = values.get("sla_paused", False)
    return ticket


@dataclass(frozen=True)
class Clock:
    state: str  # ok | warning | breached | paused
    # In the active language (the API's is always the default one: support.middleware).
    label: str  # "first response", "next reply", "resolution"
    text: str  # "first response in 42m", "resolution overdue by 3h", "resolution paused"
    due_at: datetime | None


@dataclass(frozen=True)
class ClockWords:
    """A clock's words in one language (``clock_words()``): queue rows build 200 clocks."""

    labels: dict[str, str]
    overdue: str  # "%(clock)s overdue by %(span)s"
    due_in: str  # "%(clock)s in %(span)s"
    paused: str
    minutes: str  # "%(n)sm"
    hours: str
    days: str
    due_title: str  # "Due %(when)s"
    paused_title: str


@per_language
def clock_words() -> ClockWords:
    return ClockWords(
        labels={field: str(label) for field, label in LABELS.items()},
        overdue=_("%(clock)s overdue by %(span)s"),
        due_in=_("%(clock)s in %(span)s"),
        paused=_("resolution paused"),
        # The same messages as tickets.workspace.presentation's spans (one translation).
        minutes=pgettext("time span, short", "%(n)sm"),
        hours=pgettext("time span, short", "%(n)sh"),
        days=pgettext("time span, short", "%(n)sd"),
        due_title=_("Due %(when)s"),
        paused_title=_("Clock paused"),
    )


def sla_clock_for(
    ticket: Ticket,
    *,
    now: datetime | None = None,
    warn_at: datetime | None = None,
    paused: bool | None = None,
    words: ClockWords | None = None,
) -> Clock | None:
    """The nearest running clock of ``ticket`` (from its stored due times), or ``None``.

    ``warn_at`` (the earliest warning point of a running clock) and ``paused`` (the resolution
    clock is paused) default to the ``tickets_with_sla_clock`` annotations. Without either a
    clock can't show "warning" (it shows "ok" until due), and a pending / on-hold ticket without
    due times is taken to be paused. ``words``: ``clock_words()`` (the active language's), when a
    loop has them already.
    """
    now = now or clock.now()
    due = [(getattr(ticket, f), f) for f in LABELS if getattr(ticket, f, None)]
    if not due:
        if paused is None:
            paused = getattr(ticket, "sla_paused", None)
        if paused or (paused is None and ticket.status in PAUSING):
            words = words or clock_words()
            return Clock("paused", words.labels["resolution_due_at"], words.paused, None)
        return None
    words = words or clock_words()
    due_at, field = min(due)
    label = words.labels[field]
    if due_at <= now:
        span = humanize(now - due_at, words)
        return Clock("breached", label, words.overdue % {"clock": label, "span": span}, due_at)
    if warn_at is None:
        warn_at = getattr(ticket, "sla_warn_at", None)
    state = "warning" if warn_at is not None and warn_at <= now else "ok"
    span = humanize(due_at - now, words)
    return Clock(state, label, words.due_in % {"clock": label, "span": span}, due_at)


def sla_clock_from_targets(
    ticket: Ticket, *, targets: Iterable[SlaTarget], now: datetime | None = None
) -> Clock | None:
    """The nearest clock of ``ticket`` given all its SLA clocks (``targets``, e.g. the ones
    ``ticket_create`` just wrote): what ``sla_clock_for`` gives over ``tickets_with_sla_clock``,
    without reading them back."""
    targets = list(targets)
    running = [t.warn_at for t in targets if t.state == TargetState.RUNNING]
    paused = any(t.kind == TargetKind.RESOLUTION and t.state == TargetState.PAUSED for t in targets)
    return sla_clock_for(ticket, now=now, warn_at=min(running, default=None), paused=paused)


def humanize(delta: timedelta, words: ClockWords | None = None) -> str:
    """42m, 3h, 3h 20m, 2d 4h — precise enough to act on, short enough for a queue row (in the
    active language's units: "3 Std. 20 Min.")."""
    words = words or clock_words()
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return words.minutes % {"n": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        text = words.hours % {"n": hours}
        return f"{text} {words.minutes % {'n': minutes}}" if minutes else text
    days, hours = divmod(hours, 24)
    text = words.days % {"n": days}
    return f"{text} {words.hours % {'n': hours}}" if hours else text
