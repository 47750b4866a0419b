"""How tickets read on the agent's screen: events as sentences, SLA clocks, the timeline."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from support import clock
from support.i18n import per_language
from tickets.models import Channel, EventKind, Message, Priority, Status, TicketEvent, TicketType
from tickets.sla.models import TargetKind
from tickets.sla.selectors import ClockWords, clock_words

_SPANS = (
    (86400 * 365, pgettext_lazy("time span, short", "%(n)sy")),
    (86400 * 30, pgettext_lazy("time span, short", "%(n)smo")),
    (86400, pgettext_lazy("time span, short", "%(n)sd")),
    (3600, pgettext_lazy("time span, short", "%(n)sh")),
    (60, pgettext_lazy("time span, short", "%(n)sm")),
)


@dataclass(frozen=True)
class Words:
    """The words a queue row repeats, in one language (``words()``): a loop over 200 rows asks
    once and reads plain strings, instead of a ``gettext`` per row and label."""

    spans: tuple[tuple[int, str], ...]
    just_now: str
    ago: str  # "%(span)s ago"
    later: str  # "in %(span)s"
    status: dict[str, str]
    priority: dict[str, str]
    channel: dict[str, str]
    sla: ClockWords


@per_language
def words() -> Words:
    return Words(
        spans=tuple((size, str(unit)) for size, unit in _SPANS),
        just_now=_("just now"),
        ago=_("%(span)s ago"),
        later=_("in %(span)s"),
        status={value: str(label) for value, label in Status.choices},
        priority={value: str(label) for value, label in Priority.choices},
        channel={value: str(label) for value, label in Channel.choices},
        sla=clock_words(),
    )


def span(seconds: float, vocabulary: Words | None = None) -> str:
    """A compact length of time in the active language: "5m", "3h", "2d" ("5 Min.", "3 Std.")."""
    seconds = int(abs(seconds))
    for size, unit in (vocabulary or words()).spans:
        if seconds >= size:
            return unit % {"n": seconds // size}
    return ""


def ago(value: datetime | None, vocabulary: Words | None = None) -> str:
    """Compact time labels for dense lists: "5m ago", "3h ago", "2d ago", "in 4h"."""
    if not value:
        return ""
    vocabulary = vocabulary or words()
    delta = (clock.now() - value).total_seconds()
    label = span(delta, vocabulary)
    if not label:
        return vocabulary.just_now
    return (vocabulary.ago if delta >= 0 else vocabulary.later) % {"span": label}


# Events that are shown as their message instead of as a sentence.
MESSAGE_EVENTS = {EventKind.REPLIED, EventKind.NOTE_ADDED, EventKind.FORWARDED}

# What a person calls each value stored in an event's ``old``/``new`` (the model's labels,
# translated when they are read).
_VALUE_LABELS = {
    "status": dict(Status.choices),
    "priority": dict(Priority.choices),
    "type": dict(TicketType.choices),
    "rating": {"good": gettext_lazy("Good"), "bad": gettext_lazy("Bad")},
}
_FIELD_NAMES = {
    "status": gettext_lazy("status"),
    "priority": gettext_lazy("priority"),
    "type": gettext_lazy("type"),
}
_SLA_CLOCKS = {
    TargetKind.FIRST_RESPONSE: gettext_lazy("first response"),
    TargetKind.NEXT_REPLY: gettext_lazy("next reply"),
    TargetKind.RESOLUTION: gettext_lazy("resolution"),
}
_RULE_KINDS = {
    "trigger": gettext_lazy("Trigger %(name)s"),
    "automation": gettext_lazy("Automation %(name)s"),
    "routing_rule": gettext_lazy("Routing rule %(name)s"),
    "assignment": gettext_lazy("Auto-assignment %(name)s"),
    "macro": gettext_lazy("Macro %(name)s"),
}
_VIA_KINDS = {
    "trigger": gettext_lazy("%(who)s (trigger %(name)s)"),
    "automation": gettext_lazy("%(who)s (automation %(name)s)"),
    "routing_rule": gettext_lazy("%(who)s (routing rule %(name)s)"),
    "assignment": gettext_lazy("%(who)s (auto-assignment %(name)s)"),
    "macro": gettext_lazy("%(who)s (macro %(name)s)"),
}


def _value(field: str, value: str) -> str:
    return str(_VALUE_LABELS.get(field, {}).get(value, value))


def _quoted(name: str) -> str:
    return _("“%(name)s”") % {"name": name}


def _rule_name(rule: dict) -> str:
    if rule.get("kind") == "routing_default":
        return _("Routing (default team)")
    pattern = _RULE_KINDS.get(rule.get("kind"), gettext_lazy("Rule %(name)s"))
    return str(pattern) % {"name": _quoted(rule.get("name", ""))}


def _who(event: TicketEvent) -> str:
    """The person, or the rule that acted (“Trigger “Refunds to Billing””); a person who acted
    through a macro with it ("Dana Reyes (macro “Refund”)")."""
    data = event.data or {}
    rule = data.get("rule")
    if rule:
        return _rule_name(rule)
    via = data.get("via")
    if via:
        pattern = _VIA_KINDS.get(via.get("kind"), gettext_lazy("%(who)s (rule %(name)s)"))
        return str(pattern) % {"who": event.actor_name, "name": _quoted(via.get("name", ""))}
    return event.actor_name


def when_label(value: datetime, zone: tzinfo | None = None) -> str:
    """A time as a person says it, in ``zone`` (the agent's) and the active language: "Tue 14:00"
    ("Di 14:00") within the week around today, "12 Mar 14:00" ("12. Mär 14:00") further off, with
    the year when it is not this one. The patterns are Django date formats, translated."""
    zone = zone or timezone.get_current_timezone()
    local = value.astimezone(zone)
    today = clock.now().astimezone(zone).date()
    days = abs((local.date() - today).days)
    if days == 0:
        return _("today %(time)s") % {"time": date_format(local, "H:i")}
    if days < 6:
        return date_format(local, pgettext("date within the week", "D H:i"))
    if local.year == today.year:
        return date_format(local, pgettext("date this year", "j M H:i"))
    return date_format(local, pgettext("date another year", "j M Y H:i"))


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
    clock_name = str(_SLA_CLOCKS.get(event.field, gettext_lazy("response")))
    due = _stamp(event.old)
    values = {"clock": clock_name, "when": when_label(due, zone) if due else ""}
    if event.kind == EventKind.SLA_BREACHED:
        if due:
            return _("SLA breached: %(clock)s (was due %(when)s)") % values
        return _("SLA breached: %(clock)s") % values
    if due:
        return _("SLA at risk: %(clock)s due %(when)s") % values
    return _("SLA at risk: %(clock)s") % values


def event_sentence(event: TicketEvent, zone: tzinfo | None = None) -> str:
    """ "Dana changed priority from Normal to High", readable without knowing the model: no
    field names, ids or raw timestamps, in the active language. Changes made by a rule name it:
    "Trigger “Refunds to Billing” moved this to Billing". Times are in ``zone`` (the agent's;
    default: the active one).
    """
    kind = event.kind
    if kind in (EventKind.SLA_WARNING, EventKind.SLA_BREACHED):
        return _sla_sentence(event, zone)
    if kind == EventKind.RULE_FAILED:
        failed = (event.data or {}).get("failed") or {}
        return _("%(rule)s failed and was skipped") % {"rule": _rule_name(failed)}
    who = _who(event)
    if kind == EventKind.TRIGGER_WEBHOOK:
        return _("%(who)s sent a webhook") % {"who": who}
    old, new = _value(event.field, event.old), _value(event.field, event.new)
    v = {"who": who, "old": old, "new": new}
    if kind == EventKind.ASSIGNEE_CHANGED:
        if not new:
            return (_("%(who)s unassigned %(old)s") if old else _("%(who)s unassigned this")) % v
        if event.actor_id and new == event.actor_name and not (event.data or {}).get("rule"):
            return (_("%(who)s took this (was %(old)s)") if old else _("%(who)s took this")) % v
        if old:
            return _("%(who)s assigned this to %(new)s (was %(old)s)") % v
        return _("%(who)s assigned this to %(new)s") % v
    if kind == EventKind.FIELD_CHANGED:
        v.update(
            field=(event.data or {}).get("label") or _("a field"), old=event.old, new=event.new
        )
        if not event.new:
            return _("%(who)s cleared %(field)s (was %(old)s)") % v
        if not event.old:
            return _("%(who)s set %(field)s to %(new)s") % v
        return _("%(who)s changed %(field)s from %(old)s to %(new)s") % v
    if kind in _PRODUCT_PARTS:
        cleared, set_to, changed = _PRODUCT_PARTS[kind]
        if not new:
            return str(cleared) % v
        if not old:
            return str(set_to) % v
        return str(changed) % v
    if kind == EventKind.TEAM_CHANGED:
        if not new:
            return _("%(who)s removed this from %(old)s") % v
        if old:
            return _("%(who)s moved this to %(new)s (was %(old)s)") % v
        return _("%(who)s moved this to %(new)s") % v
    if kind == EventKind.SUBJECT_CHANGED:
        v.update(old=_quoted(old), new=_quoted(new))
        return _("%(who)s renamed this from %(old)s to %(new)s") % v
    if kind == EventKind.CSAT_RATED:
        if old:
            return _("%(who)s changed the satisfaction rating from %(old)s to %(new)s") % v
        return _("%(who)s rated the ticket %(new)s") % v
    if kind == EventKind.CSAT_COMMENTED:
        if not new:
            return _("%(who)s removed the satisfaction comment") % v
        return _("%(who)s commented on the rating: “%(new)s”") % v
    if kind in _SENTENCES:
        if kind in (EventKind.TAG_ADDED, EventKind.TAG_REMOVED):
            v.update(old=_quoted(old), new=_quoted(new))
        return str(_SENTENCES[kind]) % v
    v["field"] = _FIELD_NAMES.get(event.field) or _KIND_FIELDS.get(kind) or _("a field")
    if old and new:
        return _("%(who)s changed %(field)s from %(old)s to %(new)s") % v
    if new:
        return _("%(who)s set %(field)s to %(new)s") % v
    return _("%(who)s cleared %(field)s") % v


# One sentence per kind, whatever its values.
_SENTENCES = {
    EventKind.CREATED: gettext_lazy("%(who)s opened the ticket"),
    EventKind.REPLIED: gettext_lazy("%(who)s replied"),
    EventKind.NOTE_ADDED: gettext_lazy("%(who)s added an internal note"),
    EventKind.TAG_ADDED: gettext_lazy("%(who)s added the tag %(new)s"),
    EventKind.TAG_REMOVED: gettext_lazy("%(who)s removed the tag %(old)s"),
    EventKind.FOLLOWER_ADDED: gettext_lazy("%(who)s added %(new)s as a follower"),
    EventKind.FOLLOWER_REMOVED: gettext_lazy("%(who)s removed %(old)s from the followers"),
    EventKind.CC_ADDED: gettext_lazy("%(who)s copied in %(new)s"),
    EventKind.CC_REMOVED: gettext_lazy("%(who)s stopped copying %(old)s"),
    EventKind.FORWARDED: gettext_lazy("%(who)s forwarded a message to %(new)s"),
    EventKind.REQUESTER_CHANGED: gettext_lazy(
        "%(who)s changed the requester from %(old)s to %(new)s"
    ),
}
# (cleared, set, changed) for the product, version and component.
_PRODUCT_PARTS = {
    EventKind.PRODUCT_CHANGED: (
        gettext_lazy("%(who)s cleared the product (was %(old)s)"),
        gettext_lazy("%(who)s set the product to %(new)s"),
        gettext_lazy("%(who)s changed the product from %(old)s to %(new)s"),
    ),
    EventKind.VERSION_CHANGED: (
        gettext_lazy("%(who)s cleared the version (was %(old)s)"),
        gettext_lazy("%(who)s set the version to %(new)s"),
        gettext_lazy("%(who)s changed the version from %(old)s to %(new)s"),
    ),
    EventKind.COMPONENT_CHANGED: (
        gettext_lazy("%(who)s cleared the component (was %(old)s)"),
        gettext_lazy("%(who)s set the component to %(new)s"),
        gettext_lazy("%(who)s changed the component from %(old)s to %(new)s"),
    ),
}
_KIND_FIELDS = {
    EventKind.STATUS_CHANGED: gettext_lazy("status"),
    EventKind.PRIORITY_CHANGED: gettext_lazy("priority"),
    EventKind.TYPE_CHANGED: gettext_lazy("type"),
    EventKind.SLA_POLICY_SET: gettext_lazy("SLA policy"),
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
    count = len(entries)
    if len(names) > 2:
        by = ngettext(
            "%(first)s, %(second)s and %(count)s more",
            "%(first)s, %(second)s and %(count)s more",
            len(names) - 2,
        ) % {"first": names[0], "second": names[1], "count": len(names) - 2}
    elif len(names) == 2:
        by = _("%(first)s and %(second)s") % {"first": names[0], "second": names[1]}
    else:
        by = names[0] if names else ""
    if by:
        return ngettext("%(count)s change by %(by)s", "%(count)s changes by %(by)s", count) % {
            "count": count,
            "by": by,
        }
    return ngettext("%(count)s change", "%(count)s changes", count) % {"count": count}


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
