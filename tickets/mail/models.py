"""Inbound mail, stored raw before anything reads it (see docs/email.md)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from support import clock


class InboundStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSED = "processed", "Processed"
    FAILED = "failed", "Failed"
    IGNORED = "ignored", "Ignored"


class InboundEmail(models.Model):
    """One message as it arrived: its raw bytes first, what became of it second.

    ``(mailbox, message_id_header)`` is unique, so the same mail delivered twice (an MTA retry,
    an IMAP poll interrupted before it marked the message seen) is stored and processed once.
    """

    mailbox = models.CharField(max_length=200, default="default")
    # The Message-ID header, or ``<sha256:…>`` of the raw bytes when the mail has none.
    message_id_header = models.CharField(max_length=250)
    raw = models.BinaryField()
    source = models.CharField(max_length=16, default="pipe")  # pipe | imap | http
    received_at = models.DateTimeField(default=clock.now)
    status = models.CharField(
        max_length=16, choices=InboundStatus.choices, default=InboundStatus.RECEIVED
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    # What the parser saw, for the admin list (filled on processing).
    from_address = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    # False for auto-replies, bulk mail and bounces: nothing automatic answers them.
    autoreply_allowed = models.BooleanField(default=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_emails",
    )
    message = models.ForeignKey(
        "tickets.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_emails",
    )
    # A bounce names the mail of ours it is about, when it can be identified.
    bounce_for = models.ForeignKey(
        "tickets.OutboundEmail",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bounces",
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "message_id_header"], name="inbound_mailbox_message_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=InboundStatus.values), name="inbound_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "-received_at"], name="inbound_status_idx")]

    def __str__(self) -> str:
        return f"{self.message_id_header} ({self.status})"

    @property
    def raw_bytes(self) -> bytes:
        return bytes(self.raw)
