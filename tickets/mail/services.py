"""Ticket writes only the mail channel needs; the rest go through ``tickets.services``."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files import File
from django.db import transaction

from customers.models import Customer
from support.errors import InvalidChange
from tickets.events import record_event, ticket_change
from tickets.models import Channel, EventKind, Message, MessageKind, Status, Ticket
from tickets.services import message_add, require_agent, ticket_lock, ticket_touch


@ticket_change
def mail_message_add(
    *,
    ticket: Ticket,
    by: Customer,
    body: str,
    body_html: str = "",
    attachments: Sequence[File] = (),
    needs_review: bool = False,
    email_message_id: str = "",
) -> Message:
    """Add a public message from mail without the effects of a customer's reply.

    For out-of-office answers (they must not reopen a solved ticket) and for mail from someone who
    is not part of the ticket (``needs_review``: an agent decides before anyone acts on it;
    ``ticket_reply`` would refuse such a sender).
    """
    ticket_lock(ticket)
    if ticket.status == Status.CLOSED:
        raise InvalidChange("This ticket is closed and can't take new messages.")
    message = message_add(
        ticket,
        kind=MessageKind.REPLY,
        body=body,
        body_html=body_html,
        by=by,
        channel=Channel.EMAIL,
        attachments=attachments,
        email_message_id=email_message_id,
        needs_review=needs_review,
    )
    record_event(ticket, kind=EventKind.REPLIED, by=by, message=message)
    ticket_touch(ticket)
    return message


@transaction.atomic
def message_mark_reviewed(*, message: Message, by) -> Message:
    require_agent(by)
    if message.needs_review:
        message.needs_review = False
        message.save(update_fields=["needs_review"])
    return message
