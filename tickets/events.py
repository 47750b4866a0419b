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

**A change, before it commits.** Public ticket services are wrapped in :func:`ticket_change`: the
outermost one collects every event recorded while it runs (its own and those of the services it
calls) into a :class:`Change`, and once its own writes are done — still inside the transaction —
hands that change to the hooks registered with :func:`on_change` (routing and triggers). A hook
acts through the same services; their events join the same change, so a hook sees what the
others did, the result commits or rolls back as one, and handlers after commit hear every event.
Inside :func:`acting_for` the events recorded name what acted (``data["rule"]``), for the
timeline ("Trigger 'Refunds to Billing' set team Billing").
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from django.db import transaction

from accounts.models import User
from customers.models import Customer
from support import clock
from support.events import is_suppressed, publish_on_commit, suppressed
from tickets.models import Message, Ticket, TicketEvent

__all__ = [
    "Change",
    "acting_for",
    "applied_with",
    "event_build",
    "is_suppressed",
    "on_change",
    "record_event",
    "record_events",
    "suppressed",
    "ticket_change",
]

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
    rule = _acting_for.get()
    if rule is not None:
        data = {**(data or {}), "rule": rule}
    tool = _applied_with.get()
    if tool is not None and rule is None:
        data = {**(data or {}), "via": tool}
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
    change = _current.get()
    if change is not None:
        change.events.append(event)
    return event


def record_events(events: Iterable[TicketEvent]) -> list[TicketEvent]:
    """Save many events (built with :func:`event_build`) in one INSERT and publish them together:
    one ``on_commit`` callback, one dispatch task for the batch. Handlers see each event exactly
    as if it had come through :func:`record_event`, in id order."""
    created = TicketEvent.objects.bulk_create(list(events))
    if created and created[0].dispatched_at is None:
        publish_on_commit(TicketEvent, [event.pk for event in created])
    change = _current.get()
    if change is not None:
        change.events.extend(created)
    return created


def _text(value: object) -> str:
    if value is None:
        return ""
    text = getattr(value, "display_name", None) or str(value)
    return text[:255]


# --- a change, before it commits -----------------------------------------------------------


@dataclass
class Change:
    """The events one outermost service call recorded, in order (its hooks' events included)."""

    events: list[TicketEvent] = field(default_factory=list)

    def tickets(self) -> list[Ticket]:
        """Each ticket the change touched, once, in the order first touched."""
        seen: dict[int, Ticket] = {}
        for event in self.events:
            seen.setdefault(event.ticket_id, event.ticket)
        return list(seen.values())


ChangeHook = Callable[[Change], None]
_hooks: list[ChangeHook] = []
_current: contextvars.ContextVar[Change | None] = contextvars.ContextVar("change", default=None)
_acting_for: contextvars.ContextVar[dict | None] = contextvars.ContextVar("acting", default=None)
_applied_with: contextvars.ContextVar[dict | None] = contextvars.ContextVar("via", default=None)

P = ParamSpec("P")
R = TypeVar("R")


def on_change(hook: ChangeHook) -> ChangeHook:
    """Register ``hook(change)`` to run at the end of every outermost ticket service call, inside
    its transaction (registered in ``AppConfig.ready``; run in registration order)."""
    if hook not in _hooks:
        _hooks.append(hook)
    return hook


def ticket_change(service: Callable[P, R]) -> Callable[P, R]:
    """Make ``service`` one atomic change: a transaction, and — for the outermost call — the
    change hooks run on the events it recorded before the transaction commits."""

    @functools.wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic():
            if _current.get() is not None:
                return service(*args, **kwargs)
            change = Change()
            token = _current.set(change)
            try:
                result = service(*args, **kwargs)
                if change.events and not is_suppressed():
                    for hook in _hooks:
                        hook(change)
            finally:
                _current.reset(token)
            return result

    return run


@contextlib.contextmanager
def acting_for(rule: dict) -> Iterator[None]:
    """Events recorded inside name ``rule`` (``{"kind": "trigger", "id": 3, "name": "…"}``) as
    what made the change."""
    token = _acting_for.set(rule)
    try:
        yield
    finally:
        _acting_for.reset(token)


@contextlib.contextmanager
def applied_with(tool: dict) -> Iterator[None]:
    """Events recorded inside were made by their actor through ``tool`` (``{"kind": "macro",
    "id": 3, "name": "…"}``), stored as ``data["via"]``: the agent still made the change (rules
    and triggers see an agent's change), and the timeline says how ("Dana (macro “Refund”)")."""
    token = _applied_with.set(tool)
    try:
        yield
    finally:
        _applied_with.reset(token)
