"""Every write to tickets goes through here: validate, save, record a TicketEvent.

Web views, the API, inbound mail and Celery tasks all call these functions, so the rules live in
one place. Side effects (mail, webhooks, SLA, automation) are not sent here: each recorded event is
published after the transaction commits (see ``tickets.events``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction

from accounts.models import Team, User
from customers.models import Customer
from support import clock
from support.errors import InvalidChange, NotPermitted, ValidationFailed
from tickets import workflow
from tickets.events import record_event
from tickets.models import (
    Attachment,
    Channel,
    EventKind,
    Message,
    MessageKind,
    Priority,
    Status,
    Tag,
    Ticket,
    TicketType,
    ticket_keyed_models,
    ticket_keys_of,
)
from tickets.sanitize import sanitize_html
from tickets.sla import services as sla
from tickets.sla.models import SlaTarget, TicketSla

Actor = User | Customer

_UNSET = object()
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,63}$")
# Never accepted as attachments: files that run when opened.
BLOCKED_EXTENSIONS = frozenset(
    ".exe .msi .bat .cmd .com .scr .pif .vbs .vbe .js .jse .wsf .wsh .ps1 .jar .dll .cpl .hta "
    ".lnk .reg .app .sh".split()
)


# --- helpers --------------------------------------------------------------------------------


def _require_agent(by: Actor | None) -> User:
    if not isinstance(by, User) or not by.is_agent or not by.is_active:
        raise NotPermitted("Only agents can do this.")
    return by


def _lock(ticket: Ticket) -> Ticket:
    """Lock the ticket's row for this transaction and reload it, so concurrent changes queue up."""
    fresh = Ticket.objects.select_for_update().get(pk=ticket.pk)
    for field in Ticket._meta.concrete_fields:
        setattr(ticket, field.attname, getattr(fresh, field.attname))
    return ticket


# The ticket's columns that rows counted in reports carry a copy of (``TicketKeyed``).
REPORT_KEYS = frozenset({"assignee", "team", "organization"})  # a channel never changes


def _touch(ticket: Ticket, *fields: str) -> None:
    ticket.updated_at = clock.now()
    ticket.save(update_fields=[*fields, "updated_at"])
    if REPORT_KEYS.intersection(fields):
        ticket_keys_sync(ticket)


def ticket_keys_backfill() -> int:
    """Copy the report keys onto every ``TicketKeyed`` row that lacks them (an empty channel):
    rows written in bulk, by SQL, by the data sets of the benchmark. Returns the rows filled."""
    filled = 0
    with connection.cursor() as cursor:
        for model in ticket_keyed_models():
            cursor.execute(
                f"""UPDATE {model._meta.db_table} AS r
                       SET ticket_assignee_id = t.assignee_id, ticket_team_id = t.team_id,
                           ticket_organization_id = t.organization_id, ticket_channel = t.channel
                      FROM {Ticket._meta.db_table} AS t
                     WHERE t.id = r.ticket_id AND r.ticket_channel = ''"""  # noqa: S608 - our tables
            )
            filled += cursor.rowcount
    return filled


def ticket_keys_sync(ticket: Ticket) -> None:
    """Rewrite the copy of the ticket's report keys on its SLA clocks, CSAT survey and any other
    ``TicketKeyed`` rows, so reports group them under the ticket's current agent and team."""
    keys = ticket_keys_of(ticket)
    for model in ticket_keyed_models():
        model.objects.filter(ticket_id=ticket.pk).update(**keys)


def _check_choice(value: str, choices: type, field: str) -> None:
    if value not in choices.values:
        raise ValidationFailed(f"{value!r} is not a valid {field}.", field=field)


def _customer_may_act(customer: Customer, ticket: Ticket) -> bool:
    if ticket.requester_id == customer.pk:
        return True
    return bool(
        customer.is_org_manager
        and customer.organization_id
        and customer.organization_id == ticket.organization_id
    )


