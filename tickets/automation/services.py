"""Saving rules: the one path the API, the admin pages and the demo data take. Each rule is
checked by ``schema.validate_rule`` and its references (teams, agents, organizations,
calendars) must exist; errors are ``ValidationFailed`` naming the field."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from accounts.models import Team, User
from customers.models import Organization
from support import clock
from support.errors import InvalidChange, UnknownReference, ValidationFailed
from tickets.automation.announce import announce, announce_reorder
from tickets.automation.models import Automation, RoutingRule, RoutingSettings, Trigger
from tickets.automation.schema import RuleError, validate_rule
from tickets.sla.models import BusinessCalendar, SlaPolicy

RuleModel = type[RoutingRule] | type[Trigger] | type[Automation]


def _check_references(conditions: dict, actions: list) -> None:
    refs = {"team": Team, "assignee": User, "organization": Organization}
    for group, items in conditions.items():
        for i, cond in enumerate(items):
            value = cond.get("value")
            model = refs.get(cond["field"]) or (
                BusinessCalendar if cond["field"] == "business_hours" else None
            )
            if cond.get("operator") == "changed":
                continue  # takes no value: one sent is ignored
            if model and value is not None and not model.objects.filter(pk=value).exists():
                raise UnknownReference(
                    gettext("No %(field)s with id %(id)s.")
                    % {"field": cond["field"].replace("_", " "), "id": value},
                    field=f"conditions.{group}[{i}].value",
                )
    for i, item in enumerate(actions):
        name, value = item["action"], item.get("value")
        at = f"actions[{i}].value"
        if name == "set_team" and not Team.objects.filter(pk=value).exists():
            raise UnknownReference(
                gettext("No team with id %(value)s.") % {"value": value}, field=at
            )
        if name == "set_sla_policy" and not SlaPolicy.objects.filter(pk=value).exists():
            raise UnknownReference(
                gettext("No SLA policy with id %(value)s.") % {"value": value}, field=at
            )
        ids = [value] if name == "set_assignee" and value else []
        ids = value if name == "add_followers" else ids
        if ids:
            agents = User.objects.filter(pk__in=ids, is_active=True, role__in=["admin", "agent"])
            if agents.count() != len(set(ids)):
                raise UnknownReference(gettext("Only active agents can be named here."), field=at)


def rule_validate(model: RuleModel, conditions, actions) -> tuple[dict, list]:
    try:
        conditions, actions = validate_rule(
            conditions, actions, routing=model is RoutingRule, automation=model is Automation
        )
    except RuleError as exc:
        raise ValidationFailed(exc.message, field=exc.field) from None
    _check_references(conditions, actions)
    return conditions, actions


@transaction.atomic
def rule_save(
    rule: RoutingRule | Trigger | Automation, *, by: User | None = None, **values
) -> RoutingRule | Trigger | Automation:
    """Create or change a rule; ``values``: name, is_active, conditions, actions, description.
    Announced (a webhook) as ``<kind>.created`` or ``.updated``, naming ``by``."""
    created = rule.pk is None
    for key, value in values.items():
        setattr(rule, key, value)
    rule.name = " ".join((rule.name or "").split())
    if not rule.name:
        raise ValidationFailed(gettext("A rule needs a name."), field="name")
    if len(rule.name) > 120:
        raise ValidationFailed(gettext("The name can be at most 120 characters."), field="name")
    rule.conditions, rule.actions = rule_validate(type(rule), rule.conditions, rule.actions)
    if rule.pk is None:
        last = type(rule).objects.aggregate(last=Max("position"))["last"]
        rule.position = 0 if last is None else last + 1
    rule.updated_at = clock.now()
    rule.save()
    announce("created" if created else "updated", rule, by=by)
    return rule


def rule_copy(
    rule: RoutingRule | Trigger | Automation, *, by: User | None = None
) -> RoutingRule | Trigger | Automation:
    """A copy named "… (copy)", last in the order and off until someone enables it."""
    copy = type(rule)(is_active=False)
    extra = {"description": rule.description} if hasattr(rule, "description") else {}
    return rule_save(
        copy,
        by=by,
        name=f"{rule.name} (copy)"[:120],
        conditions=rule.conditions,
        actions=rule.actions,
        **extra,
    )


@transaction.atomic
def rule_set_active(
    rule: RoutingRule | Trigger | Automation, active: bool, *, by: User | None = None
) -> RoutingRule | Trigger | Automation:
    if rule.is_active != active:
        rule.is_active = active
        rule.updated_at = clock.now()
        rule.save(update_fields=["is_active", "updated_at"])
        announce("updated", rule, by=by)
    return rule


@transaction.atomic
def rule_delete(rule: RoutingRule | Trigger | Automation, *, by: User | None = None) -> None:
    announce("deleted", rule, by=by)
    rule.delete()


@transaction.atomic
def rules_reorder(model: RuleModel, ids: list[int], *, by: User | None = None) -> None:
    """Put the rules in the order of ``ids`` (every rule of the kind, each once); announced as
    ``<kind>.reordered`` when the order changed."""
    existing = list(model.objects.select_for_update().order_by("position", "id"))
    if sorted(ids) != sorted(rule.pk for rule in existing) or len(set(ids)) != len(ids):
        raise InvalidChange(gettext("Give every rule's id once, in the new order."), field="ids")
    by_id = {rule.pk: rule for rule in existing}
    moved = False
    for position, pk in enumerate(ids):
        rule = by_id[pk]
        if rule.position != position:
            rule.position = position
            rule.save(update_fields=["position"])
            moved = True
    if moved:
        announce_reorder(model.kind, ids, by=by)


def rule_move(
    rule: RoutingRule | Trigger | Automation, offset: int, *, by: User | None = None
) -> None:
    ids = list(type(rule).objects.order_by("position", "id").values_list("pk", flat=True))
    index = ids.index(rule.pk)
    target = max(0, min(len(ids) - 1, index + offset))
    ids.insert(target, ids.pop(index))
    rules_reorder(type(rule), ids, by=by)


def default_team_set(team: Team | None) -> RoutingSettings:
    settings, _ = RoutingSettings.objects.get_or_create(pk=1)
    settings.default_team = team
    settings.save()
    return settings


def default_team_id() -> int | None:
    return RoutingSettings.objects.filter(pk=1).values_list("default_team_id", flat=True).first()
