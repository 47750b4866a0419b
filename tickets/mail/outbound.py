"""Outgoing mail: queue a row in the caller's transaction, send it from a Celery task.

Nothing sends mail inside a request. ``email_queue`` writes an ``OutboundEmail`` and, once the
transaction commits, asks a worker to send it. ``email_send`` does one SMTP exchange through
Django's mail backend and records the outcome; ``outbound_sweep`` (beat) re-queues rows whose
task was lost.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.defaultfilters import linebreaksbr
from django.utils.html import escape
from django.utils.translation import gettext

from accounts.branding import brand
from support import clock
from support.errors import InvalidChange, ValidationFailed
from support.text import clean_name, display_safe
from tickets.mail.models import OutboundEmail, OutboundStatus
from tickets.models import Message, Ticket

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A row left in "sending" this long was interrupted mid-exchange (worker killed): we can't know
# whether it went out, so a person decides rather than the machine sending it twice.
SENDING_TIMEOUT = timedelta(minutes=10)
# Mail a person waits for at the screen — a sign-in link, a password reset, confirming a request
# — goes to a queue of its own, so a backlog of notifications never holds it up.
TRANSACTIONAL_KINDS = frozenset(
    {"portal_sign_in", "password_reset", "portal_confirm_submission", "invite"}
)
TRANSACTIONAL_QUEUE = "transactional"
INTERRUPTED = "Interrupted while sending; it may or may not have been delivered."


def _clean_header(value: str) -> str:
    # Header values built from user input must not carry line breaks (header injection), nor
    # invisible controls or bidirectional overrides (support/text.py).
    return clean_name(str(value).replace("\r", " ").replace("\n", " "))


def _message_id_domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"


def email_queue(
    *,
    kind: str,
    to: Sequence[str],
    subject: str,
    body_text: str,
    body_html: str = "",
    cc: Sequence[str] = (),
    from_email: str | None = None,
    headers: dict[str, str] | None = None,
    ticket: Ticket | None = None,
    message: Message | None = None,
    dedupe_key: str | None = None,
    message_id: str | None = None,
) -> OutboundEmail | None:
    """Queue one mail; returns ``None`` when ``dedupe_key`` was already queued."""
    email = _build_row(
        kind=kind,
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        cc=cc,
        from_email=from_email,
        headers=headers,
        ticket=ticket,
        message=message,
        dedupe_key=dedupe_key,
        message_id=message_id,
    )
    if dedupe_key and OutboundEmail.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            email.save()
    except IntegrityError:
        if dedupe_key and OutboundEmail.objects.filter(dedupe_key=dedupe_key).exists():
            return None  # queued by a concurrent run of the same handler
        raise
    transaction.on_commit(lambda: _enqueue(email.pk, email.kind))
    return email


def with_footer(body_text: str, body_html: str, footer: str) -> tuple[str, str]:
    """The branding's mail footer under every mail: after the signature separator in text, as
    an escaped paragraph before ``</body>`` in HTML (an admin's text is never markup)."""
    footer = footer.strip()
    if not footer:
        return body_text, body_html
    body_text = f"{body_text.rstrip()}\n\n-- \n{footer}\n"
    if body_html:
        paragraph = (
            '<p style="color: #5f6b7a; font-size: 12px;">' + linebreaksbr(escape(footer)) + "</p>"
        )
        at = body_html.lower().rfind("</body>")
        body_html = (
            body_html[:at] + paragraph + body_html[at:] if at >= 0 else body_html + paragraph
        )
    return body_text, body_html


def _build_row(
    *,
    kind: str,
    to: Sequence[str],
    subject: str,
    body_text: str,
    body_html: str = "",
    cc: Sequence[str] = (),
    from_email: str | None = None,
    headers: dict[str, str] | None = None,
    ticket: Ticket | None = None,
    message: Message | None = None,
    dedupe_key: str | None = None,
    message_id: str | None = None,
) -> OutboundEmail:
    recipients = [_clean_header(a) for a in to if a and a.strip()]
    if not recipients:
        raise ValidationFailed(gettext("A mail needs at least one recipient."), field="to")
    body_text, body_html = with_footer(body_text, body_html, brand().mail_footer)
    return OutboundEmail(
        kind=kind,
        ticket=ticket,
        message=message,
        dedupe_key=dedupe_key,
        from_email=_clean_header(from_email or brand().sender),
        to=recipients,
        cc=[_clean_header(a) for a in cc if a and a.strip()],
        subject=_clean_header(subject)[:300],
        body_text=display_safe(body_text),
        body_html=display_safe(body_html),
        headers={k: _clean_header(v) for k, v in (headers or {}).items()},
        message_id_header=message_id or make_msgid(domain=_message_id_domain()),
    )


def _enqueue(email_id: int, kind: str) -> None:
    from tickets.mail.tasks import send_outbound_email

    queue = TRANSACTIONAL_QUEUE if kind in TRANSACTIONAL_KINDS else None  # None: the task's route
    try:
        send_outbound_email.apply_async((email_id,), queue=queue)
    except Exception:
        logger.exception("Could not queue outbound mail %s; the sweep will pick it up", email_id)


def _build(email: OutboundEmail) -> EmailMultiAlternatives:
    mail = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=email.from_email,
        to=email.to,
        cc=email.cc,
        headers={**email.headers, "Message-ID": email.message_id_header},
    )
    if email.body_html:
        mail.attach_alternative(email.body_html, "text/html")
    if email.message_id is not None:
        for attachment in email.message.attachments.all():
            with attachment.file.open("rb") as fh:
                mail.attach(attachment.name, fh.read(), attachment.content_type)
    return mail


