"""Routing rules and triggers: rules are data (conditions and actions as validated JSON, see
``tickets.automation.schema``), tried in order (``position``)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from support import clock


class Rule(models.Model):
    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    # {"all": [{"field", "operator", "value"}, ...], "any": [...]}; empty matches every ticket.
    conditions = models.JSONField(default=dict, blank=True)
    # [{"action": "set_team", "value": 3}, ...]
    actions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def as_attribution(self) -> dict:
        return {"kind": self.kind, "id": self.pk, "name": self.name}


class RoutingRule(Rule):
    """Tried in order for every new ticket; the first that matches routes it."""

    kind = "routing_rule"

    class Meta(Rule.Meta):
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="routing_rule_named")]


class Trigger(Rule):
    """Runs on every ticket change (created or updated) whose conditions match, in order."""

    kind = "trigger"
    description = models.CharField(max_length=250, blank=True)

    class Meta(Rule.Meta):
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="trigger_named")]


class RoutingSettings(models.Model):
    """One row: the team a new ticket gets when no routing rule names one."""

    default_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="routing_settings_one_row")]

    def __str__(self) -> str:
        return "Routing settings"
