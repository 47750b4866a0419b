from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce, Least

from customers.models import Customer, Organization
from products.models import Component, Product, Version
from support import clock
from tickets.choices import (  # noqa: F401  (re-exported: the models' vocabulary)
    LIVE_STATUSES,
    OPEN_STATUSES,
    Channel,
    EventKind,
    MessageKind,
    Priority,
    Status,
    TicketType,
)


class Tag(models.Model):
    name = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="tag_name_not_empty")]

    def __str__(self) -> str:
        return self.name


# The most addresses a ticket copies in (``Ticket.cc``): replies go to a conversation, not a list.
MAX_CCS = 10


class TicketQuerySet(models.QuerySet["Ticket"]):
    def open(self) -> TicketQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def unassigned(self) -> TicketQuerySet:
        return self.filter(assignee__isnull=True)


# The columns reports count, group and filter tickets by (the reports app).
REPORT_COLUMNS = ["id", "assignee_id", "team_id", "organization_id", "channel"]


def priority_rank() -> Case:
    """Priority as a number, low 0 … urgent 3: what queues sort by, and the expression of the
    open tickets' priority index (the two must be the same SQL for the index to serve the sort)."""
    return Case(
        *[When(priority=p, then=Value(i)) for i, p in enumerate(Priority.values)],
        output_field=models.IntegerField(),
    )


