"""The fixed vocabularies of a ticket: statuses, priorities, types, channels, message and event
kinds. `tickets.models` re-exports them; new code may import them from here."""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending"
    ON_HOLD = "on_hold", "On hold"
    SOLVED = "solved", "Solved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)
# Every status but closed: what automations can still change.
LIVE_STATUSES = (*OPEN_STATUSES, Status.SOLVED)


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class TicketType(models.TextChoices):
    QUESTION = "question", "Question"
    INCIDENT = "incident", "Incident"
    PROBLEM = "problem", "Problem"
    TASK = "task", "Task"


class Channel(models.TextChoices):
    WEB = "web", "Web"
    PORTAL = "portal", "Portal"
    EMAIL = "email", "Email"
    API = "api", "API"


class MessageKind(models.TextChoices):
    REPLY = "reply", "Public reply"
    NOTE = "note", "Internal note"


class EventKind(models.TextChoices):
    CREATED = "created", "Created"
    REPLIED = "replied", "Public reply"
    NOTE_ADDED = "note_added", "Internal note"
    STATUS_CHANGED = "status_changed", "Status changed"
    PRIORITY_CHANGED = "priority_changed", "Priority changed"
    TYPE_CHANGED = "type_changed", "Type changed"
    SUBJECT_CHANGED = "subject_changed", "Subject changed"
    ASSIGNEE_CHANGED = "assignee_changed", "Assignee changed"
    TEAM_CHANGED = "team_changed", "Team changed"
    TAG_ADDED = "tag_added", "Tag added"
    TAG_REMOVED = "tag_removed", "Tag removed"
    FOLLOWER_ADDED = "follower_added", "Follower added"
    FOLLOWER_REMOVED = "follower_removed", "Follower removed"
    REQUESTER_CHANGED = "requester_changed", "Requester changed"
    CC_ADDED = "cc_added", "CC added"
    CC_REMOVED = "cc_removed", "CC removed"
    # A public message sent by mail to an outside address (recorded with an internal note).
    FORWARDED = "forwarded", "Message forwarded"
    FIELD_CHANGED = "field_changed", "Field changed"
    PRODUCT_CHANGED = "product_changed", "Product changed"
    VERSION_CHANGED = "version_changed", "Version changed"
    COMPONENT_CHANGED = "component_changed", "Component changed"
    SLA_WARNING = "sla_warning", "SLA warning"
    SLA_BREACHED = "sla_breached", "SLA breached"
    # Written by feedback's services (the customer's satisfaction survey of this ticket).
    CSAT_RATED = "csat_rated", "Satisfaction rating"
    CSAT_COMMENTED = "csat_commented", "Satisfaction comment"
    # Written by triggers (tickets.automation): a webhook to send (integrations delivers it), a
    # rule that failed and was skipped.
    TRIGGER_WEBHOOK = "trigger_webhook", "Trigger webhook"
    RULE_FAILED = "rule_failed", "Rule failed"
    # A rule applied an SLA policy (tickets.automation, tickets.sla.services.sla_apply_policy).
    SLA_POLICY_SET = "sla_policy_set", "SLA policy set"
