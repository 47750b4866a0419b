"""Each ticket's times the automations count from and the ticket row doesn't hold: when its
status last changed, its last customer reply and its last agent reply (``TicketTimes``).

Kept by a change hook from the change's events, inside its transaction (so a ticket's times are
never behind its status); tickets imported with events suppressed, or from before automations,
get theirs from :func:`times_backfill` (the migration and the demo call it).
"""

from __future__ import annotations

from django.db.models import Max, OuterRef, Q, Subquery

from tickets import events
from tickets.automation.models import TicketTimes
from tickets.models import EventKind, Ticket, TicketEvent


def register() -> None:
    events.on_change(keep_times)


def keep_times(change: events.Change) -> None:
    """One write per ticket whose times moved (none for a change that moves none of them)."""
    touched: dict[int, tuple[Ticket, dict]] = {}
    for event in change.events:
        ticket, seen = touched.setdefault(event.ticket_id, (event.ticket, {}))
        if event.kind == EventKind.CREATED:
            seen["new"] = True
        if event.kind in (EventKind.CREATED, EventKind.STATUS_CHANGED):
            seen["status_changed_at"] = event.at
        if event.kind in (EventKind.CREATED, EventKind.REPLIED):
            by = _author(event)
            if by == "customer":
                seen["customer_replied_at"] = event.at
            elif by == "agent" and event.kind == EventKind.REPLIED:
                seen["agent_replied_at"] = event.at
    for ticket_id, (ticket, seen) in touched.items():
        if not seen:
            continue
        seen["status"] = ticket.status
        if not seen.pop("new", False) and TicketTimes.objects.filter(ticket_id=ticket_id).update(
            **seen
        ):
            continue
        # New, or from before automations and never backfilled: start its times now.
        seen.setdefault("status_changed_at", ticket.created_at)
        TicketTimes.objects.create(ticket_id=ticket_id, **seen)


def _author(event: TicketEvent) -> str:
    """Who wrote the message of a created/replied event: the message's author, else the actor."""
    message = event.message if event.message_id else None
    if message is not None and (message.author_user_id or message.author_customer_id):
        return "agent" if message.author_user_id else "customer"
    if event.actor_customer_id:
        return "customer"
    return "agent" if event.actor_id else ""


def times_backfill(ticket_model=Ticket, event_model=TicketEvent, times_model=TicketTimes) -> int:
    """Create the times of tickets that have none, from their events (or their creation).
    Takes the models as arguments so a migration can pass its historical ones."""
    latest = event_model.objects.filter(ticket=OuterRef("pk")).values("ticket")
    rows = (
        ticket_model.objects.filter(times__isnull=True)
        .annotate(
            changed=Subquery(
                latest.filter(kind=EventKind.STATUS_CHANGED).annotate(m=Max("at")).values("m")
            ),
            customer=Subquery(
                latest.filter(
                    Q(kind=EventKind.CREATED) | Q(kind=EventKind.REPLIED),
                    actor_customer__isnull=False,
                )
                .annotate(m=Max("at"))
                .values("m")
            ),
            agent=Subquery(
                latest.filter(kind=EventKind.REPLIED, actor__isnull=False)
                .annotate(m=Max("at"))
                .values("m")
            ),
        )
        .values_list("pk", "status", "created_at", "changed", "customer", "agent")
    )
    made = times_model.objects.bulk_create(
        times_model(
            ticket_id=pk,
            status=status,
            status_changed_at=changed or created,
            customer_replied_at=customer,
            agent_replied_at=agent,
        )
        for pk, status, created, changed, customer, agent in rows.iterator()
    )
    return len(made)
