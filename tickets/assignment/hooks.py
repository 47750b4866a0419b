"""Where auto-assignment hears of changes: the change hook (a ticket of an assigning team left
without an assignee) and an agent coming online (waiting tickets of their teams)."""

from __future__ import annotations

import logging

from django.db import transaction

from accounts.models import Availability, User
from tickets.assignment.cache import assigning_team_ids
from tickets.events import Change
from tickets.models import EventKind, Status, Ticket

logger = logging.getLogger(__name__)

# Events that can leave an agent with room for another ticket.
_FREEING_STATUSES = (Status.SOLVED, Status.CLOSED)


def assign_on_change(change: Change) -> None:
    """Inside the change's transaction, after routing and triggers: assign each waiting ticket of
    the change whose team assigns; when the change freed an agent (a ticket solved, closed or
    reassigned), hand out the teams' waiting tickets once it commits.

    A failed assignment is logged and skipped: the change that fired it still commits."""
    from tickets.assignment.services import assign, is_waiting

    assigning = assigning_team_ids.get()  # from memory: no query when nothing assigns
    if not assigning:
        return
    for ticket in _latest_tickets(change):
        if not is_waiting(ticket) or ticket.team_id not in assigning:
            continue
        try:
            assign(ticket)
        except Exception:
            logger.exception("Auto-assignment of ticket %s failed", ticket.pk)
    if any(_frees_an_agent(event) for event in change.events):
        transaction.on_commit(queue_waiting)


def _latest_tickets(change: Change) -> list[Ticket]:
    """Each ticket of the change once, as the instance of its latest event: a hook before this
    one (routing) may have changed the ticket through another instance than the first event's."""
    latest: dict[int, Ticket] = {}
    for event in reversed(change.events):
        latest.setdefault(event.ticket_id, event.ticket)
    return list(latest.values())


def _frees_an_agent(event) -> bool:
    if event.kind == EventKind.ASSIGNEE_CHANGED:
        return bool(event.old)
    if event.kind == EventKind.STATUS_CHANGED:
        return event.new in _FREEING_STATUSES and event.ticket.assignee_id is not None
    return False


def queue_waiting(agent_id: int | None = None) -> None:
    from tickets.assignment.tasks import assign_waiting_tickets

    assign_waiting_tickets.delay(agent_id=agent_id)


def agent_came_online(sender, *, user: User, old: str, new: str, **kwargs) -> None:
    if new == Availability.ONLINE:
        transaction.on_commit(lambda: queue_waiting(user.pk))
