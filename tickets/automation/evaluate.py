"""Evaluating a rule's conditions in memory: against the ticket as it is now, the events of the
change being handled (what changed, from what, to what) and who made the change.

Everything a condition reads beyond the ticket row (tags, the latest message, the requester) is
read once per :class:`Facts`, lazily: a hundred rules that never ask for tags cost no query.
"""

from __future__ import annotations

from functools import cached_property

from accounts.models import Team, User
from support import clock
from tickets.automation.schema import ORDERED
from tickets.automation.timing import TIME_COLUMNS, time_holds
from tickets.models import EventKind, Message, Ticket, TicketEvent
from tickets.sla.business_time import Calendar, open_periods

# The ticket's field a change event is about, by its ``field`` column.
_EVENT_FIELDS = {
    "status",
    "priority",
    "type",
    "subject",
    "team",
    "assignee",
    "tags",
    "product",
    "version",
    "component",
}
# Fields whose change events carry the old and new ids in ``data`` (names may be renamed).
_ID_FIELDS = {"product", "version", "component"}


class Facts:
    """What conditions are evaluated against, for one ticket in one change."""

    def __init__(
        self,
        ticket: Ticket,
        events: list[TicketEvent],
        *,
        calendars: dict[int, Calendar] | None = None,
    ) -> None:
        self.ticket = ticket
        self.events = events
        self.calendars = calendars or {}
        self.created = any(e.kind == EventKind.CREATED for e in events)

    @cached_property
    def changes(self) -> dict[str, list[TicketEvent]]:
        found: dict[str, list[TicketEvent]] = {}
        for event in self.events:
            if event.field in _EVENT_FIELDS:
                found.setdefault(event.field, []).append(event)
        return found

    @cached_property
    def actor(self) -> str:
        """Who made the change: the first event not made by a rule."""
        for event in self.events:
            if (event.data or {}).get("rule"):
                continue
            if event.actor_customer_id:
                return "customer"
            if event.actor_id:
                return "agent"
            return "system"
        return "system"

    @cached_property
    def tags(self) -> set[str]:
        return set(self.ticket.tags.values_list("name", flat=True))

    @cached_property
    def message(self) -> str:
        for event in reversed(self.events):
            if event.message_id and event.message is not None:
                return event.message.body_text.lower()
        latest = (
            Message.objects.filter(ticket_id=self.ticket.pk)
            .order_by("-created_at", "-id")
            .values_list("body_text", flat=True)
            .first()
        )
        return (latest or "").lower()

    @cached_property
    def requester(self) -> str:
        return (self.ticket.requester.email or "").lower()

    def current(self, field: str):
        ticket = self.ticket
        if field == "event":
            return "created" if self.created else "updated"
        if field in ("status", "priority", "type", "channel", "subject"):
            return getattr(ticket, field)
        if field in ("team", "assignee", "organization", "product", "version", "component"):
            return getattr(ticket, f"{field}_id")
        if field == "requester":
            return self.requester
        if field == "requester_domain":
            return self.requester.rpartition("@")[2]
        if field == "mail_to":
            return (ticket.mail_to or "").lower()
        if field == "message":
            return self.message
        if field == "actor":
            return self.actor
        raise KeyError(field)

    def in_business_hours(self, calendar_id: int) -> bool:
        calendar = self.calendars.get(calendar_id)
        if calendar is None:
            return False
        now = clock.now()
        for start, _end in open_periods(now, calendar):
            return start <= now
        return False


def _name_of(field: str, pk) -> str:
    if pk is None:
        return ""
    if field == "team":
        return Team.objects.filter(pk=pk).values_list("name", flat=True).first() or ""
    user = User.objects.filter(pk=pk).first()
    return user.display_name if user else ""


def _changed(facts: Facts, cond: dict) -> bool:
    field, operator, value = cond["field"], cond["operator"], cond.get("value")
    events = facts.changes.get(field, [])
    if not events and facts.created and field != "tags":
        # A new ticket: its first values count as changed to.
        current = facts.current(field)
        if operator == "changed":
            return current not in (None, "")
        if operator == "changed_to":
            return current == value
        return False
    if not events:
        return False
    if operator == "changed":
        return True
    if operator == "changed_to":
        return facts.current(field) == value
    # changed_from: events keep the old value as text (a name, for team and assignee)
    old = events[0].old
    if field in _ID_FIELDS:
        return (events[0].data or {}).get("old_id") == value
    if field in ("team", "assignee"):
        return old == _name_of(field, value)
    return old == value


def condition_holds(facts: Facts, cond: dict) -> bool:
    field, operator, value = cond["field"], cond["operator"], cond.get("value")
    if field in TIME_COLUMNS:
        return time_holds(facts.ticket, cond, clock.now())
    if operator in ("changed", "changed_to", "changed_from"):
        return _changed(facts, cond)
    if field == "business_hours":
        inside = facts.in_business_hours(value)
        return inside if operator == "is" else not inside
    if field == "tags":
        has = value.strip().lower() in facts.tags
        return has if operator == "contains" else not has
    current = facts.current(field)
    if isinstance(current, str) and isinstance(value, str):
        current, value = current.lower(), value.strip().lower()
    if operator == "is":
        return current == value
    if operator == "is_not":
        return current != value
    if operator == "contains":
        return value in (current or "")
    if operator == "not_contains":
        return value not in (current or "")
    order = ORDERED[field]
    if operator == "less_than":
        return order.index(current) < order.index(value)
    return order.index(current) > order.index(value)  # greater_than


def conditions_hold(facts: Facts, conditions: dict) -> bool:
    if not all(condition_holds(facts, c) for c in conditions.get("all", ())):
        return False
    anys = conditions.get("any", ())
    return not anys or any(condition_holds(facts, c) for c in anys)
