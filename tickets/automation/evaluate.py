"""Evaluating a rule's conditions in memory: against the ticket as it is now, the events of the
change being handled (what changed, from what, to what) and who made the change.

Everything a condition reads beyond the ticket row (tags, the latest message, the requester) is
read once per :class:`Facts`, lazily: a hundred rules that never ask for tags cost no query. When
the rules still to be evaluated ask for both the tags and the latest message, the first of them
asked for reads both in one query (``Facts.wanted``, set by the trigger hook).

``conditions_hold`` is the reference interpreter (the dry run and the sweep use it); the change
hooks run the same conditions compiled into Python closures (``tickets.automation.compiled``),
which must agree with it (``tests/tickets/automation/test_compiled.py``).
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property

from django.db import connection

from accounts.models import Team, User
from support import clock
from tickets.automation import field_rules
from tickets.automation.profile_rules import is_profile_condition
from tickets.automation.profile_rules import predicate as profile_predicate
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
        # What the rules still to be evaluated read ("tags", "message"): both, and the first read
        # fetches both in one query.
        self.wanted: frozenset[str] = frozenset()

    @cached_property
    def now(self) -> datetime:
        """The clock, read once: the compiled rules evaluate one change at one instant (the
        interpreter below reads it per condition)."""
        return clock.now()

    @cached_property
    def keys(self) -> frozenset[str]:
        """What this change is, for the trigger index: "created" or "updated", and
        "changed:<field>" for each field an event of it changed."""
        keys = {"created" if self.created else "updated"}
        keys.update(f"changed:{name}" for name in self.changes)
        keys.update(
            f"changed:{field_rules.PREFIX}{e.field}"
            for e in self.events
            if e.kind == EventKind.FIELD_CHANGED
        )
        return frozenset(keys)

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
        if "message" in self.wanted and "message" not in self.__dict__:
            if self._message_in_change() is None:
                self._read_tags_and_message()
                return self.__dict__["tags"]
        return set(self.ticket.tags.values_list("name", flat=True))

    @cached_property
    def message(self) -> str:
        body = self._message_in_change()
        if body is not None:
            return body
        if "tags" in self.wanted and "tags" not in self.__dict__:
            self._read_tags_and_message()
            return self.__dict__["message"]
        latest = (
            Message.objects.filter(ticket_id=self.ticket.pk)
            .order_by("-created_at", "-id")
            .values_list("body_text", flat=True)
            .first()
        )
        return (latest or "").lower()

    def _message_in_change(self) -> str | None:
        for event in reversed(self.events):
            if event.message_id and event.message is not None:
                return event.message.body_text.lower()
        return None

    def _read_tags_and_message(self) -> None:
        """The ticket's tag names and its latest message in one query (the same rows as the
        two separate reads above)."""
        with connection.cursor() as cursor:
            cursor.execute(_TAGS_AND_MESSAGE, [self.ticket.pk, self.ticket.pk])
            rows = cursor.fetchall()
        self.__dict__["tags"] = {value for kind, value in rows if kind == "t"}
        latest = next((value for kind, value in rows if kind == "m"), None)
        self.__dict__["message"] = (latest or "").lower()

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

    def name_of(self, field: str, pk) -> str:
        """A team's or an agent's name (what change events keep), read once per change."""
        names = self.__dict__.setdefault("_names", {})
        if (field, pk) not in names:
            names[field, pk] = _name_of(field, pk)
        return names[field, pk]

    def in_business_hours(self, calendar_id: int, now: datetime | None = None) -> bool:
        calendar = self.calendars.get(calendar_id)
        if calendar is None:
            return False
        now = now or clock.now()
        for start, _end in open_periods(now, calendar):
            return start <= now
        return False


def _tags_and_message_sql() -> str:
    # Only table names from the models' metadata are formatted in; the ids are parameters.
    tag, link, message = Ticket.tags.field.related_model, Ticket.tags.through, Message
    return (
        f"SELECT 't', tag.name FROM {tag._meta.db_table} tag"  # noqa: S608 - our tables
        f" INNER JOIN {link._meta.db_table} link ON tag.id = link.tag_id"
        " WHERE link.ticket_id = %s"
        " UNION ALL SELECT 'm', (SELECT body_text"
        f" FROM {message._meta.db_table} WHERE ticket_id = %s"
        " ORDER BY created_at DESC, id DESC LIMIT 1)"
    )


_TAGS_AND_MESSAGE = _tags_and_message_sql()


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
        return old == facts.name_of(field, value)
    return old == value


def condition_holds(facts: Facts, cond: dict) -> bool:
    field, operator, value = cond["field"], cond["operator"], cond.get("value")
    if field in TIME_COLUMNS:
        return time_holds(facts.ticket, cond, clock.now())
    if field_rules.is_field_condition(field):
        return field_rules.predicate(cond)(facts)
    if operator in ("changed", "changed_to", "changed_from"):
        return _changed(facts, cond)
    if field == "business_hours":
        inside = facts.in_business_hours(value)
        return inside if operator == "is" else not inside
    if field == "tags":
        has = value.strip().lower() in facts.tags
        return has if operator == "contains" else not has
    if is_profile_condition(field):  # an organization or customer field
        return profile_predicate(cond)(facts)
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
