from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from support import clock
from support.logs import current_request_id


class WebhookEventType(models.TextChoices):
    TICKET_CREATED = "ticket.created", _("Ticket created")
    TICKET_UPDATED = "ticket.updated", _("Ticket updated")
    TICKET_STATUS_CHANGED = "ticket.status_changed", _("Ticket status changed")
    MESSAGE_CREATED = "message.created", _("Message created")
    SLA_WARNING = "sla.warning", _("SLA warning")
    SLA_BREACHED = "sla.breached", _("SLA breached")
    FEEDBACK_ITEM_STATUS_CHANGED = "feedback.item_status_changed", _("Feedback item status changed")
    CSAT_RECEIVED = "csat.received", _("CSAT rating received")
    ARTICLE_PUBLISHED = "article.published", _("Knowledge-base article published")
    ARTICLE_UPDATED = "article.updated", _("Published knowledge-base article updated")
    # Sent only to the subscription a trigger's webhook action names (tickets.automation).
    TRIGGER_FIRED = "trigger.fired", _("Trigger fired")
    # Workflow configuration changed (tickets.automation.announce).
    ROUTING_RULE_CREATED = "routing_rule.created", _("Routing rule created")
    ROUTING_RULE_UPDATED = "routing_rule.updated", _("Routing rule updated")
    ROUTING_RULE_DELETED = "routing_rule.deleted", _("Routing rule deleted")
    ROUTING_RULE_REORDERED = "routing_rule.reordered", _("Routing rules reordered")
    TRIGGER_CREATED = "trigger.created", _("Trigger created")
    TRIGGER_UPDATED = "trigger.updated", _("Trigger updated")
    TRIGGER_DELETED = "trigger.deleted", _("Trigger deleted")
    TRIGGER_REORDERED = "trigger.reordered", _("Triggers reordered")
    AUTOMATION_CREATED = "automation.created", _("Automation created")
    AUTOMATION_UPDATED = "automation.updated", _("Automation updated")
    AUTOMATION_DELETED = "automation.deleted", _("Automation deleted")
    AUTOMATION_REORDERED = "automation.reordered", _("Automations reordered")
    MACRO_CREATED = "macro.created", _("Macro created")
    MACRO_UPDATED = "macro.updated", _("Macro updated")
    MACRO_DELETED = "macro.deleted", _("Macro deleted")
    # Sent only on request, to the one subscription an admin tests (integrations.services).
    WEBHOOK_TEST = "webhook.test", _("Test event")


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    """An integrator's URL that hears about chosen ticket events, signed with ``secret``."""

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=2000)
    event_types = models.JSONField(
        default=list, help_text="Event types to send, e.g. ticket.created."
    )
    secret = models.CharField(max_length=100, default=new_secret)
    # Internal notes are sent as message.created only when this is on.
    include_notes = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Told by mail when the subscription is disabled after repeated failures.",
    )
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    # Not the ticket status "Pending" (waiting for the customer): a delivery not made yet.
    PENDING = "pending", pgettext_lazy("webhook delivery status", "Pending")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event owed to one subscription: a row first, sent (and retried) by a Celery task."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        "tickets.TicketEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event_type = models.CharField(max_length=40, choices=WebhookEventType.choices)
    # Names a change that is not a ticket event (feedback, CSAT), so queueing it is idempotent too.
    dedupe_key = models.CharField(max_length=200, blank=True)
    payload = models.JSONField(default=dict)
    resent_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="resends"
    )
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)
    # The request (or task) that queued it, as in the log lines (support/logs.py).
    request_id = models.CharField(max_length=128, blank=True, default=current_request_id)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Makes queueing idempotent: a handler run twice for one event queues one delivery.
            models.UniqueConstraint(
                fields=["subscription", "event", "event_type"],
                condition=Q(event__isnull=False),
                name="webhook_delivery_once_per_event",
            ),
            models.UniqueConstraint(
                fields=["subscription", "event_type", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="webhook_delivery_once_per_key",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="webhook_delivery_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
            models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_log_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.subscription}"
