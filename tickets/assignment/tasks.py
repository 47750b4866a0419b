"""Celery tasks of auto-assignment. Thin: the rules live in ``tickets.assignment.services``."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def assign_waiting_tickets(agent_id: int | None = None) -> int:
    """Queued when an agent comes online or a ticket frees one: hand out waiting tickets."""
    from tickets.assignment.services import assign_waiting

    return assign_waiting(agent_id=agent_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_assignment() -> dict[str, int]:
    """Beat, every ``ASSIGNMENT_SWEEP_SECONDS``: set away the agents online without a heartbeat,
    return tickets of agents away too long, then hand out waiting tickets to whoever is free
    (idempotent; a missed prompt is caught here)."""
    from accounts.services import agents_expire_away
    from tickets.assignment.services import assign_waiting, return_from_away

    expired = agents_expire_away()
    returned = return_from_away()
    return {"expired": len(expired), "returned": returned, "assigned": assign_waiting()}
