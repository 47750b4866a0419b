"""The building blocks every ticket write is made of: lock the row, check who may act, add a
message (with its attachments), touch the ticket (``updated_at`` and the copies of its report
keys), move the status through the state machine. Services here and in the channel
sub-packages (``tickets.mail``) compose them; each one runs inside its caller's transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import connection
from django.utils.translation import gettext as _

from accounts.models import User
from customers.models import Customer
from support import clock
from support.errors import NotPermitted, ValidationFailed
from support.text import clean_name
from tickets import workflow
from tickets.events import record_event
from tickets.fields import services as custom_fields
from tickets.models import (
    MAX_CCS,
    Attachment,
    EventKind,
    Message,
    Status,
    Tag,
    Ticket,
    ticket_keyed_models,
    ticket_keys_of,
)
from tickets.sanitize import sanitize_html
from tickets.sla import services as sla

Actor = User | Customer

TAG_RE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,63}$")
# Never accepted as attachments: files that run when opened.
BLOCKED_EXTENSIONS = frozenset(
    ".exe .msi .bat .cmd .com .scr .pif .vbs .vbe .js .jse .wsf .wsh .ps1 .jar .dll .cpl .hta "
    ".lnk .reg .app .sh".split()
)
# The ticket's columns that rows counted in reports carry a copy of (``TicketKeyed``).
REPORT_KEYS = frozenset(
    {"assignee", "team", "organization", "product", "version", "component"}
)  # a channel never changes


# --- who may act ----------------------------------------------------------------------------


def require_agent(by: Actor | None) -> User:
    """``by`` as an active agent, or :class:`NotPermitted`."""
    if not isinstance(by, User) or not by.is_agent or not by.is_active:
        raise NotPermitted(_("Only agents can do this."))
    return by


def customer_may_act(customer: Customer, ticket: Ticket) -> bool:
    """A customer acts on their own tickets, and an organization's manager on its tickets."""
    if ticket.requester_id == customer.pk:
        return True
    return bool(
        customer.is_org_manager
        and customer.organization_id
        and customer.organization_id == ticket.organization_id
    )


# --- CCs -----------------------------------------------------------------------------------


def clean_cc_addresses(addresses: Iterable[str], *, requester_email: str = "") -> list[str]:
    """``addresses`` as a ticket's CCs: each a valid address, lower-case, once; never ours (a
    copy to our own mailbox would come back as a new message) nor the requester's (they get the
    mail anyway). A bad address is a :class:`ValidationFailed` naming it."""
    from tickets.mail.loops import is_own_address

    requester_email = requester_email.strip().lower()
    clean: list[str] = []
    for raw in addresses:
        address = str(raw).strip().strip("<>").lower()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationFailed(
                _("%(address)s is not an email address.") % {"address": address}, field="cc"
            ) from None
        if is_own_address(address):
            raise ValidationFailed(
                _("%(address)s is one of our own addresses and can't be copied in.")
                % {"address": address},
                field="cc",
            )
        if address != requester_email and address not in clean:
            clean.append(address)
    return clean


def split_addresses(text: str) -> list[str]:
    """Addresses typed in one field, separated by commas, semicolons or spaces."""
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


def check_cc_count(addresses: Sequence[str]) -> None:
    if len(addresses) > MAX_CCS:
        raise ValidationFailed(
            _("A ticket can copy in at most %(MAX_CCS)s people.") % {"MAX_CCS": MAX_CCS}, field="cc"
        )


# --- the ticket row -------------------------------------------------------------------------


def ticket_lock(ticket: Ticket) -> Ticket:
    """Lock the ticket's row for this transaction and reload it, so concurrent changes queue up."""
    fresh = Ticket.objects.select_for_update().get(pk=ticket.pk)
    for field in Ticket._meta.concrete_fields:
        setattr(ticket, field.attname, getattr(fresh, field.attname))
    return ticket


# Changes a customer doesn't see: they move ``updated_at`` (the agents' queues) but not
# ``public_updated_at`` (the portal's "Updated", a customer token's updated_at and ETag).
INTERNAL_FIELDS = frozenset({"assignee", "team"})


