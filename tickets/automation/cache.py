"""The active routing rules and triggers, kept per process (``support.localcache``): every ticket
change reads them from memory. Any change to a rule, the routing settings or a calendar reloads
them, in every process. Each load compiles them (``tickets.automation.compiled``): predicates
and the trigger index are built once per generation, not per change."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models.signals import post_delete, post_save

from support.localcache import ProcessCache
from tickets.automation.compiled import CompiledRule, TriggerIndex, compile_rule
from tickets.automation.models import RoutingRule, RoutingSettings, Trigger
from tickets.sla.business_time import Calendar
from tickets.sla.models import BusinessCalendar, Holiday


@dataclass(frozen=True)
class ActiveRules:
    routing: tuple[RoutingRule, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    default_team_id: int | None = None
    calendars: dict[int, Calendar] = field(default_factory=dict)
    routing_compiled: tuple[CompiledRule, ...] = ()
    trigger_index: TriggerIndex = field(default_factory=TriggerIndex)


def _calendar_ids(rules) -> set[int]:
    ids = set()
    for rule in rules:
        for group in rule.conditions.values():
            ids.update(c["value"] for c in group if c.get("field") == "business_hours")
    return ids


def _load() -> ActiveRules:
    routing = tuple(RoutingRule.objects.filter(is_active=True).order_by("position", "id"))
    triggers = tuple(Trigger.objects.filter(is_active=True).order_by("position", "id"))
    default = RoutingSettings.objects.filter(pk=1).values_list("default_team_id", flat=True)
    ids = _calendar_ids(routing + triggers)
    calendars = (
        {c.pk: c.as_calendar() for c in BusinessCalendar.objects.filter(pk__in=ids)} if ids else {}
    )
    return ActiveRules(
        routing=routing,
        triggers=triggers,
        default_team_id=default.first(),
        calendars=calendars,
        routing_compiled=tuple(compile_rule(r) for r in routing),
        trigger_index=TriggerIndex.build(triggers),
    )


active_rules: ProcessCache[ActiveRules] = ProcessCache("automation-rules", _load)


def _changed(sender, **kwargs) -> None:
    active_rules.invalidate()


for model in (RoutingRule, Trigger, RoutingSettings, BusinessCalendar, Holiday):
    name = model.__name__
    post_save.connect(_changed, sender=model, dispatch_uid=f"automation-cache-save-{name}")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"automation-cache-delete-{name}")
post_delete.connect(_changed, sender="accounts.Team", dispatch_uid="automation-cache-team")