def check_attachments(files: Sequence[File]) -> None:
    """Refuse files that run when opened and files over the size limit, with a sentence; also
    for callers that hold files before a ticket exists (portal submissions awaiting a link)."""
    limit = settings.ATTACHMENT_MAX_BYTES
    for upload in files:
        name = PurePath(upload.name or "").name
        if not name:
            raise ValidationFailed("An attachment needs a file name.", field="attachments")
        if PurePath(name.lower()).suffix in BLOCKED_EXTENSIONS:
            raise ValidationFailed(
                f"{name} can't be attached: programs and scripts are not accepted.",
                field="attachments",
            )
        if upload.size > limit:
            raise ValidationFailed(
                f"{name} is {upload.size / 1048576:.1f} MB; attachments can be at most "
                f"{limit / 1048576:.0f} MB.",
                field="attachments",
            )


def _store_attachments(ticket: Ticket, message: Message, files: Sequence[File]) -> None:
    for upload in files:
        name = PurePath(upload.name).name
        attachment = Attachment(
            ticket=ticket,
            message=message,
            name=name[:255],
            size=upload.size,
            content_type=getattr(upload, "content_type", None) or "application/octet-stream",
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()


def _add_message(
    ticket: Ticket,
    *,
    kind: str,
    body: str,
    body_html: str,
    by: Actor,
    channel: str,
    attachments: Sequence[File],
    email_message_id: str = "",
) -> Message:
    body = body.strip()
    if not body and not attachments:
        raise ValidationFailed("The message is empty.", field="body")
    check_attachments(attachments)
    message = Message.objects.create(
        ticket=ticket,
        kind=kind,
        author_user=by if isinstance(by, User) else None,
        author_customer=by if isinstance(by, Customer) else None,
        body_text=body,
        body_html=sanitize_html(body_html) if body_html else "",
        channel=channel,
        email_message_id=email_message_id[:250],
    )
    _store_attachments(ticket, message, attachments)
    return message


def _set_status(ticket: Ticket, status: str, *, by: Actor | None) -> None:
    workflow.check_transition(ticket.status, status)
    old = ticket.status
    now = clock.now()
    ticket.status = status
    if status == Status.SOLVED:
        ticket.solved_at = now
    elif status == Status.CLOSED:
        ticket.closed_at = now
    elif old == Status.SOLVED:  # reopened
        ticket.solved_at = None
    _touch(ticket, "status", "solved_at", "closed_at")
    record_event(ticket, kind=EventKind.STATUS_CHANGED, by=by, field="status", old=old, new=status)
    sla.sla_on_status_changed(ticket=ticket, old=old, new=status)  # SLA: pause/resume/stop clocks


def normalize_tag(name: str) -> str:
    tag = re.sub(r"\s+", "-", name.strip().lower())
    if not TAG_RE.match(tag):
        raise ValidationFailed(
            f"{name!r} is not a valid tag: use letters, digits, '-', '_', '.' or ':' "
            "(at most 64 characters).",
            field="tags",
        )
    return tag


# --- tickets --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketAsCreated:
    """The rows :func:`ticket_create` wrote beside the ticket, exactly as written."""

    message: Message
    tags: list[Tag]
    sla: TicketSla
    sla_targets: list[SlaTarget]


@transaction.atomic
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
) -> Ticket:
    """Open a ticket for ``requester`` with its first public message.

    ``by`` is who files it: the requester (portal, mail), an agent on their behalf (phone, web),
    or ``None`` for the system. The first message is the agent's when an agent files it.

    What was written beside the ticket row comes back as ``ticket.as_created``, so a caller can
    show the new ticket (or use its first message) without reading them back.
    """
    subject = " ".join(subject.split())
    if not subject:
        raise ValidationFailed("A ticket needs a subject.", field="subject")
    if len(subject) > 250:
        raise ValidationFailed("The subject can be at most 250 characters.", field="subject")
    _check_choice(channel, Channel, "channel")
    _check_choice(priority, Priority, "priority")
    _check_choice(type, TicketType, "type")
    if isinstance(by, Customer) and by.pk != requester.pk:
        raise NotPermitted("A customer can only file tickets in their own name.")
    if isinstance(by, User) and not by.is_agent:
        raise NotPermitted("Customers file tickets through their contact, not their login.")
    if assignee is not None and not assignee.is_agent:
        raise ValidationFailed("Only agents can be assigned.", field="assignee")
    tag_names = sorted({normalize_tag(t) for t in tags})
    tag_rows = _tags_named(tag_names) if tag_names else []

    ticket = Ticket(
        subject=subject,
        channel=channel,
        priority=priority,
        type=type,
        requester=requester,
        organization_id=requester.organization_id,
        team=team,
        assignee=assignee,
    )
    # SLA: match a policy and start the clocks; the due times go in with the ticket's INSERT.
    sla_plan = sla.sla_plan_new_ticket(ticket=ticket, tag_ids={tag.pk for tag in tag_rows})
    ticket.save(force_insert=True)
    author: Actor = by if isinstance(by, User) else requester
    message = _add_message(
        ticket,
        kind=MessageKind.REPLY,
        body=body,
        body_html=body_html,
        by=author,
        channel=channel,
        attachments=attachments,
        email_message_id=email_message_id,
    )
    record_event(ticket, kind=EventKind.CREATED, by=by, message=message)
    if tag_rows:
        # A new ticket has no tags yet: link them in one INSERT (``tags.set`` would read first).
        links = Ticket.tags.through
        links.objects.bulk_create([links(ticket_id=ticket.pk, tag_id=tag.pk) for tag in tag_rows])
    matched, targets = sla.sla_save_new_ticket(ticket=ticket, plan=sla_plan)
    ticket.as_created = TicketAsCreated(
        message=message, tags=tag_rows, sla=matched, sla_targets=targets
    )
    return ticket


