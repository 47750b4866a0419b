"""The conversation: public replies and internal notes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.files import File
from django.utils.translation import gettext as _

from accounts.models import User
from customers.models import Customer
from support.errors import InvalidChange, NotPermitted, ValidationFailed
from tickets import workflow
from tickets.events import record_event, ticket_change
from tickets.models import Channel, EventKind, Message, MessageKind, Status, Ticket
from tickets.services.base import (
    Actor,
    check_choice,
    clean_cc_addresses,
    customer_may_act,
    message_add,
    require_agent,
    status_set,
    ticket_lock,
    ticket_touch,
)
from tickets.sla import services as sla


@ticket_change
def ticket_reply(
    *,
    ticket: Ticket,
    body: str,
    by: Actor,
    attachments: Sequence[File] = (),
    status: str | None = None,
    channel: str | None = None,
    body_html: str = "",
    email_message_id: str = "",
) -> Message:
    """Add a public reply. An agent's first reply stamps the first response; an agent may set a
    status in the same step ("send and set pending"). A customer's reply (the requester's, or
    someone's the ticket copies in) reopens the ticket."""
    ticket_lock(ticket)
    if ticket.status == Status.CLOSED:
        raise InvalidChange(_("This ticket is closed; a reply needs a new follow-up ticket."))
    if isinstance(by, Customer):
        # The people copied in answer too ("reply all" by mail), with a customer's effects.
        if not customer_may_act(by, ticket) and by.email.lower() not in (ticket.cc or []):
            raise NotPermitted(_("You can only reply to your own tickets."))
        if status is not None:
            raise NotPermitted(_("Customers can't set a status while replying."))
    else:
        require_agent(by)
        if status is not None:
            check_choice(status, Status, "status")
    message = message_add(
        ticket,
        kind=MessageKind.REPLY,
        body=body,
        body_html=body_html,
        by=by,
        channel=channel or Channel.WEB,
        attachments=attachments,
        email_message_id=email_message_id,
    )
    reply_effects(ticket, message, by=by, status=status)
    return message


def reply_effects(
    ticket: Ticket, message: Message, *, by: Actor, status: str | None = None
) -> None:
    """What a public reply does once written: its event (which mails it), the SLA clocks, the
    first response and the status. For ``ticket_reply`` and a reply published later (a note from
    mail that its agent confirms)."""
    record_event(ticket, kind=EventKind.REPLIED, by=by, message=message)
    sla.sla_on_reply(ticket=ticket, message=message)  # SLA: meet or start reply clocks

    changed: list[str] = []
    if isinstance(by, User):
        if ticket.first_responded_at is None:
            ticket.first_responded_at = message.created_at
            changed.append("first_responded_at")
        target = status or (Status.OPEN if ticket.status == Status.NEW else None)
    else:
        target = workflow.ON_CUSTOMER_REPLY.get(ticket.status)
    # One write of the ticket row: the first response is saved with the status it moves.
    if target and target != ticket.status:
        status_set(ticket, target, by=by, also=changed)
    else:
        ticket_touch(ticket, *changed)


@ticket_change
def ticket_note(
    *,
    ticket: Ticket,
    body: str,
    by: User,
    attachments: Sequence[File] = (),
    email_message_id: str = "",
    body_html: str = "",
    channel: str = Channel.WEB,
    needs_review: bool = False,
) -> Message:
    """Add an internal note: agents only, never shown or sent to a customer. ``needs_review``
    flags it for its author to confirm (an agent's unproven reply by mail), and nothing is mailed
    for it, not even a mention."""
    require_agent(by)
    ticket_lock(ticket)
    if ticket.status == Status.CLOSED:
        raise InvalidChange(_("This ticket is closed and can't take new notes."))
    message = message_add(
        ticket,
        kind=MessageKind.NOTE,
        body=body,
        body_html=body_html,
        by=by,
        channel=channel,
        attachments=attachments,
        email_message_id=email_message_id,
        needs_review=needs_review,
    )
    record_event(ticket, kind=EventKind.NOTE_ADDED, by=by, message=message)
    ticket_touch(ticket, internal=True)
    return message


# At most this many outside addresses get one forwarded message.
MAX_FORWARD_TO = 5


@ticket_change
def message_forward(*, message: Message, to: Iterable[str], by: User, comment: str = "") -> Message:
    """Send a public message of the conversation by mail to outside addresses (a supplier, a
    colleague elsewhere), with the agent's ``comment`` above it and its attachments.

    What was sent, and to whom, is an internal note on the ticket; the mail itself is queued by
    the ``FORWARDED`` event's handler (``tickets.mail.notify``) once this commits. Internal notes
    are never forwarded: they are not for anyone outside.
    """
    require_agent(by)
    ticket = message.ticket
    ticket_lock(ticket)
    if message.kind != MessageKind.REPLY or message.needs_review:
        raise InvalidChange(_("Only public messages can be forwarded; internal notes stay inside."))
    addresses = clean_cc_addresses(to)
    if not addresses:
        raise ValidationFailed(_("Type the address to forward the message to."), field="to")
    if len(addresses) > MAX_FORWARD_TO:
        raise ValidationFailed(
            _("Forward to at most %(MAX_FORWARD_TO)s addresses at once.")
            % {"MAX_FORWARD_TO": MAX_FORWARD_TO},
            field="to",
        )
    comment = comment.strip()
    author = message.author_name
    when = message.created_at.strftime("%d %b %Y %H:%M UTC")
    text = f"Forwarded {author}'s message of {when} to {', '.join(addresses)}."
    if comment:
        text = f"{text}\n\n{comment}"
    note = message_add(ticket, kind=MessageKind.NOTE, body=text, by=by, channel=Channel.WEB)
    record_event(
        ticket,
        kind=EventKind.FORWARDED,
        by=by,
        message=note,
        field="forward",
        new=", ".join(addresses)[:255],
        data={"forwarded": message.pk, "to": addresses, "comment": comment},
    )
    ticket_touch(ticket, internal=True)
    return note
