"""Inbound mail: store it raw, then turn it into a ticket or a message, or say why not.

Every way in (``ingest_email``, the IMAP poller, ``POST /inbound/email/``) calls
:func:`inbound_store` and nothing else; one task (:func:`inbound_process`) does the rest. A message
that can't be processed stays stored as ``failed`` with the reason, for an admin to retry.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from email import policy
from email.parser import BytesHeaderParser
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Role, Team, User
from customers.models import Customer
from customers.services import customer_get_or_create
from products.cache import catalog
from support import clock
from support.errors import DomainError, InvalidChange, NotFound, ValidationFailed
from tickets import services as ticket_services
from tickets.mail import authenticity, loops, tokens
from tickets.mail.models import AuthVerdict, InboundEmail, InboundStatus, OutboundEmail
from tickets.mail.outbound import email_record_bounce
from tickets.mail.parse import MSGID_RE, ParsedAttachment, ParsedMail, parse, synthetic_message_id
from tickets.mail.services import mail_message_add, mail_unverified_agent_note
from tickets.mail.threading import find_ticket, strip_subject, unknown_sender_policy
from tickets.mail.trim import trim_html, trim_text
from tickets.models import MAX_CCS, Attachment, Channel, Message, Status, Ticket
from tickets.sanitize import sanitize_html
from tickets.selectors import ticket_get_for_agent

logger = logging.getLogger(__name__)

# A row still "received" this long after arriving lost its task (broker down): the sweep re-queues.
RECEIVED_TIMEOUT = timedelta(minutes=5)


def _message_id_of(raw: bytes) -> str:
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
        found = MSGID_RE.findall(str(headers.get("Message-ID", "") or ""))
    except Exception:
        found = []
    return found[0][:250] if found else synthetic_message_id(raw)


def inbound_store(
    *, raw: bytes, mailbox: str = "default", source: str = "pipe"
) -> tuple[InboundEmail, bool]:
    """Store one raw message and queue its processing. Returns ``(row, created)``; a message
    already stored for this mailbox (same Message-ID) is not stored or processed again."""
    if not raw or not raw.strip():
        raise ValidationFailed(_("The message is empty."))
    if len(raw) > settings.INBOUND_EMAIL_MAX_BYTES:
        raise ValidationFailed(
            _("The message is %(count)s bytes; at most %(INBOUND_EMAIL_MAX_BYTES)s are accepted.")
            % {"count": len(raw), "INBOUND_EMAIL_MAX_BYTES": settings.INBOUND_EMAIL_MAX_BYTES}
        )
    if b"\n" not in raw[:20000] and b":" not in raw[:1000]:
        raise ValidationFailed(_("This is not an RFC 5322 message (no header lines)."))
    message_id = _message_id_of(raw)
    mailbox = (mailbox or "default")[:200]
    # No look before the INSERT: the unique (mailbox, Message-ID) constraint answers for the
    # rare duplicate, and a new message (nearly all of them) costs one statement, not two.
    try:
        with transaction.atomic():
            row = InboundEmail.objects.create(
                mailbox=mailbox, message_id_header=message_id, raw=raw, source=source
            )
    except IntegrityError:
        return InboundEmail.objects.get(mailbox=mailbox, message_id_header=message_id), False
    transaction.on_commit(lambda: _enqueue(row.pk))
    return row, True


def _enqueue(inbound_id: int) -> None:
    from tickets.mail.tasks import process_inbound_email

    try:
        process_inbound_email.delay(inbound_id)
    except Exception:
        logger.exception("Could not queue inbound mail %s; the sweep will pick it up", inbound_id)


def inbound_retry(*, inbound: InboundEmail) -> InboundEmail:
    """An admin asks for a failed message to be processed again."""
    with transaction.atomic():
        row = InboundEmail.objects.select_for_update().get(pk=inbound.pk)
        if row.status != InboundStatus.FAILED:
            raise InvalidChange(_("Only a failed message can be processed again."))
        row.status = InboundStatus.RECEIVED
        row.error = ""
        row.save(update_fields=["status", "error"])
        transaction.on_commit(lambda: _enqueue(row.pk))
    return row


def inbound_accept(*, inbound: InboundEmail, by: User) -> InboundEmail:
    """An admin vouches for the sender of a mail held because the receiving server said it
    failed authentication: it is processed again, as mail from an unverified sender (a
    requester's reply flagged for review, an agent's claim a note to confirm — never trusted).
    Mail held for another reason (no single sender, an agent outside the ticket's team) can't be
    accepted: nothing an admin says makes that right."""
    with transaction.atomic():
        row = InboundEmail.objects.select_for_update().get(pk=inbound.pk)
        if row.status != InboundStatus.REVIEW:
            raise InvalidChange(_("Only mail held for review can be accepted."))
        if row.auth_verdict != AuthVerdict.FAIL:
            reason = row.error or _("its sender is not clear")
            raise InvalidChange(_("This mail can't be accepted: %(reason)s") % {"reason": reason})
        row.status = InboundStatus.RECEIVED
        row.error = ""
        row.accepted_by = by
        row.accepted_at = clock.now()
        row.save(update_fields=["status", "error", "accepted_by", "accepted_at"])
        transaction.on_commit(lambda: _enqueue(row.pk))
    return row


def inbound_sweep() -> int:
    due = list(
        InboundEmail.objects.filter(
            status=InboundStatus.RECEIVED, received_at__lt=clock.now() - RECEIVED_TIMEOUT
        ).values_list("pk", flat=True)[:200]
    )
    for inbound_id in due:
        _enqueue(inbound_id)
    return len(due)


PROCESSED_FIELDS = (
    "status",
    "auth_verdict",
    "auth_detail",
    "cc_held",
    "error",
    "attempts",
    "processed_at",
    "from_address",
    "subject",
    "autoreply_allowed",
    "ticket",
    "message",
    "bounce_for",
)


class Rejected(Exception):
    """The message can't become a ticket or message; the row is failed with the reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Ignored(Rejected):
    """The message is fine but deliberately becomes nothing (bounce, loop, duplicate)."""


class Held(Rejected):
    """Who sent the message can't be determined or trusted: nothing of it is applied, and the
    row waits in the admins' list (status ``review``) with the reason."""


class Transient(Exception):
    """Processing failed for a reason that is not the message's (a race on a unique constraint,
    a lost connection): the row stays ``received`` and the task or the sweep tries again."""


# Transient failures of one message before it is failed for a person to look at.
MAX_TRANSIENT_ATTEMPTS = 5


def inbound_process(*, inbound_id: int) -> InboundEmail | None:
    """Parse one stored message and apply it. Never raises for a bad message: the row records
    the outcome and its reason, in the default language (stored for everyone)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _process(inbound_id)


def _process(inbound_id: int) -> InboundEmail | None:
    row = None
    try:
        with transaction.atomic():
            row = (
                InboundEmail.objects.select_for_update()
                .filter(pk=inbound_id, status=InboundStatus.RECEIVED)
                .first()
            )
            if row is None:
                return None  # processed already, or not due
            row.attempts += 1
            try:
                _apply(row)
                row.status, row.error = InboundStatus.PROCESSED, ""
            except Held as exc:
                # Raised before anything was written for the message (only its claim is kept).
                row.status, row.error = InboundStatus.REVIEW, exc.reason
            except Ignored as exc:
                # Deliberately nothing (a bounce, our own mail, a duplicate): what _apply did
                # before deciding (recording a bounce) is kept.
                row.status, row.error = InboundStatus.IGNORED, exc.reason
            row.processed_at = clock.now()
            # Every column but the raw message, which never changes (rewriting it is most of
            # the UPDATE's bytes).
            row.save(update_fields=list(PROCESSED_FIELDS))
        logger.info("Inbound mail %s: %s %s", inbound_id, row.status, row.error[:200])
        return row
    except Rejected as exc:
        return _finish(inbound_id, status=InboundStatus.FAILED, error=exc.reason, row=row)
    except DomainError as exc:
        return _finish(inbound_id, status=InboundStatus.FAILED, error=exc.message, row=row)
    except (IntegrityError, OperationalError, InterfaceError) as exc:
        # Not the message's fault: a concurrent writer won a unique constraint, or the database
        # went away. The row stays received (the task retries it, and the sweep if the task is
        # lost); after MAX_TRANSIENT_ATTEMPTS it is failed for a person.
        if row is None:
            raise
        _transient(inbound_id, row=row, exc=exc)
        raise Transient(f"{type(exc).__name__}: {exc}") from exc
    except Exception as exc:
        if row is None:
            raise  # reading the row failed, not the message: the task retries
        logger.exception("Inbound mail %s failed", inbound_id)
        return _finish(
            inbound_id, status=InboundStatus.FAILED, error=f"{type(exc).__name__}: {exc}", row=row
        )


def _transient(inbound_id: int, *, row: InboundEmail, exc: Exception) -> None:
    failed = row.attempts >= MAX_TRANSIENT_ATTEMPTS
    try:
        InboundEmail.objects.filter(pk=inbound_id).update(
            status=InboundStatus.FAILED if failed else InboundStatus.RECEIVED,
            error=f"{'' if failed else 'Will be retried: '}{type(exc).__name__}: {exc}"[:2000],
            attempts=row.attempts,
        )
    except (OperationalError, InterfaceError):
        logger.warning("Could not record the transient failure of inbound mail %s", inbound_id)


def _finish(inbound_id: int, *, status: str, error: str, row: InboundEmail) -> InboundEmail:
    # The transaction that failed rolled back; write the outcome in a fresh one. What the parser
    # learned (sender, subject, bounce target) is kept from the in-memory row.
    InboundEmail.objects.filter(pk=inbound_id).update(
        status=status,
        error=error[:2000],
        attempts=row.attempts,
        processed_at=clock.now(),
        from_address=row.from_address,
        subject=row.subject,
        autoreply_allowed=row.autoreply_allowed,
        bounce_for=row.bounce_for_id,
        auth_verdict=row.auth_verdict,
        auth_detail=row.auth_detail,
    )
    return InboundEmail.objects.get(pk=inbound_id)


# --- applying one message ------------------------------------------------------------------


def _claim(row: InboundEmail, mail: ParsedMail) -> None:
    """Take this Message-ID for this row, in the processing transaction. A copy of the same mail
    in another mailbox being processed at this moment waits on the unique index until this
    transaction ends, then fails to take it and is ignored: one mail, one ticket."""
    try:
        with transaction.atomic():
            InboundEmail.objects.filter(pk=row.pk).update(claimed_message_id=mail.message_id)
    except IntegrityError:
        other = (
            InboundEmail.objects.filter(claimed_message_id=mail.message_id)
            .exclude(pk=row.pk)
            .values("pk", "mailbox", "ticket_id")
            .first()
        )
        if other and other["ticket_id"]:
            raise Ignored(
                f"Already on ticket #{other['ticket_id']} (delivered to another address)."
            ) from None
        where = f" (mail #{other['pk']}, mailbox {other['mailbox']})" if other else ""
        raise Ignored(f"The same mail was received through another mailbox{where}.") from None


def _apply(row: InboundEmail) -> None:
    mail = parse(row.raw_bytes)
    row.from_address = mail.from_email[:320]
    row.subject = mail.subject[:300]
    automatic = loops.is_automatic(mail)
    row.autoreply_allowed = not automatic
    _claim(row, mail)

    if loops.is_bounce(mail):
        row.autoreply_allowed = False
        target = _bounced_email(mail)
        if target is not None:
            row.bounce_for_id = target.pk
            email_record_bounce(email=target, reason=mail.report_diagnostic or mail.subject)
            raise Ignored(
                f"Delivery report about our mail #{target.pk} "
                f"({mail.report_diagnostic or 'no reason given'}); recorded on that mail."
            )
        raise Ignored("Delivery report (bounce) that names no mail of ours.")
    if mail.sender_problem:
        raise Held(mail.sender_problem)
    if not mail.from_email:
        raise Rejected("The message has no sender address (From), so no one could be answered.")
    verdict = authenticity.verdict_for(mail)
    row.auth_verdict, row.auth_detail = verdict.verdict, verdict.detail
    if verdict.verdict == AuthVerdict.FAIL and not row.accepted_by_id:
        raise Held(
            f"The receiving server says mail from {mail.from_email} failed authentication "
            f"({verdict.detail}): it may be forged, so it was not added as theirs."
        )
    if loops.is_own_address(mail.from_email):
        raise Ignored(f"Mail from our own address {mail.from_email}: ignored to avoid a loop.")
    already = Message.objects.filter(email_message_id=mail.message_id).first()
    if already is not None:
        # The same mail reached us through another mailbox (Cc'd to two of our addresses).
        raise Ignored(f"Already on ticket #{already.ticket_id} (delivered to another address).")

    ticket, how = find_ticket(mail)
    agent = (
        User.objects.filter(email__iexact=mail.from_email, is_active=True)
        .exclude(role=Role.CUSTOMER)
        .first()
    )
    proven = False
    if agent is not None and ticket is not None:
        # The same rule as the workspace and the API: no reply to a ticket one can't open.
        try:
            ticket_get_for_agent(agent=agent, ticket_id=ticket.pk)
        except NotFound:
            raise Held(
                f"{mail.from_email} is an agent who can't see ticket #{ticket.pk}; "
                "their mail was not added."
            ) from None
        proven = verdict.passed or _signed_by(agent, ticket, mail)
        if how == "internal" and not proven:
            raise Held(
                f"Reply to an internal notification on ticket #{ticket.pk} claiming to be "
                f"from the agent {mail.from_email}, unverified; not added."
            )
    body, body_html = _bodies(mail)
    files, refused = _files(mail.attachments)
    if refused:
        body = f"{body}\n\n" + "\n".join(refused)

    if how == "internal":
        # A reply to mail only agents got (a mention): it stays internal, whoever sends it.
        if agent is None:
            raise Rejected(
                f"Reply to an internal notification on ticket #{ticket.pk} from "
                f"{mail.from_email}, who is not an agent; not added."
            )
        message = ticket_services.ticket_note(
            ticket=ticket,
            body=body,
            by=agent,
            attachments=files,
            email_message_id=mail.message_id,
        )
        _finish_message(row, message, mail)
        return
    if ticket is not None and ticket.status == Status.CLOSED and agent is None:
        ticket = None  # a reply to a closed ticket opens a follow-up
    if ticket is None:
        if loops.is_out_of_office(mail) or mail.header("auto-submitted").lower().startswith(
            "auto-replied"
        ):
            raise Ignored("Automatic reply that belongs to no ticket.")
        message = _new_ticket(mail, verdict, body=body, body_html=body_html, files=files)
        _hold_ccs(row, mail, verdict, ticket=None)
    elif agent is not None and not proven:
        # Anyone can write an agent's address in From: without proof (their signed reply
        # address, or a passing DMARC) it is an internal note for that agent to confirm.
        message = mail_unverified_agent_note(
            ticket=ticket,
            by=agent,
            body=body,
            body_html=body_html,
            attachments=files,
            email_message_id=mail.message_id,
        )
    elif agent is not None:
        message = ticket_services.ticket_reply(
            ticket=ticket,
            body=body,
            body_html=body_html,
            by=agent,
            channel=Channel.EMAIL,
            attachments=files,
            email_message_id=mail.message_id,
        )
    else:
        customer = _customer(mail)
        participant = _is_participant(customer, ticket)
        if not participant and unknown_sender_policy() == "new_ticket":
            message = _new_ticket(mail, verdict, body=body, body_html=body_html, files=files)
        elif automatic or not participant:
            # Out-of-office and mail from outsiders: on the ticket, without reopening it.
            message = mail_message_add(
                ticket=ticket,
                by=customer,
                body=body,
                body_html=body_html,
                attachments=files,
                needs_review=not participant,
                email_message_id=mail.message_id,
            )
        else:
            if customer.pk == ticket.requester_id:
                _hold_ccs(row, mail, verdict, ticket=ticket)
                _apply_ccs(ticket, customer, mail, verdict)
            message = ticket_services.ticket_reply(
                ticket=ticket,
                body=body,
                body_html=body_html,
                by=customer,
                channel=Channel.EMAIL,
                attachments=files,
                email_message_id=mail.message_id,
            )
    _finish_message(row, message, mail)


def _signed_by(agent: User, ticket: Ticket, mail: ParsedMail) -> bool:
    """The mail went to the agent's own signed reply address for this ticket (the Reply-To of
    the notification they got), so whoever sent it had that mail."""
    return any(
        tokens.agent_reply_from_address(address) == (agent.pk, ticket.pk)
        for address in mail.recipients
    )


def _mail_ccs(mail: ParsedMail) -> list[str]:
    """The people besides the sender and us that ``mail`` went to (at most ``MAX_CCS``)."""
    sender, found = mail.from_email.lower(), []
    for address in [*mail.to, *mail.cc]:
        if address != sender and address not in found and not loops.is_own_address(address):
            found.append(address)
    return found[:MAX_CCS]


def _hold_ccs(row: InboundEmail, mail: ParsedMail, verdict, *, ticket: Ticket | None) -> None:
    """A requester's mail adds to the ticket's CCs (``Ticket.cc``) only when its sender is
    verified; otherwise the addresses it would add are recorded on the row, not applied."""
    if verdict.passed:
        return
    wanted = _mail_ccs(mail)
    if wanted:
        current = list(ticket.cc or []) if ticket is not None else []
        row.cc_held = [a for a in wanted if a not in current]


def _verified_ccs(mail: ParsedMail, verdict) -> list[str]:
    """The other people a verified mail went to (To and Cc, minus us and the sender), as far as
    they are well-formed addresses; none for an unverified one (docs/email.md, "Trust model")."""
    if not verdict.passed:
        return []
    found = []
    for address in _mail_ccs(mail):
        try:
            found.extend(ticket_services.clean_cc_addresses([address]))
        except ValidationFailed:
            continue  # a malformed header entry is no reason to lose the mail
    return found


def _apply_ccs(ticket: Ticket, customer: Customer, mail: ParsedMail, verdict) -> None:
    """The requester's verified reply copies more people in: they join the ticket's CCs, as a
    "reply all" would, up to the limit (removing someone is an agent's act)."""
    current = list(ticket.cc or [])
    adding = [a for a in _verified_ccs(mail, verdict) if a not in current]
    adding = adding[: max(0, MAX_CCS - len(current))]
    if adding:
        ticket_services.ticket_update(ticket=ticket, by=customer, changes={"cc_add": adding})


def _finish_message(row: InboundEmail, message: Message, mail: ParsedMail) -> None:
    _link_inline_images(message, mail.attachments)  # the Message-ID was stored with it
    row.ticket_id = message.ticket_id
    row.message_id = message.pk


def _bounced_email(mail: ParsedMail) -> OutboundEmail | None:
    candidates = [mail.report_message_id, *mail.in_reply_to, *reversed(mail.references)]
    for message_id in filter(None, candidates):
        found = OutboundEmail.objects.filter(message_id_header=message_id).first()
        if found:
            return found
    return None


def _is_participant(customer: Customer, ticket: Ticket) -> bool:
    if customer.pk == ticket.requester_id:
        return True
    if customer.email.lower() in (ticket.cc or []):
        return True  # the requester copied them in
    return bool(
        customer.is_org_manager
        and customer.organization_id
        and customer.organization_id == ticket.organization_id
    )


def _team_for(mail: ParsedMail) -> Team | None:
    recipients = {r.lower() for r in mail.recipients}
    if not recipients:
        return None
    return loops.team_for_address(recipients)


def _customer(mail: ParsedMail) -> Customer:
    try:
        customer = customer_get_or_create(email=mail.from_email, name=mail.from_name[:200])
    except DjangoValidationError as exc:
        raise Rejected(f"The sender address {mail.from_email!r} is not valid.") from exc
    seen = set()
    while customer.merged_into_id and customer.pk not in seen:  # merged contacts write as one
        seen.add(customer.pk)
        customer = customer.merged_into
    return customer


def _new_ticket(mail: ParsedMail, verdict, *, body: str, body_html: str, files: list) -> Message:
    customer = _customer(mail)
    subject = strip_subject(mail.subject)[:250] or "(no subject)"
    ticket = ticket_services.ticket_create(
        requester=customer,
        subject=subject,
        body=body,
        body_html=body_html,
        by=customer,
        channel=Channel.EMAIL,
        team=_team_for(mail),
        attachments=files,
        email_message_id=mail.message_id,
        mail_to=", ".join(sorted({r.lower() for r in mail.recipients})),
        cc=_verified_ccs(mail, verdict)[:MAX_CCS],
        product=catalog.get().product_for_address({r.lower() for r in mail.recipients}),
    )
    return ticket.as_created.message


def _bodies(mail: ParsedMail) -> tuple[str, str]:
    text = trim_text(mail.text) if mail.text.strip() else ""
    html = trim_html(mail.html) if mail.html.strip() else ""
    if html:
        html = sanitize_html(html)
    if not text and not mail.attachments:
        text = "(no text)"
    return text or "(no text)", html


def _files(attachments: list[ParsedAttachment]) -> tuple[list[ContentFile], list[str]]:
    files: list[ContentFile] = []
    refused: list[str] = []
    for attachment in attachments:
        upload = ContentFile(attachment.data, name=attachment.name or "attachment.bin")
        upload.content_type = attachment.content_type
        try:
            ticket_services.check_attachments([upload])
        except ValidationFailed as exc:
            refused.append(f"[Attachment not accepted: {exc.message}]")
            continue
        files.append(upload)
    return files, refused


def _link_inline_images(message: Message, parsed: list[ParsedAttachment]) -> None:
    """Point ``cid:`` references in the HTML at the stored attachments."""
    if not message.body_html or "cid:" not in message.body_html:
        return
    stored = list(Attachment.objects.filter(message=message))
    html = message.body_html
    for item in parsed:
        if not item.content_id:
            continue
        match = next(
            (a for a in stored if a.name == PurePath(item.name).name and a.size == len(item.data)),
            None,
        )
        if match is None:
            continue
        stored.remove(match)
        url = reverse("mail:attachment", args=[match.pk])
        html = re.sub(rf"cid:{re.escape(item.content_id)}(?=[\"'\s>])", url, html)
    Message.objects.filter(pk=message.pk).update(body_html=sanitize_html(html))