def ticket_touch(
    ticket: Ticket, *fields: str, internal: bool = False, at: datetime | None = None
) -> None:
    """Save ``fields`` and a new ``updated_at`` (``at``, or now) — and ``public_updated_at``
    unless the change is internal (``internal=True``, as for a note, or only
    ``INTERNAL_FIELDS``); when a report key changed, rewrite its copies."""
    ticket.updated_at = at or clock.now()
    stamps = ["updated_at"]
    if not (internal or (fields and INTERNAL_FIELDS.issuperset(fields))):
        ticket.public_updated_at = ticket.updated_at
        stamps.append("public_updated_at")
    ticket.save(update_fields=[*fields, *stamps])
    if REPORT_KEYS.intersection(fields):
        ticket_keys_sync(ticket)


def ticket_keys_sync(ticket: Ticket) -> None:
    """Rewrite the copy of the ticket's report keys on its SLA clocks, CSAT survey and any other
    ``TicketKeyed`` rows, so reports group and filter them by the ticket's current agent, team,
    organization and product, version and component."""
    keys = ticket_keys_of(ticket)
    for model in ticket_keyed_models():
        model.objects.filter(ticket_id=ticket.pk).update(**keys)


def ticket_keys_backfill() -> int:
    """Copy the report keys onto every ``TicketKeyed`` row that lacks them (an empty channel):
    rows written in bulk, by SQL, by the data sets of the benchmark. Returns the rows filled."""
    filled = 0
    with connection.cursor() as cursor:
        for model in ticket_keyed_models():
            cursor.execute(
                f"""UPDATE {model._meta.db_table} AS r
                       SET ticket_assignee_id = t.assignee_id, ticket_team_id = t.team_id,
                           ticket_organization_id = t.organization_id, ticket_channel = t.channel,
                           ticket_product_id = t.product_id, ticket_version_id = t.version_id,
                           ticket_component_id = t.component_id
                      FROM {Ticket._meta.db_table} AS t
                     WHERE t.id = r.ticket_id AND r.ticket_channel = ''"""  # noqa: S608 - our tables
            )
            filled += cursor.rowcount
    return filled


def status_set(ticket: Ticket, status: str, *, by: Actor | None, also: Sequence[str] = ()) -> None:
    """Move a locked ticket to ``status`` through the state machine (stamping solved/closed
    times), record it, and let the SLA clocks pause, resume or stop. ``also``: other fields the
    caller set on the ticket in the same step, saved in the same write (a first response)."""
    workflow.check_transition(ticket.status, status)
    if status == Status.SOLVED and isinstance(by, User) and by.is_agent:
        # Custom fields an agent must fill in before solving (tickets.fields).
        custom_fields.require(ticket.fields or {}, on="solve")
    old = ticket.status
    now = clock.now()
    ticket.status = status
    if status == Status.SOLVED:
        ticket.solved_at = now
    elif status == Status.CLOSED:
        ticket.closed_at = now
    elif old == Status.SOLVED:  # reopened
        ticket.solved_at = None
    ticket_touch(ticket, "status", "solved_at", "closed_at", *also, at=now)
    record_event(ticket, kind=EventKind.STATUS_CHANGED, by=by, field="status", old=old, new=status)
    sla.sla_on_status_changed(ticket=ticket, old=old, new=status)


# --- values ---------------------------------------------------------------------------------


def check_choice(value: str, choices: type, field: str) -> None:
    if value not in choices.values:
        raise ValidationFailed(
            _("%(value)s is not a valid %(field)s.") % {"value": repr(value), "field": field},
            field=field,
        )


def clean_subject(subject: str) -> str:
    subject = clean_name(subject)
    if not subject:
        raise ValidationFailed(_("A ticket needs a subject."), field="subject")
    if len(subject) > 250:
        raise ValidationFailed(_("The subject can be at most 250 characters."), field="subject")
    return subject


def normalize_tag(name: str) -> str:
    tag = re.sub(r"\s+", "-", name.strip().lower())
    if not TAG_RE.match(tag):
        raise ValidationFailed(
            _(
                "%(name)s is not a valid tag: use letters, digits, '-', '_', '.' or ':' (at "
                "most 64 characters)."
            )
            % {"name": repr(name)},
            field="tags",
        )
    return tag


