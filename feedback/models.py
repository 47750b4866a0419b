"""CSAT surveys and product feedback items linked to the tickets that are evidence for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, Organization
from support import clock
from tickets.models import Ticket, TicketKeyed

# --- CSAT -----------------------------------------------------------------------------------


class Rating(models.TextChoices):
    GOOD = "good", _("Good")
    BAD = "bad", _("Bad")


class CsatSurveyQuerySet(models.QuerySet["CsatSurvey"]):
    def sent(self) -> CsatSurveyQuerySet:
        return self.filter(sent_at__isnull=False)

    def answered(self) -> CsatSurveyQuerySet:
        return self.filter(answered_at__isnull=False)


class CsatSurvey(TicketKeyed):
    """ "How did we do?" for one solved ticket: at most one per ticket, ever.

    Created when the ticket is solved with ``due_at`` in the future; a beat sweep sends the mail of
    surveys that are due (so a restart loses nothing), and the customer answers through a signed
    link or the portal.
    """

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="csat_survey")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="csat_surveys")
    # Random, looked up from the signed link; the signature carries the expiry.
    token = models.CharField(max_length=40, unique=True)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    rating = models.CharField(max_length=8, choices=Rating.choices, blank=True)
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    objects = CsatSurveyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating="") | Q(rating__in=Rating.values), name="csat_rating_valid"
            ),
            models.CheckConstraint(
                condition=Q(rating="") | Q(answered_at__isnull=False),
                name="csat_rating_has_answered_at",
            ),
        ]
        indexes = [
            # The sweep: unsent surveys by due time.
            models.Index(
                fields=["due_at"], condition=Q(sent_at__isnull=True), name="csat_unsent_due_idx"
            ),
            # Reports: surveys sent in a range, by the copy of their ticket's keys (index-only).
            models.Index(
                fields=["sent_at"],
                include=[
                    "rating",
                    "ticket_assignee",
                    "ticket_team",
                    "ticket_organization",
                    "ticket_channel",
                    "ticket_product",
                    "ticket_version",
                    "ticket_component",
                ],
                name="csat_sent_report_idx",
                condition=Q(sent_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"CSAT for #{self.ticket_id}"

    @property
    def is_answered(self) -> bool:
        return bool(self.rating)


# --- Product feedback -----------------------------------------------------------------------


class ItemKind(models.TextChoices):
    FEATURE_REQUEST = "feature_request", _("Feature request")
    BUG = "bug", _("Bug")
    IMPROVEMENT = "improvement", _("Improvement")


class ItemStatus(models.TextChoices):
    NEW = "new", _("New")
    UNDER_REVIEW = "under_review", _("Under review")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    SHIPPED = "shipped", _("Shipped")
    DECLINED = "declined", _("Declined")


# Statuses whose news the customers behind an item can be sent.
NOTIFIABLE_STATUSES = (ItemStatus.SHIPPED, ItemStatus.DECLINED)


class Importance(models.TextChoices):
    NICE_TO_HAVE = "nice_to_have", _("Nice to have")
    IMPORTANT = "important", _("Important")
    BLOCKER = "blocker", _("Blocker")


class FeedbackItemQuerySet(models.QuerySet["FeedbackItem"]):
    def active(self) -> FeedbackItemQuerySet:
        """Items that are not duplicates merged into another."""
        return self.filter(merged_into__isnull=True)


class FeedbackItem(models.Model):
    """Something customers ask the product to do (or stop doing), with the tickets behind it."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(
        max_length=20, choices=ItemKind.choices, default=ItemKind.FEATURE_REQUEST
    )
    # What it is about (products app). ``area`` is the component's name, kept beside it for
    # the API's ``area`` and old links (the free "product area" before components existed).
    product = models.ForeignKey(
        "products.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_items",
    )
    component = models.ForeignKey(
        "products.Component",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_items",
    )
    area = models.CharField("product area", max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.NEW)
    # Shown to customers (in the notification mail); the description is internal.
    public_note = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_feedback_items",
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # The last status whose news went to the customers, and when.
    notified_status = models.CharField(max_length=16, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    objects = FeedbackItemQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ItemKind.values), name="feedback_item_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ItemStatus.values), name="feedback_item_status_valid"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="feedback_item_title_not_empty"),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="feedback_item_not_merged_into_self"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="feedback_item_status_idx"),
            models.Index(fields=["area"], name="feedback_item_area_idx"),
            models.Index(fields=["product", "status"], name="feedback_item_product_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class TicketFeedbackLink(models.Model):
    """One ticket standing as evidence for one item, on behalf of one customer."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="feedback_links")
    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="links")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="feedback_links")
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_links",
    )
    importance = models.CharField(max_length=16, choices=Importance.choices, blank=True)
    # The customer's own words, as the agent quoted them.
    quote = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "item"], name="feedback_link_unique"),
            models.CheckConstraint(
                condition=Q(importance="") | Q(importance__in=Importance.values),
                name="feedback_link_importance_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["item", "created_at"], name="feedback_link_item_idx"),
            models.Index(fields=["created_at"], name="feedback_link_created_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} → {self.item_id}"


class FeedbackEvent(models.Model):
    """A feedback change announced to the rest of the system (``feedback.events``): written in the
    change's transaction, dispatched to the subscribed handlers after it commits, and queued
    again by the beat sweep while ``dispatched_at`` is empty (``support.events``)."""

    kind = models.CharField(max_length=64)
    # Names the change for the handlers, which must be idempotent (a dispatch may run twice).
    key = models.CharField(max_length=200)
    data = models.JSONField(default=dict)
    at = models.DateTimeField(default=clock.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # Small by design: only events still owed a dispatch (the beat sweep's scan).
            models.Index(
                fields=["at"],
                name="fb_event_undispatched_idx",
                condition=Q(dispatched_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"

    def as_event(self) -> dict:
        """What a handler is given: the kind, the key and the change's data."""
        return {**self.data, "kind": self.kind, "key": self.key}
