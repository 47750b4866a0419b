"""Ticket events: the append-only record of every change, and how the rest of the system hears.

A service calls :func:`record_event` inside its transaction. When the transaction commits, each
event is handed to a Celery task that calls every handler subscribed to its kind. Handlers live in
the app that cares (mail, webhooks, SLA, feedback) and register themselves in ``AppConfig.ready``,
so ``tickets`` never imports them. A handler may run more than once (the task retries), so it must
be idempotent.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator

from django.db import transaction

from accounts.models import User
from customers.models import Customer
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
    """Record events without publishing them: for importing history (demo data, migrations)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def is_suppressed() -> bool:
    """Inside :func:`suppressed`: other apps' events (feedback) stay quiet there too."""
    return _suppressed.get()


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
    event = TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=by if isinstance(by, User) else None,
        actor_customer=by if isinstance(by, Customer) else None,
        field=field,
        old=_text(old),
        new=_text(new),
        message=message,
    )
    if not _suppressed.get():
        transaction.on_commit(lambda: _publish(event.id))
    return event


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
        # Outbox rows (mail, webhooks) are swept and re-queued by beat, so nothing is lost.
        logger.exception("Could not queue ticket event %s", event_id)


def dispatch(event: TicketEvent) -> None:
    for handler in handlers_for(event.kind):
        handler(event)
