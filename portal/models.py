"""The portal's own state: one-time links and submissions held until their address is confirmed."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from support import clock


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


class LinkPurpose(models.TextChoices):
    SIGN_IN = "sign_in", _("Sign in")
    SUBMISSION = "submission", _("Confirm a request")


class PendingSubmission(models.Model):
    """A ticket filed while signed out, held until the address confirms it through a link."""

    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=250)
    body = models.TextField()
    category = models.CharField(max_length=64, blank=True)
    priority = models.CharField(max_length=16, blank=True)
    # What it is about (checked when held, and again when filed: the catalog may change).
    product = models.ForeignKey(
        "products.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.ForeignKey(
        "products.Version", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    component = models.ForeignKey(
        "products.Component", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fields = models.JSONField(default=dict, blank=True)  # custom field values, checked when held
    form = models.ForeignKey(
        "tickets.TicketForm", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    # Set once the ticket exists; a confirmed submission is never filed twice.
    ticket = models.OneToOneField(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject} ({self.email})"


def pending_file_path(instance: PendingAttachment, filename: str) -> str:
    return f"portal/pending/{instance.submission_id}/{secrets.token_hex(16)}"


class PendingAttachment(models.Model):
    submission = models.ForeignKey(
        PendingSubmission, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=pending_file_path, max_length=255)
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=127, default="application/octet-stream")

    def __str__(self) -> str:
        return self.name


class PortalLink(models.Model):
    """One mailed link. The URL carries ``nonce`` signed with a timestamp; ``used_at`` makes it
    single use, so a link that leaked from a mailbox or a proxy log can't be replayed."""

    nonce = models.CharField(max_length=64, unique=True, default=new_nonce)
    purpose = models.CharField(max_length=16, choices=LinkPurpose.choices)
    email = models.EmailField(max_length=254)
    submission = models.ForeignKey(
        PendingSubmission, null=True, blank=True, on_delete=models.CASCADE, related_name="links"
    )
    # The portal page to land on after signing in (a path under /portal/ only).
    next_path = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose__in=LinkPurpose.values), name="portal_link_purpose_valid"
            ),
            models.CheckConstraint(
                condition=~Q(purpose=LinkPurpose.SUBMISSION) | Q(submission__isnull=False),
                name="portal_link_submission_has_submission",
            ),
        ]
        indexes = [models.Index(fields=["email", "created_at"], name="portal_link_email_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} link for {self.email}"
