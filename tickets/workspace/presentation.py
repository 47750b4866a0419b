"""How tickets read on the agent's screen: events as sentences, SLA clocks, the timeline."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from django.utils import timezone

from support import clock
from tickets.models import EventKind, Message, Priority, Status, TicketEvent, TicketType
from tickets.sla.models import TargetKind


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
MESSAGE_EVENTS = {EventKind.REPLIED, EventKind.NOTE_ADDED, EventKind.FORWARDED}

# What a person calls each value stored in an event's ``old``/``new`` (the model's labels).
_VALUE_LABELS = {
    "status": dict(Status.choices),
    "priority": dict(Priority.choices),
    "type": dict(TicketType.choices),
    "rating": {"good": "Good", "bad": "Bad"},
}
_FIELD_NAMES = {"status": "status", "priority": "priority", "type": "type"}
_SLA_CLOCKS = dict(TargetKind.choices)
_PRODUCT_PARTS = {
    EventKind.PRODUCT_CHANGED: "product",
    EventKind.VERSION_CHANGED: "version",
    EventKind.COMPONENT_CHANGED: "component",
}
_RULE_KINDS = {
    "trigger": "Trigger",
    "automation": "Automation",
    "routing_rule": "Routing rule",
    "assignment": "Auto-assignment",
    "macro": "Macro",
}


def _value(field: str, value: str) -> str:
    return str(_VALUE_LABELS.get(field, {}).get(value, value))


def _quoted(name: str) -> str:
    return f"“{name}”"


def _rule_name(rule: dict) -> str:
    if rule.get("kind") == "routing_default":
        return "Routing (default team)"
    return f"{_RULE_KINDS.get(rule.get('kind'), 'Rule')} {_quoted(rule.get('name', ''))}"


def _who(event: TicketEvent) -> str:
    """The person, or the rule that acted (“Trigger “Refunds to Billing””); a person who acted
    through a macro with it ("Dana Reyes (macro “Refund”)")."""
    data = event.data or {}
    rule = data.get("rule")
    if rule:
        return _rule_name(rule)
    via = data.get("via")
    if via:
        tool = _RULE_KINDS.get(via.get("kind"), "Rule").lower()
        return f"{event.actor_name} ({tool} {_quoted(via.get('name', ''))})"
    return event.actor_name


def when_label(value: datetime, zone: tzinfo | None = None) -> str:
    """A time as a person says it, in ``zone`` (the agent's): "Tue 14:00" within the week around
    today, "12 Mar 14:00" further off, with the year when it is not this one."""
    zone = zone or timezone.get_current_timezone()
    local = value.astimezone(zone)
    today = clock.now().astimezone(zone).date()
    days = abs((local.date() - today).days)
    clock_time = local.strftime("%H:%M")
    if days == 0:
        return f"today {clock_time}"
    if days < 6:
        return f"{local.strftime('%a')} {clock_time}"
    if local.year == today.year:
        return f"{local.day} {local.strftime('%b')} {clock_time}"
    return f"{local.day} {local.strftime('%b')} {local.year} {clock_time}"


def _stamp(text: str) -> datetime | None:
    """The time in an SLA mark's "due 2026-03-10T14:00:00+00:00" / "breach at …"."""
    found = _ISO.search(text or "")
    if not found:
        return None
    try:
        return datetime.fromisoformat(found.group(0))
    except ValueError:
        return None


_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?")


def _sla_sentence(event: TicketEvent, zone: tzinfo | None) -> str:
    clock_name = _SLA_CLOCKS.get(event.field, "response").lower()
    due = _stamp(event.old)
    due_text = f" due {when_label(due, zone)}" if due else ""
    if event.kind == EventKind.SLA_BREACHED:
        return f"SLA breached: {clock_name}" + (f" (was{due_text})" if due else "")
    return f"SLA at risk: {clock_name}{due_text}"


def event_sentence(event: TicketEvent, zone: tzinfo | None = None) -> str:
    """ "Dana changed priority from Normal to High", readable without knowing the model: no
    field names, ids or raw timestamps. Changes made by a rule name it: "Trigger “Refunds to
    Billing” moved this to Billing". Times are in ``zone`` (the agent's; default: the active one).
    """
    who = _who(event)
    kind = event.kind
    if kind in (EventKind.SLA_WARNING, EventKind.SLA_BREACHED):
        return _sla_sentence(event, zone)
    if kind == EventKind.RULE_FAILED:
        failed = (event.data or {}).get("failed") or {}
        return f"{_rule_name(failed)} failed and was skipped"
    if kind == EventKind.TRIGGER_WEBHOOK:
        return f"{who} sent a webhook"
    old, new = _value(event.field, event.old), _value(event.field, event.new)
    if kind == EventKind.CREATED:
        return f"{who} opened the ticket"
    if kind == EventKind.REPLIED:
        return f"{who} replied"
    if kind == EventKind.NOTE_ADDED:
        return f"{who} added an internal note"
    if kind == EventKind.TAG_ADDED:
        return f"{who} added the tag {_quoted(new)}"
    if kind == EventKind.TAG_REMOVED:
        return f"{who} removed the tag {_quoted(old)}"
    if kind == EventKind.FOLLOWER_ADDED:
        return f"{who} added {new} as a follower"
    if kind == EventKind.FOLLOWER_REMOVED:
        return f"{who} removed {old} from the followers"
    if kind == EventKind.ASSIGNEE_CHANGED:
        if not new:
            return f"{who} unassigned {old}" if old else f"{who} unassigned this"
        if event.actor_id and new == event.actor_name and not (event.data or {}).get("rule"):
            return f"{who} took this" + (f" (was {old})" if old else "")
        return f"{who} assigned this to {new}" + (f" (was {old})" if old else "")
    if kind == EventKind.FIELD_CHANGED:
        label = (event.data or {}).get("label") or "a field"
        if not event.new:
            return f"{who} cleared {label} (was {event.old})"
        if not event.old:
            return f"{who} set {label} to {event.new}"
        return f"{who} changed {label} from {event.old} to {event.new}"
    if kind in _PRODUCT_PARTS:
        part = _PRODUCT_PARTS[kind]
        if not new:
            return f"{who} cleared the {part} (was {old})"
        if not old:
            return f"{who} set the {part} to {new}"
        return f"{who} changed the {part} from {old} to {new}"
    if kind == EventKind.TEAM_CHANGED:
        if not new:
            return f"{who} removed this from {old}"
        return f"{who} moved this to {new}" + (f" (was {old})" if old else "")
    if kind == EventKind.SUBJECT_CHANGED:
        return f"{who} renamed this from {_quoted(old)} to {_quoted(new)}"
    if kind == EventKind.CC_ADDED:
        return f"{who} copied in {new}"
    if kind == EventKind.CC_REMOVED:
        return f"{who} stopped copying {old}"
    if kind == EventKind.FORWARDED:
        return f"{who} forwarded a message to {new}"
    if kind == EventKind.REQUESTER_CHANGED:
        return f"{who} changed the requester from {old} to {new}"
    if kind == EventKind.CSAT_RATED:
        if old:
            return f"{who} changed the satisfaction rating from {old} to {new}"
        return f"{who} rated the ticket {new}"
    if kind == EventKind.CSAT_COMMENTED:
        if not new:
            return f"{who} removed the satisfaction comment"
        return f"{who} commented on the rating: “{new}”"
    what = _FIELD_NAMES.get(event.field) or _KIND_FIELDS.get(kind, "a field")
    if old and new:
        return f"{who} changed {what} from {old} to {new}"
    if new:
        return f"{who} set {what} to {new}"
    return f"{who} cleared {what}"


_KIND_FIELDS = {
    EventKind.STATUS_CHANGED: "status",
    EventKind.PRIORITY_CHANGED: "priority",
    EventKind.TYPE_CHANGED: "type",
    EventKind.SLA_POLICY_SET: "SLA policy",
}


@dataclass
class TimelineEntry:
    """One line of the timeline: a message, an event, or a run of consecutive events
    (``group``: shown collapsed as "4 changes by Sam")."""

    at: datetime
    message: Message | None = None
    event: TicketEvent | None = None
    sentence: str = ""
    group: list[TimelineEntry] = field(default_factory=list)
    summary: str = ""


def _group_summary(entries: list[TimelineEntry]) -> str:
    names: list[str] = []
    for entry in entries:
        name = _who(entry.event) if entry.event else ""
        if name and name not in names:
            names.append(name)
    if len(names) > 2:
        by = f"{names[0]}, {names[1]} and {len(names) - 2} more"
    else:
        by = " and ".join(names)
    return f"{len(entries)} changes by {by}" if by else f"{len(entries)} changes"


def timeline(
    messages: list[Message], events: list[TicketEvent], zone: tzinfo | None = None
) -> list[TimelineEntry]:
    """Messages and change events, oldest first; events of messages are shown as the message.
    Two or more events in a row (no message between) become one collapsed group."""
    entries = [TimelineEntry(at=m.created_at, message=m) for m in messages]
    entries += [
        TimelineEntry(at=e.at, event=e, sentence=event_sentence(e, zone))
        for e in events
        if e.kind not in MESSAGE_EVENTS and e.kind != EventKind.CREATED
    ]
    entries.sort(key=lambda entry: (entry.at, 0 if entry.message else 1))
    folded: list[TimelineEntry] = []
    run: list[TimelineEntry] = []

    def close_run() -> None:
        if len(run) > 1:
            last = run[-1]
            folded.append(TimelineEntry(at=last.at, group=list(run), summary=_group_summary(run)))
        else:
            folded.extend(run)
        run.clear()

    for entry in entries:
        if entry.event is not None:
            run.append(entry)
            continue
        close_run()
        folded.append(entry)
    close_run()
    return folded
