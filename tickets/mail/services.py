"""Ticket writes only the mail channel needs; the rest go through ``tickets.services``."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from customers.models import Customer
from support.errors import InvalidChange, NotPermitted
from tickets.events import record_event, ticket_change
from tickets.models import Channel, EventKind, Message, MessageKind, Status, Ticket
from tickets.services import message_add, require_agent, ticket_lock, ticket_touch
from tickets.services.messages import reply_effects, ticket_note


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
        raise InvalidChange(_("This ticket is closed and can't take new messages."))
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


def mail_unverified_agent_note(
    *,
    ticket: Ticket,
    by: User,
    body: str,
    body_html: str = "",
    attachments: Sequence[File] = (),
    email_message_id: str = "",
) -> Message:
    """Mail that claims to be an agent's reply but doesn't prove it (docs/email.md, "Trust
    model"): an internal note in their name, flagged (``needs_review``) until that agent
    confirms it. Nothing is mailed for it, not even a mention."""
    return ticket_note(
        ticket=ticket,
        by=by,
        body=body,
        body_html=body_html,
        channel=Channel.EMAIL,
        attachments=attachments,
        email_message_id=email_message_id,
        needs_review=True,
    )


def is_unverified_agent_note(message: Message) -> bool:
    return (
        message.kind == MessageKind.NOTE
        and message.needs_review
        and message.channel == Channel.EMAIL
        and message.author_user_id is not None
    )


@ticket_change
def mail_note_confirm(*, message: Message, by: User) -> Message:
    """The agent a flagged note from mail is in the name of says it is theirs: it becomes their
    public reply, with everything a reply does (the mail to the requester, SLA, status)."""
    require_agent(by)
    ticket = ticket_lock(message.ticket)
    message = Message.objects.select_for_update().get(pk=message.pk)
    if not is_unverified_agent_note(message):
        raise InvalidChange(_("This message is not an unconfirmed reply from mail."))
    if message.author_user_id != by.pk:
        raise NotPermitted(_("Only the agent this mail claims to be from can confirm it."))
    if ticket.status == Status.CLOSED:
        raise InvalidChange(_("This ticket is closed; a reply needs a new follow-up ticket."))
    message.kind = MessageKind.REPLY
    message.needs_review = False
    message.save(update_fields=["kind", "needs_review"])
    reply_effects(ticket, message, by=by)
    return message