@transaction.atomic
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
    status in the same step ("send and set pending"). A customer's reply reopens the ticket."""
    _lock(ticket)
    if ticket.status == Status.CLOSED:
        raise InvalidChange("This ticket is closed; a reply needs a new follow-up ticket.")
    if isinstance(by, Customer):
        if not _customer_may_act(by, ticket):
            raise NotPermitted("You can only reply to your own tickets.")
        if status is not None:
            raise NotPermitted("Customers can't set a status while replying.")
    else:
        _require_agent(by)
        if status is not None:
            _check_choice(status, Status, "status")
    message = _add_message(
        ticket,
        kind=MessageKind.REPLY,
        body=body,
        body_html=body_html,
        by=by,
        channel=channel or Channel.WEB,
        attachments=attachments,
        email_message_id=email_message_id,
    )
    record_event(ticket, kind=EventKind.REPLIED, by=by, message=message)
    sla.sla_on_reply(ticket=ticket, message=message)  # SLA: meet or start reply clocks

    if isinstance(by, User):
        if ticket.first_responded_at is None:
            ticket.first_responded_at = message.created_at
            _touch(ticket, "first_responded_at")
        target = status or (Status.OPEN if ticket.status == Status.NEW else None)
    else:
        target = workflow.ON_CUSTOMER_REPLY.get(ticket.status)
    if target and target != ticket.status:
        _set_status(ticket, target, by=by)
    else:
        _touch(ticket)
    return message


@transaction.atomic
def ticket_note(
    *,
    ticket: Ticket,
    body: str,
    by: User,
    attachments: Sequence[File] = (),
    email_message_id: str = "",
) -> Message:
    """Add an internal note: agents only, never shown or sent to a customer."""
    _require_agent(by)
    _lock(ticket)
    if ticket.status == Status.CLOSED:
        raise InvalidChange("This ticket is closed and can't take new notes.")
    message = _add_message(
        ticket,
        kind=MessageKind.NOTE,
        body=body,
        body_html="",
        by=by,
        channel=Channel.WEB,
        attachments=attachments,
        email_message_id=email_message_id,
    )
    record_event(ticket, kind=EventKind.NOTE_ADDED, by=by, message=message)
    _touch(ticket)
    return message


@transaction.atomic
def ticket_change_status(*, ticket: Ticket, status: str, by: Actor | None) -> Ticket:
    """Move the ticket through the state machine. Customers may only solve or reopen their own."""
    _lock(ticket)
    if isinstance(by, Customer):
        if not _customer_may_act(by, ticket):
            raise NotPermitted("You can only change your own tickets.")
        allowed = status == Status.SOLVED or (
            status == Status.OPEN and ticket.status == Status.SOLVED
        )
        if not allowed:
            raise NotPermitted("Customers can only mark a ticket solved or reopen it.")
    elif by is not None:
        _require_agent(by)
    _set_status(ticket, status, by=by)
    return ticket


