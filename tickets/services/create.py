"""Opening a ticket."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.files import File
from django.utils.translation import gettext as _

from accounts.models import Team, User
from customers.models import Customer
from products.models import Component, Product, Version
from products.services import check_product_choice
from support.errors import NotPermitted, ValidationFailed
from tickets.events import record_event, ticket_change
from tickets.fields import services as custom_fields
from tickets.fields.models import TicketForm
from tickets.fields.ticket_forms import form_check
from tickets.models import (
    Channel,
    EventKind,
    Message,
    MessageKind,
    Priority,
    Tag,
    Ticket,
    TicketType,
)
from tickets.services.base import (
    Actor,
    check_cc_count,
    check_choice,
    clean_cc_addresses,
    clean_subject,
    message_add,
    normalize_tag,
    tags_named,
)
from tickets.sla import services as sla
from tickets.sla.models import SlaTarget, TicketSla


@dataclass(frozen=True)
class TicketAsCreated:
    """The rows :func:`ticket_create` wrote beside the ticket, exactly as written."""

    message: Message
    tags: list[Tag]
    sla: TicketSla
    sla_targets: list[SlaTarget]


@ticket_change
def ticket_create(
    *,
    requester: Customer,
    subject: str,
    body: str,
    by: Actor | None = None,
    channel: str = Channel.WEB,
    priority: str = Priority.NORMAL,
    type: str = TicketType.QUESTION,  # noqa: A002 - the domain's own word
    team: Team | None = None,
    assignee: User | None = None,
    tags: Iterable[str] = (),
    attachments: Sequence[File] = (),
    body_html: str = "",
    email_message_id: str = "",
    first_message_kind: str = MessageKind.REPLY,
    mail_to: str = "",
    cc: Iterable[str] = (),
    product: Product | None = None,
    version: Version | None = None,
    component: Component | None = None,
    fields: dict | None = None,
    form: TicketForm | None = None,
) -> Ticket:
    """Open a ticket for ``requester`` with its first public message.

    ``by`` is who files it: the requester (portal, mail), an agent on their behalf (phone, web),
    or ``None`` for the system. The first message is the agent's when an agent files it; an
    agent may make it an internal note (``first_message_kind=MessageKind.NOTE``), which nobody
    mails to the requester. ``mail_to``: the addresses a mail that opens it came to (routing
    rules match on them). ``cc``: who else gets the public replies (an agent's choice, or the
    other addresses of a requester's verified mail). ``product``, ``version``, ``component``:
    what it is about; a customer
    (or the system) may only name what is offered for new requests, an agent any version.
    ``fields``: custom field values by key; ``form``: the ticket form it is filed through (for a
    customer, its fields are the ones asked and its required ones must be filled in).

    What was written beside the ticket row comes back as ``ticket.as_created``, so a caller can
    show the new ticket (or use its first message) without reading them back.
    """
    subject = clean_subject(subject)
    check_choice(channel, Channel, "channel")
    check_choice(priority, Priority, "priority")
    check_choice(type, TicketType, "type")
    check_choice(first_message_kind, MessageKind, "first_message_kind")
    if isinstance(by, Customer) and by.pk != requester.pk:
        raise NotPermitted(_("A customer can only file tickets in their own name."))
    if isinstance(by, User) and not by.is_agent:
        raise NotPermitted(_("Customers file tickets through their contact, not their login."))
    if assignee is not None and not assignee.is_agent:
        raise ValidationFailed(_("Only agents can be assigned."), field="assignee")
    if first_message_kind == MessageKind.NOTE and not isinstance(by, User):
        raise NotPermitted(_("Only an agent can open a ticket with an internal note."))
    cc_addresses = clean_cc_addresses(cc, requester_email=requester.email)
    check_cc_count(cc_addresses)
    check_product_choice(
        product=product, version=version, component=component, for_new=not isinstance(by, User)
    )
    values = custom_fields.fields_clean(fields or {}, current={}, customer=isinstance(by, Customer))
    form_check(
        form,
        values=values,
        catalog={"product": product, "version": version, "component": component},
        customer=isinstance(by, Customer),
    )
    tag_names = sorted({normalize_tag(t) for t in tags})
    tag_rows = tags_named(tag_names) if tag_names else []

    ticket = Ticket(
        subject=subject,
        channel=channel,
        priority=priority,
        type=type,
        requester=requester,
        organization_id=requester.organization_id,
        team=team,
        assignee=assignee,
        created_by=by if isinstance(by, User) else None,
        mail_to=mail_to[:500],
        cc=cc_addresses,
        product=product,
        version=version,
        component=component,
        fields=values,
        form=form,
    )
    # SLA: match a policy and start the clocks; the due times go in with the ticket's INSERT.
    sla_plan = sla.sla_plan_new_ticket(ticket=ticket, tag_ids={tag.pk for tag in tag_rows})
    ticket.save(force_insert=True)
    author: Actor = by if isinstance(by, User) else requester
    message = message_add(
        ticket,
        kind=first_message_kind,
        body=body,
        body_html=body_html,
        by=author,
        channel=channel,
        attachments=attachments,
        email_message_id=email_message_id,
    )
    record_event(ticket, kind=EventKind.CREATED, by=by, message=message)
    for address in cc_addresses:
        record_event(ticket, kind=EventKind.CC_ADDED, by=by, field="cc", new=address)
    if tag_rows:
        # A new ticket has no tags yet: link them in one INSERT (``tags.set`` would read first).
        links = Ticket.tags.through
        links.objects.bulk_create([links(ticket_id=ticket.pk, tag_id=tag.pk) for tag in tag_rows])
    matched, targets = sla.sla_save_new_ticket(ticket=ticket, plan=sla_plan)
    ticket.as_created = TicketAsCreated(
        message=message, tags=tag_rows, sla=matched, sla_targets=targets
    )
    return ticket
