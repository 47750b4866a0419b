"""Which ticket does an incoming mail belong to?

In order: the Message-IDs it replies to (ours, signed, or ones we received on a ticket), then a
``[#1042]`` token in the subject, then a signed reply address. The subject token is unsigned, so
whoever sends it must also be part of the ticket; the caller checks that (see ``inbound``).
"""

from __future__ import annotations

import re

from django.conf import settings

from tickets.mail import tokens
from tickets.mail.models import OutboundEmail
from tickets.mail.parse import ParsedMail
from tickets.models import Message, MessageKind, Ticket

SUBJECT_TOKEN_RE = re.compile(r"\[#(\d{1,12})\]")
# Mail we send to agents only about internal matters: a reply to one is internal too.
INTERNAL_KINDS = ("mention",)


def _follow_merges(ticket: Ticket | None) -> Ticket | None:
    seen = set()
    while ticket is not None and ticket.merged_into_id and ticket.pk not in seen:
        seen.add(ticket.pk)
        ticket = ticket.merged_into
    return ticket


def ticket_for_message_ids(message_ids: list[str]) -> tuple[Ticket | None, bool]:
    """The ticket these Message-IDs point at, and whether the mail they answer was internal."""
    # Most recent reference first: In-Reply-To, then References from the end.
    for message_id in message_ids:
        sent = (
            OutboundEmail.objects.filter(message_id_header=message_id, ticket__isnull=False)
            .select_related("ticket")
            .first()
        )
        if sent:
            return sent.ticket, sent.kind in INTERNAL_KINDS
        ticket_id = tokens.ticket_id_from_message_id(message_id)
        if ticket_id is not None:
            found = Ticket.objects.filter(pk=ticket_id).first()
            if found:
                return found, False
        received = (
            Message.objects.filter(email_message_id=message_id).select_related("ticket").first()
        )
        if received:
            return received.ticket, received.kind == MessageKind.NOTE
    return None, False


def find_ticket(mail: ParsedMail) -> tuple[Ticket | None, str]:
    """The ticket and how it was found (``"headers"``, ``"subject"``, ``"address"``, or
    ``"internal"`` for a reply to mail only agents got), or ``(None, "")``."""
    ids = [*mail.in_reply_to, *reversed(mail.references)]
    ticket, internal = ticket_for_message_ids([i for i in ids if i != mail.message_id])
    if ticket:
        return _follow_merges(ticket), "internal" if internal else "headers"
    match = SUBJECT_TOKEN_RE.search(mail.subject)
    if match:
        ticket = Ticket.objects.filter(pk=int(match.group(1))).first()
        if ticket:
            return _follow_merges(ticket), "subject"
    for address in mail.recipients:
        ticket_id = tokens.ticket_id_from_address(address)
        if ticket_id is None:
            signed = tokens.agent_reply_from_address(address)
            ticket_id = signed[1] if signed else None
        if ticket_id is not None:
            ticket = Ticket.objects.filter(pk=ticket_id).first()
            if ticket:
                return _follow_merges(ticket), "address"
    return None, ""


def strip_subject(subject: str) -> str:
    """``Re: AW: Printer on fire [#1042]`` → ``Printer on fire``."""
    subject = SUBJECT_TOKEN_RE.sub("", subject)
    prefix = re.compile(r"^\s*((re|aw|sv|vs|antw|fwd?|wg|tr|rif)\s*(\[\d+\])?\s*:\s*)+", re.I)
    return " ".join(prefix.sub("", subject).split())


def unknown_sender_policy() -> str:
    return "new_ticket" if settings.MAIL_UNKNOWN_SENDER == "new_ticket" else "review"
