"""How tickets read on the agent's screen: events as sentences, SLA clocks, the timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from support import clock
from tickets.models import EventKind, Message, Status, TicketEvent


def _short(seconds: float) -> str:
    seconds = int(abs(seconds))
    if seconds < 60:
        return "now"
    for size, unit in (
        (86400 * 365, "y"),
        (86400 * 30, "mo"),
        (86400, "d"),
        (3600, "h"),
        (60, "m"),
    ):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return "now"


def ago(value: datetime | None) -> str:
    """Compact time labels for dense lists: "5m ago", "3h ago", "2d ago", "in 4h"."""
    if not value:
        return ""
    delta = (clock.now() - value).total_seconds()
    label = _short(delta)
    if label == "now":
        return "just now"
    return f"{label} ago" if delta >= 0 else f"in {label}"


# Events that are shown as their message instead of as a sentence.
MESSAGE_EVENTS = {EventKind.REPLIED, EventKind.NOTE_ADDED}

_FIELD_LABELS = {
    "status": dict(Status.choices),
}


def _value(field: str, value: str) -> str:
    return _FIELD_LABELS.get(field, {}).get(value, value).lower() if field == "status" else value


_RULE_KINDS = {
    "trigger": "Trigger",
    "automation": "Automation",
    "routing_rule": "Routing rule",
    "assignment": "Auto-assignment",
}


def _who(event: TicketEvent) -> str:
    """The person, or the rule that acted ("Trigger 'Refunds to Billing'")."""
    rule = (event.data or {}).get("rule")
    if not rule:
        return event.actor_name
    if rule.get("kind") == "routing_default":
        return "Routing (default team)"
    return f"{_RULE_KINDS.get(rule.get('kind'), 'Rule')} '{rule.get('name', '')}'"


def event_sentence(event: TicketEvent) -> str:
    """ "Dana changed priority from normal to high", readable without knowing the model;
    changes made by a rule name it: "Trigger 'Refunds to Billing' moved the ticket to Billing"."""
    who = _who(event)
    kind = event.kind
    if kind == EventKind.RULE_FAILED:
        failed = (event.data or {}).get("failed") or {}
        name = failed.get("name", "")
        return f"{_RULE_KINDS.get(failed.get('kind'), 'Rule')} '{name}' failed and was skipped"
    if kind == EventKind.TRIGGER_WEBHOOK:
        return f"{who} sent a webhook"
    old, new = _value(event.field, event.old), _value(event.field, event.new)
    if kind == EventKind.CREATED:
        return f"{who} opened the ticket"
    if kind == EventKind.REPLIED:
        return f"{who} replied"
    if kind == EventKind.NOTE_ADDED:
        return f"{who} added an internal note"
    if kind in (EventKind.TAG_ADDED,):
        return f"{who} added tag {new}"
    if kind == EventKind.TAG_REMOVED:
        return f"{who} removed tag {old}"
    if kind == EventKind.FOLLOWER_ADDED:
        return f"{who} added {new} as a follower"
    if kind == EventKind.FOLLOWER_REMOVED:
        return f"{who} removed {old} from the followers"
    if kind == EventKind.ASSIGNEE_CHANGED:
        if not new:
            return f"{who} unassigned {old}"
        return f"{who} assigned the ticket to {new}" + (f" (was {old})" if old else "")
    if kind == EventKind.TEAM_CHANGED:
        if not new:
            return f"{who} removed the team {old}"
        return f"{who} moved the ticket to {new}" + (f" (was {old})" if old else "")
    if kind == EventKind.CSAT_RATED:
        if old:
            return f"{who} changed the satisfaction rating from {old} to {new}"
        return f"{who} rated the ticket {new}"
    if kind == EventKind.CSAT_COMMENTED:
        if not new:
            return f"{who} removed the satisfaction comment"
        return f"{who} commented on the rating: “{new}”"
    field = event.field or event.get_kind_display().lower()
    if old and new:
        return f"{who} changed {field} from {old} to {new}"
    if new:
        return f"{who} set {field} to {new}"
    return f"{who}: {event.get_kind_display().lower()}"


@dataclass
class TimelineEntry:
    at: datetime
    message: Message | None = None
    event: TicketEvent | None = None
    sentence: str = ""


def timeline(messages: list[Message], events: list[TicketEvent]) -> list[TimelineEntry]:
    """Messages and change events, oldest first; events of messages are shown as the message."""
    entries = [TimelineEntry(at=m.created_at, message=m) for m in messages]
    entries += [
        TimelineEntry(at=e.at, event=e, sentence=event_sentence(e))
        for e in events
        if e.kind not in MESSAGE_EVENTS and e.kind != EventKind.CREATED
    ]
    entries.sort(key=lambda entry: (entry.at, 0 if entry.message else 1))
    return entries
