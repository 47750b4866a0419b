"""The fixed vocabularies of a ticket: statuses, priorities, types, channels, message and event
kinds. `tickets.models` re-exports them; new code may import them from here."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)
# Every status but closed: what automations can still change.
LIVE_STATUSES = (*OPEN_STATUSES, Status.SOLVED)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class TicketType(models.TextChoices):
    QUESTION = "question", _("Question")
    INCIDENT = "incident", _("Incident")
    PROBLEM = "problem", _("Problem")
    TASK = "task", _("Task")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("Email")
    API = "api", _("API")


class MessageKind(models.TextChoices):
    REPLY = "reply", _("Public reply")
    NOTE = "note", _("Internal note")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    REPLIED = "replied", _("Public reply")
    NOTE_ADDED = "note_added", _("Internal note")
    STATUS_CHANGED = "status_changed", _("Status changed")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    TYPE_CHANGED = "type_changed", _("Type changed")
    SUBJECT_CHANGED = "subject_changed", _("Subject changed")
    ASSIGNEE_CHANGED = "assignee_changed", _("Assignee changed")
    TEAM_CHANGED = "team_changed", _("Team changed")
    TAG_ADDED = "tag_added", _("Tag added")
    TAG_REMOVED = "tag_removed", _("Tag removed")
    FOLLOWER_ADDED = "follower_added", _("Follower added")
    FOLLOWER_REMOVED = "follower_removed", _("Follower removed")
    REQUESTER_CHANGED = "requester_changed", _("Requester changed")
    CC_ADDED = "cc_added", _("CC added")
    CC_REMOVED = "cc_removed", _("CC removed")
    # A public message sent by mail to an outside address (recorded with an internal note).
    FORWARDED = "forwarded", _("Message forwarded")
    FIELD_CHANGED = "field_changed", _("Field changed")
    PRODUCT_CHANGED = "product_changed", _("Product changed")
    VERSION_CHANGED = "version_changed", _("Version changed")
    COMPONENT_CHANGED = "component_changed", _("Component changed")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACHED = "sla_breached", _("SLA breached")
    # Written by feedback's services (the customer's satisfaction survey of this ticket).
    CSAT_RATED = "csat_rated", _("Satisfaction rating")
    CSAT_COMMENTED = "csat_commented", _("Satisfaction comment")
    # Written by triggers (tickets.automation): a webhook to send (integrations delivers it), a
    # rule that failed and was skipped.
    TRIGGER_WEBHOOK = "trigger_webhook", _("Trigger webhook")
    RULE_FAILED = "rule_failed", _("Rule failed")
    # A rule applied an SLA policy (tickets.automation, tickets.sla.services.sla_apply_policy).
    SLA_POLICY_SET = "sla_policy_set", _("SLA policy set")