class Ticket(models.Model):
    """A customer's request. Its number is its reference (``#1042``)."""

    subject = models.CharField(max_length=250)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=16, choices=Priority.choices, default=Priority.NORMAL)
    type = models.CharField(max_length=16, choices=TicketType.choices, default=TicketType.QUESTION)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    requester = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tickets")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="followed_tickets"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    # Who filed it (they always see it); the addresses the first mail came to (routing reads them).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="created_tickets",
    )
    mail_to = models.CharField(max_length=500, blank=True, default="")
    # People copied on the public conversation (lower-case addresses, at most ``MAX_CCS``):
    # public replies go to them too, never notes. Agents edit them; a requester's verified mail
    # adds the addresses it went to (docs/email.md, "CCs").
    cc = models.JSONField(default=list, blank=True)
    # What the request is about (products app): a version and a component of that product.
    # PROTECT: the catalog's services refuse to delete what tickets name, with the count.
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    version = models.ForeignKey(
        Version, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    component = models.ForeignKey(
        Component, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    # Custom field values by key, and the form filed with: checked by tickets.fields only.
    fields = models.JSONField(default=dict, blank=True)
    form = models.ForeignKey("tickets.TicketForm", null=True, blank=True, on_delete=models.PROTECT)

    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    # The last change a customer can see: notes and assignments leave it (ticket_touch).
    public_updated_at = models.DateTimeField(default=clock.now)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # SLA clocks, computed by services when the events that move them happen (see docs/sla.md).
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    next_reply_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    # The nearest of the three (NULL when no clock runs): queues sort by it ("most urgent first").
    # Computed by the database, so every writer (services, bulk loads, raw SQL) keeps it right.
    # LEAST over COALESCEs: each term is a non-null due time (SQLite's MIN is NULL if one is).
    sla_due_at = models.GeneratedField(
        expression=Least(
            Coalesce("first_response_due_at", "next_reply_due_at", "resolution_due_at"),
            Coalesce("next_reply_due_at", "resolution_due_at", "first_response_due_at"),
            Coalesce("resolution_due_at", "first_response_due_at", "next_reply_due_at"),
        ),
        output_field=models.DateTimeField(null=True, blank=True),
        db_persist=True,
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="ticket_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values), name="ticket_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(type__in=TicketType.values), name="ticket_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="ticket_channel_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.SOLVED) | Q(solved_at__isnull=False),
                name="ticket_solved_has_solved_at",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.CLOSED) | Q(closed_at__isnull=False),
                name="ticket_closed_has_closed_at",
            ),
            models.CheckConstraint(condition=~Q(subject=""), name="ticket_subject_not_empty"),
        ]
        indexes = [
            # Queues: newest activity first, keyset-paginated on (updated_at, id).
            models.Index(fields=["-updated_at", "-id"], name="ticket_recent_idx"),
            models.Index(fields=["status", "-updated_at", "-id"], name="ticket_status_recent_idx"),
            models.Index(fields=["team", "status", "-updated_at"], name="ticket_team_queue_idx"),
            models.Index(
                fields=["assignee", "status", "-updated_at"], name="ticket_assignee_queue_idx"
            ),
            models.Index(fields=["requester", "-updated_at"], name="ticket_requester_idx"),
            models.Index(fields=["organization", "-updated_at"], name="ticket_org_idx"),
            # What a customer lists (portal, a customer's token): newest change they can see first.
            models.Index(
                fields=["requester", "-public_updated_at", "-id"], name="ticket_req_public_idx"
            ),
            models.Index(
                fields=["organization", "-public_updated_at", "-id"], name="ticket_org_public_idx"
            ),
            # The queues proper: a team's / an agent's open tickets, newest activity first, read
            # in keyset pages straight off the index (no sort) however many closed tickets pile up.
            models.Index(
                fields=["team", "-updated_at", "-id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="ticket_team_open_idx",
            ),
            models.Index(
                fields=["assignee", "-updated_at", "-id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="ticket_assignee_open_idx",
            ),
            # A team's open tickets waiting for an assignee, oldest first: auto-assignment hands
            # them out in this order when an agent becomes free (tickets.assignment).
            models.Index(
                fields=["team", "created_at", "id"],
                condition=Q(status__in=OPEN_STATUSES, assignee__isnull=True),
                name="ticket_team_waiting_idx",
            ),
            # Open tickets by their nearest SLA due time (the "most urgent first" sort of the
            # queues, tickets.workspace.queues): all of them, and a team's.
            models.Index(
                fields=["sla_due_at", "id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="ticket_open_sla_idx",
            ),
            models.Index(
                fields=["team", "sla_due_at", "id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="ticket_team_open_sla_idx",
            ),
            # Open tickets by priority, highest first (read backwards): the queues' priority sort.
            models.Index(
                priority_rank(),
                F("id"),
                condition=Q(status__in=OPEN_STATUSES),
                name="ticket_open_priority_idx",
            ),
            # A product's / a version's tickets, newest activity first (views and API filters).
            models.Index(fields=["product", "-updated_at", "-id"], name="ticket_product_idx"),
            models.Index(fields=["version", "-updated_at", "-id"], name="ticket_version_idx"),
            models.Index(fields=["component", "-updated_at", "-id"], name="ticket_component_idx"),
            # A product's tickets created in a date range, by version (the product insight page).
            models.Index(
                fields=["product", "created_at", "version"], name="ticket_product_created_idx"
            ),
            # A team's tickets of every status, newest activity first (the "all tickets" view).
            models.Index(fields=["team", "-updated_at", "-id"], name="ticket_team_recent_idx"),
            # Reports read date ranges of creation and solving, and the open tickets, grouped by
            # and filtered on these columns (the reports app): INCLUDE makes them index-only
            # scans on PostgreSQL (other databases ignore it).
            models.Index(
                fields=["created_at"],
                include=REPORT_COLUMNS + ["first_responded_at"],
                name="ticket_created_idx",
            ),
            models.Index(
                fields=["solved_at"],
                include=REPORT_COLUMNS + ["created_at"],
                condition=Q(solved_at__isnull=False),
                name="ticket_solved_idx",
            ),
            models.Index(
                fields=["created_at"],
                include=REPORT_COLUMNS,
                condition=Q(status__in=OPEN_STATUSES),
                name="ticket_open_report_idx",
            ),
            # The automation sweep (tickets.automation.sweep) turns each time condition into a
            # range of one of these over the tickets it can still change (not closed).
            *[
                models.Index(
                    fields=[column],
                    condition=Q(status__in=LIVE_STATUSES, **{f"{column}__isnull": False}),
                    name=f"ticket_live_{short}_idx",
                )
                for column, short in (
                    ("created_at", "created"),
                    ("updated_at", "updated"),
                    ("first_response_due_at", "fr_due"),
                    ("next_reply_due_at", "nr_due"),
                    ("resolution_due_at", "res_due"),
                )
            ],
            models.Index(
                fields=["solved_at"],
                condition=Q(status=Status.SOLVED),
                name="ticket_solved_live_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        return f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def _ticket_key(to, on_delete=models.SET_NULL) -> models.ForeignKey:
    """A copy of one of the ticket's foreign keys: no constraint or index of its own (the
    reports' indexes include it), cleared with the ticket's own when its row is deleted — or,
    where the ticket's own is ``PROTECT``, left alone (``DO_NOTHING``: nothing a ticket names
    is deleted, so there is nothing to clear, and deleting what no ticket names scans no
    clocks or surveys)."""
    return models.ForeignKey(
        to,
        null=True,
        blank=True,
        on_delete=on_delete,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )


class TicketKeyed(models.Model):
    """A row counted by date in reports (an SLA clock, a CSAT survey) that carries a copy of its
    ticket's report keys: assignee, team, organization, channel, and product, version and
    component.

    Reports group these rows by agent, team and product and filter them by organization, channel,
    product, version and component; read
    through the ticket, that is a join to every ticket of the range's rows (hundreds of thousands
    at scale), the largest cost of a report. With the copy, each such part of a report reads one
    table. The services keep it current: they write ``ticket_keys_of(ticket)`` into the row when
    they make it, and ``tickets.services`` rewrites every such row of a ticket in the same
    transaction when the ticket's assignee, team, organization, product, version or component
    changes (``ticket_keys_sync``). Deleting the user, team or organization clears the copy as it
    clears the ticket's own column (``SET_NULL``); a product, version or component can't be
    deleted while a ticket names it (``PROTECT`` on the ticket), so its copy is never left
    naming a deleted one and needs no clearing (``DO_NOTHING``).
    """

    ticket_assignee = _ticket_key(settings.AUTH_USER_MODEL)
    ticket_team = _ticket_key("accounts.Team")
    ticket_organization = _ticket_key(Organization)
    # Empty until copied: a ticket always has a channel (migrations and bulk loads fill the rows
    # whose channel is still empty, see ``ticket_keys_backfill``; the database default lets rows
    # written by SQL leave it out).
    ticket_channel = models.CharField(
        max_length=16, choices=Channel.choices, blank=True, default="", db_default=""
    )
    ticket_product = _ticket_key(Product, models.DO_NOTHING)
    ticket_version = _ticket_key(Version, models.DO_NOTHING)
    ticket_component = _ticket_key(Component, models.DO_NOTHING)

    class Meta:
        abstract = True


def ticket_keys_of(ticket: Ticket) -> dict[str, object]:
    """The copy of the ticket's report keys a new ``TicketKeyed`` row is made with."""
    return {
        "ticket_assignee_id": ticket.assignee_id,
        "ticket_team_id": ticket.team_id,
        "ticket_organization_id": ticket.organization_id,
        "ticket_channel": ticket.channel,
        "ticket_product_id": ticket.product_id,
        "ticket_version_id": ticket.version_id,
        "ticket_component_id": ticket.component_id,
    }


def ticket_keyed_models() -> list[type[TicketKeyed]]:
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, TicketKeyed)]


class Message(models.Model):
    """One entry of a ticket's conversation: a public reply or an internal note."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=8, choices=MessageKind.choices, default=MessageKind.REPLY)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    body_text = models.TextField()
    # Already sanitized (nh3) when stored; safe to render as HTML.
    body_html = models.TextField(blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    created_at = models.DateTimeField(default=clock.now)
    # Mail channel: the Message-ID of the mail this message came in as (threading), and a flag for
    # mail from someone who is not part of the ticket (an agent checks it before trusting it).
    email_message_id = models.CharField(max_length=250, blank=True, db_index=True)
    needs_review = models.BooleanField(default=False)
    # A copy made by merging another ticket into this one: the ticket it came from (the timeline
    # and the portal mark it "From #123, merged").
    merged_from = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MessageKind.values), name="message_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(author_user__isnull=True) | Q(author_customer__isnull=True),
                name="message_single_author",
            ),
        ]
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on #{self.ticket_id}"

    @property
    def is_public(self) -> bool:
        return self.kind == MessageKind.REPLY

    @property
    def is_note(self) -> bool:
        return self.kind == MessageKind.NOTE

    @property
    def from_customer(self) -> bool:
        return self.author_customer_id is not None

    @property
    def author_name(self) -> str:
        if self.author_user_id:
            return self.author_user.display_name
        if self.author_customer_id:
            return self.author_customer.display_name
        return "Switchboard"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is the attachment's UUID: never the sender's file name, never guessable.
    return f"attachments/{instance.ticket_id}/{instance.id}"


class Attachment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=255)
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=127, default="application/octet-stream")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        # SVG can carry script: never shown inline.
        return self.content_type in {"image/png", "image/jpeg", "image/gif", "image/webp"}


class TicketEvent(models.Model):
    """Append-only history of a ticket: who changed what, from what, to what, when."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    field = models.CharField(max_length=32, blank=True)
    old = models.CharField(max_length=255, blank=True)
    new = models.CharField(max_length=255, blank=True)
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    # What handlers need beyond the columns above, as JSON; empty for most kinds. The SLA
    # sweep's marks carry their clock and who was responsible then (``tickets.sla.notify``).
    data = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(default=clock.now)
    # When every handler had run for it (``support.events``); null while its dispatch is owed.
    # The one field written after creation, and only by queryset ``update``.
    # Events imported under ``events.suppressed()`` are born dispatched (never replayed).
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["ticket", "at"], name="event_ticket_idx"),
            models.Index(fields=["kind", "at"], name="event_kind_idx"),
            # Small by design: only events still owed a dispatch (the beat sweep's scan).
            models.Index(
                fields=["at"],
                name="event_undispatched_idx",
                condition=Q(dispatched_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on #{self.ticket_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("Ticket events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Ticket events are append-only.")

    @property
    def actor_name(self) -> str:
        if self.actor_id:
            return self.actor.display_name
        if self.actor_customer_id:
            return self.actor_customer.display_name
        return "Switchboard"


# --- agent workspace ------------------------------------------------------------------------


class TicketSearchDocument(models.Model):
    """The searchable text of one ticket (reference, subject, messages, requester, organization).

    Rebuilt by a handler on the events that change it. On PostgreSQL a GIN index over the stored
    ``vector`` serves ranked full-text search (tickets.workspace.search)."""

    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    document = models.TextField(blank=True)
    # PostgreSQL: ``to_tsvector('english', document)``, stored so that ranking reads it instead of
    # parsing every matching document again; GIN-indexed (migration 0001). Unused on SQLite.
    vector = SearchVectorField(null=True, editable=False)
    updated_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"search document of #{self.ticket_id}"


# Sub-packages' models (the mail channel, routing and triggers, macros, SLA) live with their code;
# imported here so Django registers them with this app.
from tickets.automation.models import (  # noqa: E402, F401
    Automation,
    AutomationRun,
    RoutingRule,
    RoutingSettings,
    TicketTimes,
    Trigger,
)
from tickets.fields.models import FieldChoice, TicketField, TicketForm  # noqa: E402, F401
from tickets.macros.models import Macro  # noqa: E402, F401
from tickets.mail.models import InboundEmail, InboundStatus  # noqa: E402, F401
from tickets.sla.models import (  # noqa: E402, F401
    BusinessCalendar,
    Holiday,
    SlaPolicy,
    SlaTarget,
    TicketSla,
)
from tickets.workspace.models import CannedResponse, SavedView  # noqa: E402, F401
