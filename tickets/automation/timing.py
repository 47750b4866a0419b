"""Time conditions: which timestamp each counts from, as an indexed range filter for the sweep and
as a number of hours for evaluating one ticket in memory.

``hours_since_X`` is ``(now - X) / 3600``; ``hours_until_X`` is ``(X - now) / 3600``. Greater
than ``h`` hours since becomes ``X < now - h``, less than ``X > now - h``; until the other way.
Each column is read through a partial index over the tickets an automation can still change
(``LIVE_STATUSES``): ``Ticket``'s own timestamps and the SLA due times, or ``TicketTimes``'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from tickets.automation.models import TicketTimes
from tickets.models import LIVE_STATUSES, Status, Ticket


@dataclass(frozen=True)
class TimeField:
    column: str  # a lookup path from Ticket
    until: bool = False  # hours until the timestamp (else since)
    status: str | None = None  # only tickets in this status (pending, solved)


TIME_COLUMNS: dict[str, TimeField] = {
    "hours_since_created": TimeField("created_at"),
    "hours_since_updated": TimeField("updated_at"),
    "hours_since_status_changed": TimeField("times__status_changed_at"),
    "hours_since_pending": TimeField("times__status_changed_at", status=Status.PENDING),
    "hours_since_solved": TimeField("solved_at", status=Status.SOLVED),
    "hours_since_customer_reply": TimeField("times__customer_replied_at"),
    "hours_since_agent_reply": TimeField("times__agent_replied_at"),
    **{
        f"hours_{way}_{kind}_due": TimeField(f"{kind}_due_at", until=way == "until")
        for kind in ("first_response", "next_reply", "resolution")
        for way in ("until", "since")
    },
}


def time_conditions(conditions: dict) -> list[dict]:
    """The rule's time conditions (only in ``all``), in order: the first is the period's."""
    return [c for c in conditions.get("all", ()) if c["field"] in TIME_COLUMNS]


def range_filter(cond: dict, now: datetime) -> Q:
    """The condition as a range of its column (and the status it needs)."""
    spec = TIME_COLUMNS[cond["field"]]
    delta = timedelta(hours=cond["value"])
    greater = cond["operator"] == "greater_than"
    if spec.until:
        # hours until > h  <=>  X > now + h
        bound, lookup = now + delta, "gt" if greater else "lt"
    else:
        # hours since > h  <=>  X < now - h
        bound, lookup = now - delta, "lt" if greater else "gt"
    q = Q(**{f"{spec.column}__{lookup}": bound})
    if spec.column.startswith("times__"):
        # Read through TicketTimes' partial indexes (its own copy of the status).
        q &= Q(times__status__in=[spec.status] if spec.status else LIVE_STATUSES)
    if spec.status:
        q &= Q(status=spec.status)
    return q


def timestamp(ticket: Ticket, field: str) -> datetime | None:
    """The timestamp ``field`` counts from, for one ticket (``None``: it has none)."""
    spec = TIME_COLUMNS[field]
    if spec.status and ticket.status != spec.status:
        return None
    if spec.column.startswith("times__"):
        try:
            times = ticket.times
        except TicketTimes.DoesNotExist:
            return None
        return getattr(times, spec.column.removeprefix("times__"))
    return getattr(ticket, spec.column)


def hours(ticket: Ticket, field: str, now: datetime) -> float | None:
    at = timestamp(ticket, field)
    if at is None:
        return None
    seconds = (
        (at - now).total_seconds() if TIME_COLUMNS[field].until else (now - at).total_seconds()
    )
    return seconds / 3600


def time_holds(ticket: Ticket, cond: dict, now: datetime) -> bool:
    value = hours(ticket, cond["field"], now)
    if value is None:
        return False
    if cond["operator"] == "greater_than":
        return value > cond["value"]
    return value < cond["value"]