def tags_named(names: Iterable[str]) -> list[Tag]:
    """The tags of these (normalized) names, made where missing, in the order given."""
    names = list(names)
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=name) for name in names if name not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    return [existing[name] for name in names]


# --- messages and attachments ---------------------------------------------------------------


def check_attachments(files: Sequence[File]) -> None:
    """Refuse files that run when opened and files over the size limit, with a sentence; also
    for callers that hold files before a ticket exists (portal submissions awaiting a link)."""
    limit = settings.ATTACHMENT_MAX_BYTES
    for upload in files:
        name = attachment_name(upload)
        if not name:
            raise ValidationFailed(_("An attachment needs a file name."), field="attachments")
        if PurePath(name.lower()).suffix in BLOCKED_EXTENSIONS or is_program(upload):
            raise ValidationFailed(
                _("%(name)s can't be attached: programs and scripts are not accepted.")
                % {"name": name},
                field="attachments",
            )
        check_content_type(getattr(upload, "content_type", None), name=name)
        if upload.size > limit:
            raise ValidationFailed(
                _("%(name)s is %(value)s MB; attachments can be at most %(value2)s MB.")
                % {
                    "name": name,
                    "value": format(upload.size / 1048576, ".1f"),
                    "value2": format(limit / 1048576, ".0f"),
                },
                field="attachments",
            )


# What a file starts with when it is a program, whatever it is called: Linux (ELF), macOS
# (Mach-O, 32/64 bit, both byte orders, and universal binaries, which share CAFEBABE with Java
# classes: refused too), Windows shortcuts (.lnk) and scripts with an interpreter line (#!).
# Windows programs (MZ) are recognised in is_program.
PROGRAM_MAGIC = (
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"L\x00\x00\x00\x01\x14\x02\x00",
    b"#!",
)
# type/subtype with optional parameters (RFC 9110 media-type), as a browser or client sends it.
CONTENT_TYPE_RE = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,62}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,62}$"
)


def is_program(upload: File) -> bool:
    """Whether the file's first bytes say it runs when opened (its name may say otherwise)."""
    try:
        position = upload.tell()
    except (AttributeError, OSError, ValueError):
        position = 0
    try:
        upload.seek(0)
        head = upload.read(64) or b""
        upload.seek(position)
    except (AttributeError, OSError, ValueError):
        return False
    if isinstance(head, str):
        head = head.encode()
    # A DOS/Windows header (MZ) carries binary fields right after; a text file that happens to
    # start with the letters "MZ" does not.
    windows = head.startswith(b"MZ") and any(b < 9 or b > 126 for b in head[2:])
    return windows or head.startswith(PROGRAM_MAGIC)


def check_content_type(content_type: str | None, *, name: str) -> str:
    """The upload's declared media type without parameters, or a 400 when it is not one."""
    if not content_type:
        return "application/octet-stream"
    media_type = content_type.split(";", 1)[0].strip()
    if len(content_type) > 255 or not CONTENT_TYPE_RE.match(media_type):
        raise ValidationFailed(
            _("%(name)s has an invalid content type: expected type/subtype, such as image/png.")
            % {"name": name},
            field="attachments",
        )
    return media_type.lower()


def attachment_name(upload: File) -> str:
    """The file name an attachment is stored and shown under: no folders, display-safe."""
    return clean_name(PurePath(upload.name or "").name)


def attachments_store(ticket: Ticket, message: Message, files: Sequence[File]) -> None:
    for upload in files:
        name = attachment_name(upload)
        attachment = Attachment(
            ticket=ticket,
            message=message,
            name=name[:255],
            size=upload.size,
            content_type=check_content_type(getattr(upload, "content_type", None), name=name),
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()


def message_add(
    ticket: Ticket,
    *,
    kind: str,
    body: str,
    by: Actor,
    channel: str,
    body_html: str = "",
    attachments: Sequence[File] = (),
    email_message_id: str = "",
    needs_review: bool = False,
) -> Message:
    """Write one message of the conversation with its attachments (checked first). Records no
    event and moves no status: the service that calls it decides what the message means."""
    body = body.strip()
    if not body and not attachments:
        raise ValidationFailed(_("The message is empty."), field="body")
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
        needs_review=needs_review,
    )
    attachments_store(ticket, message, attachments)
    return message
