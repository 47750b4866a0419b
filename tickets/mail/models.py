"""The mail channel's rows: inbound mail stored raw before anything reads it, outbound mail
written before it is sent (see docs/email.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from support import clock
from support.logs import current_request_id


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    FAILED = "failed", _("Failed")
    IGNORED = "ignored", _("Ignored")
    # The sender can't be determined or trusted (several From addresses, dmarc=fail, an agent
    # who can't see the ticket): nothing was applied; an admin reads it (see docs/email.md).
    REVIEW = "review", _("Held for review")


class AuthVerdict(models.TextChoices):
    """What the receiving server (a trusted ``Authentication-Results``) said about the sender."""

    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NONE = "none", _("None")


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
    # The receiving server's verdict on the From address (tickets.mail.authenticity) and the
    # results it was read from.
    auth_verdict = models.CharField(max_length=8, choices=AuthVerdict.choices, blank=True)
    auth_detail = models.CharField(max_length=500, blank=True)
    # Addresses this mail would have added to the ticket's CCs, not applied: the sender was not
    # verified (docs/email.md, "Trust model").
    cc_held = models.JSONField(default=list, blank=True)
    # Set while processing, in the same transaction: the one row (of all mailboxes) that took
    # this Message-ID. A second copy processed at the same moment waits on the unique index and
    # is then ignored, so one mail is one ticket whatever the timing.
    claimed_message_id = models.CharField(max_length=250, null=True, blank=True, unique=True)
    # An admin vouched for the sender of mail held for failing authentication: processed again,
    # it is taken as from an unverified sender instead of being held (inbound_accept).
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
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


class OutboundStatus(models.TextChoices):
    # Not the ticket status "Pending" (waiting for the customer): a mail not sent yet.
    PENDING = "pending", pgettext_lazy("outbound mail status", "Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboundEmail(models.Model):
    """One mail we owe somebody: written in the change's transaction, sent by a Celery task.

    A row is sent at most once: it is marked ``sending`` (committed) before the SMTP exchange, and a
    row found stuck in ``sending`` is failed for a person to check, never re-sent blind.
    """

    kind = models.CharField(max_length=40)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbound_emails",
    )
    message = models.ForeignKey(
        "tickets.Message",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbound_emails",
    )
    # Makes queueing idempotent: a handler that runs twice for one event queues one mail.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    from_email = models.CharField(max_length=320)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # The RFC 5322 Message-ID header this mail carries (threading, dedupe of inbound replies).
    message_id_header = models.CharField(max_length=250, unique=True)
    status = models.CharField(
        max_length=16, choices=OutboundStatus.choices, default=OutboundStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The request (or task) that queued it, as in the log lines (support/logs.py).
    request_id = models.CharField(max_length=128, blank=True, default=current_request_id)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OutboundStatus.values), name="outbound_status_valid"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbound_due_idx"),
            models.Index(fields=["ticket", "created_at"], name="outbound_ticket_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {', '.join(self.to)}"


class MailTemplate(models.Model):
    """An admin's wording for one notification kind in one language (``tickets.mail.custom``):
    a subject and a plain-text body with ``{{ placeholder }}`` fields and nothing else. Without a
    row the built-in template (templates/mail/) is used."""

    kind = models.CharField(max_length=30)
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=200)
    body = models.TextField(max_length=10000)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="mail_template_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.language})"