def _change_field(ticket: Ticket, *, field: str, value: str, kind: str, by: Actor | None) -> Ticket:
    _lock(ticket)
    if ticket.status == Status.CLOSED:
        raise InvalidChange("A closed ticket can't be changed.", field=field)
    old = getattr(ticket, field)
    if old == value:
        return ticket
    setattr(ticket, field, value)
    _touch(ticket, field)
    record_event(ticket, kind=kind, by=by, field=field, old=old, new=value)
    sla.sla_on_matching_changed(ticket=ticket)  # SLA: priority/type may match another policy
    return ticket


@transaction.atomic
def ticket_change_priority(*, ticket: Ticket, priority: str, by: User | None) -> Ticket:
    if by is not None:
        _require_agent(by)
    _check_choice(priority, Priority, "priority")
    return _change_field(
        ticket, field="priority", value=priority, kind=EventKind.PRIORITY_CHANGED, by=by
    )


@transaction.atomic
def ticket_change_type(*, ticket: Ticket, type: str, by: User) -> Ticket:  # noqa: A002
    _require_agent(by)
    _check_choice(type, TicketType, "type")
    return _change_field(ticket, field="type", value=type, kind=EventKind.TYPE_CHANGED, by=by)


@transaction.atomic
def ticket_change_subject(*, ticket: Ticket, subject: str, by: User) -> Ticket:
    _require_agent(by)
    subject = " ".join(subject.split())
    if not subject:
        raise ValidationFailed("A ticket needs a subject.", field="subject")
    if len(subject) > 250:
        raise ValidationFailed("The subject can be at most 250 characters.", field="subject")
    return _change_field(
        ticket, field="subject", value=subject, kind=EventKind.SUBJECT_CHANGED, by=by
    )


@transaction.atomic
def ticket_assign(
    *,
    ticket: Ticket,
    by: User | None,
    assignee: User | None | object = _UNSET,
    team: Team | None | object = _UNSET,
) -> Ticket:
    """Set the assignee, the team, or both; leave one out to keep it, pass ``None`` to clear it.

    An assignee must be an active agent, and a member of the ticket's team when it has one.
    """
    if by is not None:
        _require_agent(by)
    _lock(ticket)
    if ticket.status == Status.CLOSED:
        raise InvalidChange("A closed ticket can't be reassigned.")
    new_team = ticket.team if team is _UNSET else team
    new_assignee = ticket.assignee if assignee is _UNSET else assignee
    if isinstance(new_assignee, User):
        if not new_assignee.is_agent or not new_assignee.is_active:
            raise ValidationFailed("Only active agents can be assigned.", field="assignee")
        if isinstance(new_team, Team) and not new_team.members.filter(pk=new_assignee.pk).exists():
            raise ValidationFailed(
                f"{new_assignee.display_name} is not a member of {new_team.name}.",
                field="assignee",
            )
    changed: list[str] = []
    if team is not _UNSET and ticket.team_id != (new_team.pk if new_team else None):
        old_team = ticket.team
        ticket.team = new_team
        changed.append("team")
        record_event(
            ticket, kind=EventKind.TEAM_CHANGED, by=by, field="team", old=old_team, new=new_team
        )
    if assignee is not _UNSET and ticket.assignee_id != (new_assignee.pk if new_assignee else None):
        old_assignee = ticket.assignee
        ticket.assignee = new_assignee
        changed.append("assignee")
        record_event(
            ticket,
            kind=EventKind.ASSIGNEE_CHANGED,
            by=by,
            field="assignee",
            old=old_assignee,
            new=new_assignee,
        )
    if changed:
        _touch(ticket, *changed)
    return ticket


def _tags_named(names: Iterable[str]) -> list[Tag]:
    names = list(names)
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=name) for name in names if name not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    return [existing[name] for name in names]


