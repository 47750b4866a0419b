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


class Automation(Rule):
    """Time-based: a beat sweep (``tickets.automation.sweep``) finds the tickets whose time
    conditions hold (read from indexes) and acts on each once per matching period."""

    kind = "automation"
    description = models.CharField(max_length=250, blank=True)

    class Meta(Rule.Meta):
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="automation_named")]


class AutomationRun(models.Model):
    """An automation acted (or failed) on a ticket for one period: the value of the timestamp its
    first time condition counts from. Unique, and written in the same transaction as the change:
    the same period is never acted on twice, across concurrent sweeps and restarts. When the
    timestamp moves (a reopen, a new reply), a new period begins."""

    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="runs")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    period_at = models.DateTimeField()
    at = models.DateTimeField(default=clock.now)
    failed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["automation", "ticket", "period_at"], name="automation_run_once"
            )
        ]
        # The purge reads old runs by age (tickets.automation.purge).
        indexes = [models.Index(fields=["at"], name="automation_run_at_idx")]

    def __str__(self) -> str:
        return f"{self.automation_id} on #{self.ticket_id} for {self.period_at:%Y-%m-%d %H:%M}"


class AutomationSweep(models.Model):
    """Where the sweep left an automation (``tickets.automation.sweep``): the moment of its last
    complete pass, of its last full pass, and the conditions it had then. A later pass reads
    only the tickets that can have come to match since: those whose time condition crossed its
    bound in between, and those changed in between."""

    automation = models.OneToOneField(
        Automation, primary_key=True, on_delete=models.CASCADE, related_name="sweep_mark"
    )
    swept_at = models.DateTimeField()
    full_at = models.DateTimeField()
    conditions = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.automation_id} swept at {self.swept_at:%Y-%m-%d %H:%M}"


# The statuses an automation can act on (a closed ticket can't change).
LIVE_STATUSES = ("new", "open", "pending", "on_hold", "solved")


class TicketTimes(models.Model):
    """When a ticket's status last changed and its last customer and agent replies, kept from its
    events by a change hook (``tickets.automation.times``), with a copy of its status so the
    automation sweep reads each of them as an indexed range of live tickets."""

    ticket = models.OneToOneField(
        "tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="times"
    )
    status = models.CharField(max_length=16)
    status_changed_at = models.DateTimeField()
    customer_replied_at = models.DateTimeField(null=True, blank=True)
    agent_replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["status", "status_changed_at"],
                condition=Q(status__in=LIVE_STATUSES),
                name="ticket_times_status_idx",
            ),
            models.Index(
                fields=["customer_replied_at"],
                condition=Q(status__in=LIVE_STATUSES),
                name="ticket_times_customer_idx",
            ),
            models.Index(
                fields=["agent_replied_at"],
                condition=Q(status__in=LIVE_STATUSES),
                name="ticket_times_agent_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Times of #{self.ticket_id}"


class WorkflowEvent(models.Model):
    """A routing rule, trigger, automation or macro created, changed, deleted or reordered,
    announced on the one event stream (``tickets.automation.announce``): written in the change's
    transaction with what the resource then was, dispatched after commit, swept again while
    ``dispatched_at`` is empty. ``integrations`` turns them into webhooks."""

    kind = models.CharField(max_length=40)  # "<resource>.<created|updated|deleted|reordered>"
    data = models.JSONField(default=dict)
    at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(
                fields=["at"],
                name="workflow_event_undisp_idx",
                condition=Q(dispatched_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"
