"""Folding one ticket into another, and one customer into another."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import User
from customers.models import Customer, CustomerEvent
from customers.services import customer_event_record
from support.errors import InvalidChange
from tickets.events import record_event, ticket_change
from tickets.models import Attachment, EventKind, Message, MessageKind, Status, Ticket
from tickets.services.base import require_agent, status_set, ticket_lock, ticket_touch
from tickets.sla import services as sla

# --- customers ------------------------------------------------------------------------------


@ticket_change
def customer_merge(*, source: Customer, target: Customer, by: User) -> Customer:
    """Fold ``source`` into ``target``: its tickets and messages move (each ticket records it),
    its portal login moves when ``target`` has none, and its phone, organization, notes and
    customer field values fill what ``target`` lacks (the values as a ``customer.fields_changed``
    event). ``source`` stays, pointing at ``target`` (``merged_into``): mail from
    its address is written as ``target``'s.

    Lives here rather than in ``customers`` because it changes tickets, and ``customers`` must not
    know about tickets.
    """
    require_agent(by)
    if source.pk == target.pk:
        raise InvalidChange(_("A customer can't be merged into itself."))
    if source.merged_into_id:
        raise InvalidChange(
            _("%(email)s was already merged into another customer.") % {"email": source.email}
        )
    for ticket in Ticket.objects.select_for_update().filter(requester=source):
        ticket.requester = target
        if ticket.organization_id is None:
            ticket.organization_id = target.organization_id
        ticket_touch(ticket, "requester", "organization")
        sla.sla_on_matching_changed(ticket=ticket)  # SLA: organization may match another policy
        record_event(
            ticket,
            kind=EventKind.REQUESTER_CHANGED,
            by=by,
            field="requester",
            old=source.email,
            new=target.email,
        )
    Message.objects.filter(author_customer=source).update(author_customer=target)
    # What the target lacks, the source had: phone, organization, notes (kept, marked).
    if source.phone and not target.phone:
        target.phone = source.phone
    if source.organization_id and not target.organization_id:
        target.organization_id = source.organization_id
    if source.notes.strip():
        target.notes = f"{target.notes}\n\nFrom {source.email}: {source.notes}".strip()
    held = target.fields or {}
    filled = {k: v for k, v in (source.fields or {}).items() if k not in held}
    target.fields = {**held, **filled}
    target.save(update_fields=["phone", "organization", "notes", "fields"])
    if filled:
        customer_event_record(
            customer=target,
            kind=CustomerEvent.Kind.FIELDS_CHANGED,
            by=by,
            data={
                "changes": {k: {"old": None, "new": v} for k, v in sorted(filled.items())},
                "merged_from": source.email,
            },
        )
    if source.user_id and not target.user_id:
        target.user_id, source.user_id = source.user_id, None
        source.save(update_fields=["user"])
        target.save(update_fields=["user"])
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    return target


# --- merging tickets ------------------------------------------------------------------------


@ticket_change
def ticket_merge(
    *, source: Ticket, target: Ticket, by: User, other_requester: bool = False
) -> Ticket:
    """Fold ``source`` into ``target``: its public messages are copied into ``target`` (in their
    original order, attachments referenced), both get an internal note saying so, and ``source``
    is solved and points at ``target``. The copies record no reply events, so nobody is mailed
    the old conversation again.

    Tickets of two different requesters merge only when the agent says so explicitly
    (``other_requester=True``): the target's requester would then read the other's messages.
    """
    require_agent(by)
    if source.pk == target.pk:
        raise InvalidChange(_("A ticket can't be merged into itself."))
    # Lock both rows in id order so two opposite merges can't deadlock.
    first, second = sorted((source, target), key=lambda t: t.pk)
    ticket_lock(first)
    ticket_lock(second)
    if source.merged_into_id:
        raise InvalidChange(
            _("%(reference)s was already merged into #%(merged_into_id)s.")
            % {"reference": source.reference, "merged_into_id": source.merged_into_id}
        )
    if target.merged_into_id:
        raise InvalidChange(
            _(
                "%(reference)s was itself merged into #%(merged_into_id)s; merge into that "
                "ticket instead."
            )
            % {"reference": target.reference, "merged_into_id": target.merged_into_id}
        )
    if target.status == Status.CLOSED:
        raise InvalidChange(
            _("%(reference)s is closed and can't take merged tickets.")
            % {"reference": target.reference}
        )
    if source.requester_id != target.requester_id and not other_requester:
        raise InvalidChange(
            _(
                "%(reference)s is from %(email)s and %(reference2)s from %(email2)s: merging "
                "shows %(email)s's messages to %(email2)s. To merge anyway, confirm it on the "
                "merge page (API: other_requester)."
            )
            % {
                "reference": source.reference,
                "email": source.requester.email,
                "reference2": target.reference,
                "email2": target.requester.email,
            }
        )

    for original in source.messages.filter(kind=MessageKind.REPLY).prefetch_related("attachments"):
        copy = Message.objects.create(
            ticket=target,
            kind=MessageKind.REPLY,
            author_user_id=original.author_user_id,
            author_customer_id=original.author_customer_id,
            body_text=original.body_text,
            body_html=original.body_html,
            channel=original.channel,
            created_at=original.created_at,
            merged_from=source,
        )
        for attachment in original.attachments.all():
            Attachment.objects.create(
                ticket=target,
                message=copy,
                file=attachment.file.name,
                name=attachment.name,
                size=attachment.size,
                content_type=attachment.content_type,
                created_at=attachment.created_at,
            )

    note = Message.objects.create(
        ticket=target,
        kind=MessageKind.NOTE,
        author_user=by,
        body_text=f"{source.reference} ({source.subject}) was merged into this ticket.",
    )
    record_event(target, kind=EventKind.NOTE_ADDED, by=by, message=note)
    ticket_touch(target)

    note = Message.objects.create(
        ticket=source,
        kind=MessageKind.NOTE,
        author_user=by,
        body_text=f"Merged into {target.reference} ({target.subject}); continue there.",
    )
    record_event(source, kind=EventKind.NOTE_ADDED, by=by, message=note)
    source.merged_into = target
    ticket_touch(source, "merged_into")
    if source.status not in (Status.SOLVED, Status.CLOSED):
        status_set(source, Status.SOLVED, by=by)
    return target