@transaction.atomic
def ticket_set_tags(
    *, ticket: Ticket, by: User | None, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> Ticket:
    if by is not None:
        _require_agent(by)
    _lock(ticket)
    if ticket.status == Status.CLOSED:
        raise InvalidChange("A closed ticket can't be retagged.")
    to_add = {normalize_tag(t) for t in add}
    to_remove = {normalize_tag(t) for t in remove} - to_add
    current = set(ticket.tags.values_list("name", flat=True))
    added = sorted(to_add - current)
    removed = sorted(to_remove & current)
    if added:
        ticket.tags.add(*_tags_named(added))
    if removed:
        ticket.tags.remove(*Tag.objects.filter(name__in=removed))
    for name in added:
        record_event(ticket, kind=EventKind.TAG_ADDED, by=by, field="tags", new=name)
    for name in removed:
        record_event(ticket, kind=EventKind.TAG_REMOVED, by=by, field="tags", old=name)
    if added or removed:
        _touch(ticket)
        sla.sla_on_matching_changed(ticket=ticket)  # SLA: tags may match another policy
    return ticket


@transaction.atomic
def ticket_follow(*, ticket: Ticket, user: User, by: User) -> Ticket:
    """Add an agent as a follower: they hear about the ticket without being its assignee."""
    _require_agent(by)
    if not user.is_agent:
        raise ValidationFailed("Only agents can follow tickets.", field="followers")
    if ticket.followers.filter(pk=user.pk).exists():
        return ticket
    ticket.followers.add(user)
    record_event(ticket, kind=EventKind.FOLLOWER_ADDED, by=by, field="followers", new=user)
    return ticket


@transaction.atomic
def ticket_unfollow(*, ticket: Ticket, user: User, by: User) -> Ticket:
    _require_agent(by)
    if not ticket.followers.filter(pk=user.pk).exists():
        return ticket
    ticket.followers.remove(user)
    record_event(ticket, kind=EventKind.FOLLOWER_REMOVED, by=by, field="followers", old=user)
    return ticket


# --- customers ------------------------------------------------------------------------------


@transaction.atomic
def customer_merge(*, source: Customer, target: Customer, by: User) -> Customer:
    """Fold ``source`` into ``target``: its tickets and messages move, each ticket records it.

    Lives here rather than in ``customers`` because it changes tickets, and ``customers`` must not
    know about tickets.
    """
    _require_agent(by)
    if source.pk == target.pk:
        raise InvalidChange("A customer can't be merged into itself.")
    if source.merged_into_id:
        raise InvalidChange(f"{source.email} was already merged into another customer.")
    for ticket in Ticket.objects.select_for_update().filter(requester=source):
        ticket.requester = target
        if ticket.organization_id is None:
            ticket.organization_id = target.organization_id
        _touch(ticket, "requester", "organization")
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
    if source.user_id and not target.user_id:
        target.user_id, source.user_id = source.user_id, None
        source.save(update_fields=["user"])
        target.save(update_fields=["user"])
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    return target


# --- merging tickets ------------------------------------------------------------------------


@transaction.atomic
def ticket_merge(*, source: Ticket, target: Ticket, by: User) -> Ticket:
    """Fold ``source`` into ``target``: its public messages are copied into ``target`` (in their
    original order, attachments referenced), both get an internal note saying so, and ``source``
    is solved and points at ``target``. The copies record no reply events, so nobody is mailed
    the old conversation again.
    """
    _require_agent(by)
    if source.pk == target.pk:
        raise InvalidChange("A ticket can't be merged into itself.")
    # Lock both rows in id order so two opposite merges can't deadlock.
    first, second = sorted((source, target), key=lambda t: t.pk)
    _lock(first)
    _lock(second)
    if source.merged_into_id:
        raise InvalidChange(f"{source.reference} was already merged into #{source.merged_into_id}.")
    if target.merged_into_id:
        raise InvalidChange(
            f"{target.reference} was itself merged into #{target.merged_into_id}; "
            "merge into that ticket instead."
        )
    if target.status == Status.CLOSED:
        raise InvalidChange(f"{target.reference} is closed and can't take merged tickets.")

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
    _touch(target)

    note = Message.objects.create(
        ticket=source,
        kind=MessageKind.NOTE,
        author_user=by,
        body_text=f"Merged into {target.reference} ({target.subject}); continue there.",
    )
    record_event(source, kind=EventKind.NOTE_ADDED, by=by, message=note)
    source.merged_into = target
    _touch(source, "merged_into")
    if source.status not in (Status.SOLVED, Status.CLOSED):
        _set_status(source, Status.SOLVED, by=by)
    return target
