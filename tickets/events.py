"""Ticket events: the append-only record of every change to a ticket, on the one event stream.

A service calls :func:`record_event` inside its transaction: it writes the ``TicketEvent`` row
there and, once the transaction commits, the stream (``support.events``) hands the event to
every handler subscribed to its kind. Code that writes many events at once (the SLA sweep)
builds them with :func:`event_build` and saves them with :func:`record_events`: one INSERT, one
``on_commit`` callback and one dispatch task for the whole batch. Handlers live in the app that
cares (mail, webhooks, feedback, the portal) and subscribe with ``support.events.subscribe`` in
their ``AppConfig.ready``, so ``tickets`` never imports them. ``TicketEvent`` joins the stream in
``TicketsConfig.ready``.

Nothing is lost with a dispatch task, nothing is handled twice: see ``support.events``. Inside
:func:`suppressed` (importing history) events are stored as already dispatched, so nothing hears
of them and the sweep never replays them.
"""

from __future__ import annotations

from collections.abc import Iterable

from accounts.models import User
from customers.models import Customer
from support import clock
from support.events import is_suppressed, publish_on_commit, suppressed
from tickets.models import Message, Ticket, TicketEvent

__all__ = ["event_build", "is_suppressed", "record_event", "record_events", "suppressed"]

# What the dispatch task loads with each event: what its handlers read.
SELECT_RELATED = ("ticket__assignee", "ticket__team", "actor", "actor_customer", "message")


def event_build(
    ticket: Ticket,
    *,
    kind: str,
    by: User | Customer | None,
    field: str = "",
    old: object = "",
    new: object = "",
    message: Message | None = None,
    data: dict | None = None,
) -> TicketEvent:
    """An unsaved event, for :func:`record_events`. ``data``: JSON for the handlers, beyond what
    the columns hold (the SLA sweep's clock and who was responsible for it)."""
    return TicketEvent(
        ticket=ticket,
        kind=kind,
        actor=by if isinstance(by, User) else None,
        actor_customer=by if isinstance(by, Customer) else None,
        field=field,
        old=_text(old),
        new=_text(new),
        message=message,
        data=data,
        # History imported under suppressed() counts as dispatched: the sweep never replays it.
        dispatched_at=clock.now() if is_suppressed() else None,
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
    data: dict | None = None,
) -> TicketEvent:
    event = event_build(
        ticket, kind=kind, by=by, field=field, old=old, new=new, message=message, data=data
    )
    event.save()
    if event.dispatched_at is None:
        publish_on_commit(TicketEvent, [event.pk])
    return event


def record_events(events: Iterable[TicketEvent]) -> list[TicketEvent]:
    """Save many events (built with :func:`event_build`) in one INSERT and publish them together:
    one ``on_commit`` callback, one dispatch task for the batch. Handlers see each event exactly
    as if it had come through :func:`record_event`, in id order."""
    created = TicketEvent.objects.bulk_create(list(events))
    if created and created[0].dispatched_at is None:
        publish_on_commit(TicketEvent, [event.pk for event in created])
    return created


def _text(value: object) -> str:
    if value is None:
        return ""
    text = getattr(value, "display_name", None) or str(value)
    return text[:255]