def _is_permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{addr}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for addr, (code, msg) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        msg = exc.smtp_error
        text = msg.decode(errors="replace") if isinstance(msg, bytes) else str(msg)
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}"


def email_send(*, email_id: int) -> OutboundEmail | None:
    """Send one queued mail. Returns the row, or ``None`` if it is not (or no longer) due.

    Raises the transport error after recording it when a retry makes sense.
    """
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutboundStatus.PENDING)
            .first()
        )
        if email is None:
            return None  # sent already, failed, or another worker has it
        email.status = OutboundStatus.SENDING
        email.attempts += 1
        email.next_attempt_at = clock.now()
        email.save(update_fields=["status", "attempts", "next_attempt_at"])
    try:
        _build(email).send(fail_silently=False)
    except Exception as exc:
        permanent = _is_permanent(exc) or email.attempts >= MAX_ATTEMPTS
        email.status = OutboundStatus.FAILED if permanent else OutboundStatus.PENDING
        email.last_error = _describe(exc)[:2000]
        email.next_attempt_at = clock.now() + timedelta(seconds=min(30 * 2**email.attempts, 3600))
        email.save(update_fields=["status", "last_error", "next_attempt_at"])
        logger.warning("Mail %s %s: %s", email.pk, email.status, email.last_error)
        if not permanent:
            raise
        return email
    email.status = OutboundStatus.SENT
    email.sent_at = clock.now()
    email.last_error = ""
    email.save(update_fields=["status", "sent_at", "last_error"])
    return email


@transaction.atomic
def email_retry(*, email: OutboundEmail, maybe_duplicate: bool = False) -> OutboundEmail:
    """A person asks for a failed mail to be sent again. A mail interrupted mid-send may have
    been delivered: it is sent again only when the person said they know that
    (``maybe_duplicate``), never by a plain Resend."""
    email = OutboundEmail.objects.select_for_update().get(pk=email.pk)
    if email.status != OutboundStatus.FAILED:
        raise InvalidChange(gettext("Only a failed mail can be sent again."))
    if email.last_error == INTERRUPTED and not maybe_duplicate:
        raise InvalidChange(
            gettext(
                "This mail was interrupted while being sent and may already have reached "
                "%(to)s: resend it only if you know it did not arrive."
            )
            % {"to": ", ".join(email.to)}
        )
    email.status = OutboundStatus.PENDING
    email.next_attempt_at = clock.now()
    email.attempts = 0
    email.save(update_fields=["status", "next_attempt_at", "attempts"])
    transaction.on_commit(lambda: _enqueue(email.pk, email.kind))
    return email


def outbound_sweep() -> int:
    """Re-queue due pending mail (its task was lost) and fail mail interrupted mid-send."""
    now = clock.now()
    OutboundEmail.objects.filter(
        status=OutboundStatus.SENDING, next_attempt_at__lt=now - SENDING_TIMEOUT
    ).update(
        status=OutboundStatus.FAILED,
        last_error=INTERRUPTED,
    )
    due = list(
        OutboundEmail.objects.filter(
            status=OutboundStatus.PENDING, next_attempt_at__lte=now
        ).values_list("pk", "kind")[:500]
    )
    for email_id, kind in due:
        _enqueue(email_id, kind)
    return len(due)


def email_record_bounce(*, email: OutboundEmail, reason: str) -> OutboundEmail:
    """A delivery report came back for a mail we sent: the row shows it failed after all."""
    reason = " ".join(str(reason).split())[:1000] or "Delivery failed (bounce)."
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundStatus.FAILED, last_error=f"Bounced: {reason}"
    )
    email.refresh_from_db()
    return email
