"""The test button: which rules would fire on a ticket and what they would change, computed in
memory; nothing is written. Routing is tried as if the ticket were new; triggers as if it had
just been updated with no field changes (conditions on "changed" don't hold), each once.
Automations are tried as the sweep would now: their time conditions read against the clock, and
whether they already acted on the ticket in its current period."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import Team, User
from support import clock
from tickets.automation.cache import active_rules
from tickets.automation.evaluate import Facts, conditions_hold
from tickets.automation.models import Automation, AutomationRun, RoutingRule, Trigger
from tickets.automation.timing import hours, time_conditions, timestamp
from tickets.models import EventKind, Ticket, TicketEvent
from tickets.sla.models import SlaPolicy

_CHOICE = {"set_status": "status", "set_priority": "priority", "set_type": "type"}


@dataclass
class Outcome:
    kind: str
    id: int
    name: str
    matches: bool
    changes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "matches": self.matches,
            "changes": self.changes,
        }


def describe(ticket: Ticket, actions: list[dict]) -> list[str]:
    """Each action as a sentence of what it would change ("priority: normal → high")."""
    out = []
    tags = None
    for item in actions:
        name, value = item["action"], item.get("value")
        if name in _CHOICE:
            current = getattr(ticket, _CHOICE[name])
            if current != value:
                out.append(f"{_CHOICE[name]}: {current} → {value}")
        elif name == "set_team":
            if ticket.team_id != value:
                team = Team.objects.filter(pk=value).values_list("name", flat=True).first()
                out.append(f"team: {ticket.team.name if ticket.team_id else '—'} → {team}")
        elif name == "set_assignee":
            if ticket.assignee_id != value:
                user = User.objects.filter(pk=value).first() if value else None
                out.append(f"assignee: → {user.display_name if user else 'nobody'}")
        elif name in ("add_tags", "remove_tags"):
            if tags is None:
                tags = set(ticket.tags.values_list("name", flat=True))
            names = [value] if isinstance(value, str) else value
            adding = name == "add_tags"
            names = [n for n in names if (n in tags) != adding]
            if names:
                out.append(f"tags: {'+' if adding else '−'}{', '.join(names)}")
        elif name == "add_followers":
            out.append(f"followers: + {len(value)} agent(s)")
        elif name == "add_note":
            out.append("internal note")
        elif name == "mail":
            target = value["address"] if value["to"] == "address" else value["to"]
            out.append(f"mail to {target}: {value['subject']}")
        elif name == "webhook":
            out.append(f"webhook to subscription {value['subscription']}")
        elif name == "set_sla_policy":
            policy = SlaPolicy.objects.filter(pk=value).values_list("name", flat=True).first()
            out.append(f"SLA policy: → {policy or value}")
    return out


def dry_run(ticket: Ticket, *, rules: list | None = None) -> dict:
    active = active_rules.get()
    created = [TicketEvent(ticket=ticket, kind=EventKind.CREATED)]
    routing_facts = Facts(ticket, created, calendars=active.calendars)
    trigger_facts = Facts(ticket, [], calendars=active.calendars)
    routing = list(RoutingRule.objects.order_by("position", "id")) if rules is None else []
    triggers = list(Trigger.objects.order_by("position", "id")) if rules is None else []
    for rule in rules or []:
        (routing if isinstance(rule, RoutingRule) else triggers).append(rule)
    result = {"ticket": ticket.pk, "routing": [], "triggers": []}
    routed = False
    for rule in routing:
        matches = rule.is_active and not routed and conditions_hold(routing_facts, rule.conditions)
        routed = routed or matches
        outcome = Outcome("routing_rule", rule.pk, rule.name, matches)
        if matches:
            outcome.changes = describe(ticket, rule.actions)
        result["routing"].append(outcome.as_dict())
    for trigger in triggers:
        matches = trigger.is_active and conditions_hold(trigger_facts, trigger.conditions)
        outcome = Outcome("trigger", trigger.pk, trigger.name, matches)
        if matches:
            outcome.changes = describe(ticket, trigger.actions)
        result["triggers"].append(outcome.as_dict())
    return result


def automation_dry_run(ticket: Ticket, *, automations: list[Automation] | None = None) -> dict:
    """Which automations would act on ``ticket`` if the sweep ran now, and what they would change.
    Each outcome also gives the hours each time condition reads ("hours": {field: n}) and
    whether this period was already acted on ("done": the sweep would skip it)."""
    active = active_rules.get()
    facts = Facts(ticket, [], calendars=active.calendars)
    if automations is None:
        automations = list(Automation.objects.order_by("position", "id"))
    now = clock.now()
    result = {"ticket": ticket.pk, "automations": []}
    for automation in automations:
        matches = automation.is_active and conditions_hold(facts, automation.conditions)
        outcome = Outcome("automation", automation.pk, automation.name, matches).as_dict()
        times = time_conditions(automation.conditions)
        outcome["hours"] = {
            c["field"]: _rounded(hours(ticket, c["field"], now)) for c in times if c["field"]
        }
        done = False
        if matches and automation.pk and times:
            period = timestamp(ticket, times[0]["field"])
            done = AutomationRun.objects.filter(
                automation=automation, ticket=ticket, period_at=period
            ).exists()
        outcome["done"] = done
        if matches and not done:
            outcome["changes"] = describe(ticket, automation.actions)
        result["automations"].append(outcome)
    return result


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
