"""Mail that ticket events cause: agents' replies to customers, and notifications.

Each handler runs after the change committed (``support.events``) and may run twice (a retry, or
the events sweep re-queueing a lost dispatch), so every mail is queued with
``dedupe_key=f"event:{event.id}:…"``. Internal notes never reach a customer:
no handler here listens to ``note_added``, and the reply handler refuses anything not public.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop

from accounts.branding import brand
from accounts.models import User
from support.events import subscribe
from support.i18n import language_for
from tickets.mail import custom, loops, tokens
from tickets.mail.models import InboundEmail, OutboundEmail
from tickets.mail.outbound import _clean_header, email_queue
from tickets.mail.threading import strip_subject
from tickets.mail.trim import REPLY_MARKER
from tickets.models import (
    Channel,
    EventKind,
    Message,
    MessageKind,
    Ticket,
    TicketEvent,
)

logger = logging.getLogger(__name__)

AUTO_GENERATED = "auto-generated"
AUTO_REPLIED = "auto-replied"


# --- addresses and threading headers ------------------------------------------------------


def ticket_from_address(ticket: Ticket) -> str:
    """The team's address, else the default sender (with its display name)."""
    if ticket.team_id and ticket.team.email:
        return formataddr((_clean_header(f"{ticket.team.name} · {brand().site_name}"),
                           ticket.team.email))  # fmt: skip
    return brand().sender


def _from_as(name: str, base: str) -> str:
    return formataddr((_clean_header(name), parseaddr(base)[1]))


def _thread_ids(ticket: Ticket) -> list[str]:
    """Message-IDs of the ticket's customer-visible mail, oldest first."""
    received = ticket.messages.filter(kind=MessageKind.REPLY).exclude(email_message_id="")
    received = received.values_list("created_at", "email_message_id")
    sent = OutboundEmail.objects.filter(ticket=ticket, kind__in=CUSTOMER_KINDS).values_list(
        "created_at", "message_id_header"
    )
    ids: list[str] = []
    for _at, message_id in sorted([*received, *sent]):
        if message_id not in ids:
            ids.append(message_id)
    return ids


def _threading_headers(ticket: Ticket, *, base: str) -> dict[str, str]:
    headers = {
        "Reply-To": tokens.reply_address_for(ticket.pk, base=base),
        "X-Switchboard-Ticket": str(ticket.pk),
    }
    ids = _thread_ids(ticket)
    if ids:
        headers["In-Reply-To"] = ids[-1]
        # The first (the conversation's root) and the most recent ones: RFC 5322 §3.6.4.
        keep = ids if len(ids) <= 10 else [ids[0], *ids[-9:]]
        headers["References"] = " ".join(keep)
    return headers


def _subject(ticket: Ticket, *, own: str | None = None) -> str:
    """``own``: an admin's subject (``tickets.mail.custom``); the ticket token is always ours."""
    return f"Re: {own or strip_subject(ticket.subject) or ticket.subject} [#{ticket.pk}]"


def _history(ticket: Ticket, *, before: Message | None) -> list[dict]:
    """The last few public messages before ``before``, oldest first (never notes)."""
    messages = ticket.messages.filter(kind=MessageKind.REPLY, needs_review=False).select_related(
        "author_user", "author_customer"
    )
    if before is not None:
        messages = messages.exclude(pk=before.pk).filter(created_at__lte=before.created_at)
    recent = messages.order_by("-created_at", "-id")[: settings.MAIL_HISTORY_MESSAGES]
    return [
        {"author": _author(m), "at": m.created_at, "text": m.body_text}
        for m in reversed(list(recent))
    ]


def agent_ticket_url(ticket: Ticket) -> str:
    """Where an agent opens the ticket (the workspace), as an absolute link for mail."""
    return settings.SITE_URL + reverse("workspace:ticket", kwargs={"ticket_id": ticket.pk})


def customer_language(ticket: Ticket) -> str:
    """The language the requester reads mail in (their contact's ``locale``)."""
    return language_for(ticket.requester.locale)


# Who may add "these articles may answer your question" to the new-ticket confirmation: a higher
# app (the knowledge base) registers a function of (ticket, language) -> [{"title", "url"}].
_confirmation_articles: list[Callable[[Ticket, str], list[dict]]] = []


def register_confirmation_articles(finder: Callable[[Ticket, str], list[dict]]) -> None:
    if finder not in _confirmation_articles:
        _confirmation_articles.append(finder)


def confirmation_articles(ticket: Ticket, language: str) -> list[dict]:
    found: list[dict] = []
    for finder in _confirmation_articles:
        found.extend(finder(ticket, language))
    return found


def _render(name: str, context: dict, *, language: str | None = None) -> tuple[str, str]:
    if language is not None:
        with translation.override(language):
            return _render(name, context)
    context = {
        "site_name": brand().site_name,
        "site_url": settings.SITE_URL,
        "marker": REPLY_MARKER,
        **context,
    }
    if "ticket" in context:
        context["agent_ticket_url"] = agent_ticket_url(context["ticket"])
    return (
        render_to_string(f"mail/{name}.txt", context),
        render_to_string(f"mail/{name}.html", context),
    )


def _values(kind: str, context: dict) -> dict[str, str]:
    """The placeholders of an admin's template (``tickets.mail.custom``) as plain text."""
    ticket: Ticket = context["ticket"]
    message = context.get("message")
    by = context.get("by")
    values = {
        "site_name": brand().site_name,
        "ticket_id": str(ticket.pk),
        "ticket_subject": strip_subject(ticket.subject) or ticket.subject,
        "requester_name": ticket.requester.display_name,
        "status": str(ticket.get_status_display()),
        "priority": str(ticket.get_priority_display()),
        "message": message.body_text if message is not None else "",
        "ticket_url": agent_ticket_url(ticket),
        "agent_name": context["agent"].display_name if context.get("agent") else "",
        "customer_name": context["customer"].display_name if context.get("customer") else "",
        "assignee_name": context["assignee"].display_name if context.get("assignee") else "",
        "assigned_by": by.display_name if by else brand().site_name,
        "author_name": by.display_name if by else "",
    }
    return {k: v for k, v in values.items() if k in custom.KINDS[kind].placeholders}


def _compose(
    name: str, context: dict, *, language: str | None = None
) -> tuple[str | None, str, str]:
    """``(subject, text, html)``: the admins' template for the kind and language when there is
    one (``subject`` is then theirs, without the ticket token the caller adds), else the
    built-in one (``subject`` None)."""
    own = custom.custom_for(name, language or translation.get_language() or "en")
    if own is None or name not in custom.KINDS:
        return (None, *_render(name, context, language=language))
    subject, body = own
    # Placeholders such as the status name are in the mail's language, not the sender's.
    with translation.override(language or translation.get_language()):
        values = _values(name, context)
    return custom.render(subject=subject, body=body, values=values, marker=REPLY_MARKER)


def _in(language: str, text: str) -> str:
    """``text`` translated into ``language`` (a subject line, outside the templates)."""
    with translation.override(language):
        return translation.gettext(text)


def _author(message: Message) -> str:
    if message.author_user_id:
        return message.author_user.display_name
    if message.author_customer_id:
        return message.author_customer.display_name
    return brand().site_name


# --- customer-facing mail -------------------------------------------------------------------

CUSTOMER_KINDS = ("reply", "new_ticket")


def ticket_ccs(ticket: Ticket) -> list[str]:
    """Who else gets the ticket's public replies: its CCs (``Ticket.cc``), set by agents and by
    the requester's verified mail (docs/email.md, "CCs")."""
    return [a for a in ticket.cc or [] if not loops.is_own_address(a)]


def _customer_may_get_mail(ticket: Ticket) -> bool:
    email = ticket.requester.email
    if not email or loops.is_own_address(email):
        return False
    return True


@subscribe(EventKind.REPLIED)
def mail_agent_reply(event: TicketEvent) -> None:
    """An agent's public reply goes to the requester, threaded, with history and attachments."""
    _mail_agent_message(event)


@subscribe(EventKind.CREATED)
def mail_agent_opened_ticket(event: TicketEvent) -> None:
    """A ticket an agent opened with a public first message (a phone call written up in the
    workspace): the requester gets that message as the agent's reply, not a confirmation."""
    message = event.message
    if message is None or message.author_user_id is None:
        return  # the requester's own request: confirmed by ``mail_new_ticket_confirmation``
    _mail_agent_message(event)


def _mail_agent_message(event: TicketEvent) -> None:
    message = event.message
    if message is None or message.kind != MessageKind.REPLY:
        return  # never a note, whatever else is configured
    actor = event.actor
    if actor is None or not actor.is_agent:
        return
    ticket = event.ticket
    if not _customer_may_get_mail(ticket):
        return
    base = ticket_from_address(ticket)
    own_subject, text, html = _compose(
        "reply",
        {
            "ticket": ticket,
            "message": message,
            "agent": actor,
            "history": _history(ticket, before=message),
        },
        language=customer_language(ticket),
    )
    email_queue(
        kind="reply",
        to=[ticket.requester.email],
        cc=ticket_ccs(ticket),
        subject=_subject(ticket, own=own_subject),
        body_text=text,
        body_html=html,
        from_email=_from_as(f"{actor.display_name} ({brand().site_name})", base),
        headers=_threading_headers(ticket, base=base),
        ticket=ticket,
        message=message,
        dedupe_key=f"event:{event.pk}:reply",
        message_id=tokens.message_id_for(ticket.pk, domain=tokens.address_parts(base)[1]),
    )


@subscribe(EventKind.FORWARDED)
def mail_forwarded_message(event: TicketEvent) -> None:
    """A public message an agent forwarded (``message_forward``): to the addresses they typed,
    with their comment and the message's attachments, from the ticket's address (an answer
    threads back onto the ticket by its [#id])."""
    data = event.data or {}
    to = [a for a in data.get("to") or [] if not loops.is_own_address(a)]
    original = (
        Message.objects.filter(
            pk=data.get("forwarded"),
            ticket_id=event.ticket_id,
            kind=MessageKind.REPLY,
            needs_review=False,
        )
        .select_related("author_user", "author_customer")
        .first()
    )
    actor = event.actor
    if original is None or not to or actor is None or not actor.is_agent:
        return  # never a note, and only what an agent chose
    ticket = event.ticket
    base = ticket_from_address(ticket)
    text, html = _render(
        "forward",
        {"ticket": ticket, "message": original, "agent": actor, "comment": data.get("comment")},
    )
    email_queue(
        kind="forward",
        to=to,
        subject=f"Fwd: {strip_subject(ticket.subject) or ticket.subject} [#{ticket.pk}]",
        body_text=text,
        body_html=html,
        from_email=_from_as(f"{actor.display_name} ({brand().site_name})", base),
        headers={"X-Switchboard-Ticket": str(ticket.pk)},
        ticket=ticket,
        message=original,
        dedupe_key=f"event:{event.pk}:forward",
    )


@subscribe(EventKind.CREATED)
def mail_new_ticket_confirmation(event: TicketEvent) -> None:
    if not settings.NOTIFY_NEW_TICKET:
        return
    ticket = event.ticket
    message = event.message
    if message is None or message.kind != MessageKind.REPLY:
        return
    if message.author_user_id is not None:
        return  # an agent wrote it: ``mail_agent_opened_ticket`` sends it as their reply
    if ticket.channel == Channel.PORTAL and event.actor_customer_id is not None:
        return  # filed in the portal: the portal's receipt (with the link to follow it) is the one
    if not _customer_may_get_mail(ticket):
        return
    inbound = InboundEmail.objects.filter(message=message).only("autoreply_allowed").first()
    if inbound is not None and not inbound.autoreply_allowed:
        return  # an auto-reply, a list, a bounce: answering it could start a loop
    dedupe_key = f"event:{event.pk}:new_ticket"
    if OutboundEmail.objects.filter(dedupe_key=dedupe_key).exists():
        return  # a second run for this event: sent already, and must not count against the cap
    if not loops.autoreply_permitted(ticket.requester.email):
        logger.info("Auto-reply cap reached for ticket %s's requester", ticket.pk)
        return
    base = ticket_from_address(ticket)
    language = customer_language(ticket)
    context = {
        "ticket": ticket,
        "message": message,
        "articles": confirmation_articles(ticket, language),
    }
    own_subject, text, html = _compose("new_ticket", context, language=language)
    headers = _threading_headers(ticket, base=base)
    headers["Auto-Submitted"] = AUTO_REPLIED if ticket.channel == Channel.EMAIL else AUTO_GENERATED
    headers["X-Auto-Response-Suppress"] = "All"
    email_queue(
        kind="new_ticket",
        to=[ticket.requester.email],
        subject=_subject(ticket, own=own_subject),
        body_text=text,
        body_html=html,
        from_email=base,
        headers=headers,
        ticket=ticket,
        dedupe_key=dedupe_key,
        message_id=tokens.message_id_for(ticket.pk, domain=tokens.address_parts(base)[1]),
    )


# --- agent-facing notifications --------------------------------------------------------------


def _notify_agents(
    event: TicketEvent,
    *,
    kind: str,
    users: list[User],
    template: str,
    context: dict,
    internal: bool = False,
) -> None:
    """Mail agents about a ticket. ``internal`` mail (about a note) carries no ticket token and
    no reply address, and a reply to it comes back as a note (see ``threading.INTERNAL_KINDS``).

    Other notifications go one per agent, each with ``Reply-To`` the agent's signed reply address
    for this ticket (``tokens.agent_reply_address_for``): replying to it is how an agent's mail
    proves it is theirs and becomes a public reply (docs/email.md, "Trust model")."""
    users = sorted(
        {u.pk: u for u in users if u.is_active and u.is_agent and u.email}.values(),
        key=lambda u: u.email,
    )
    if not users:
        return
    ticket = event.ticket
    base = ticket_from_address(ticket)
    # Each agent reads the mail in their own language (``User.locale``): the admins' template
    # for it, else the built-in one.
    by_language: dict[str, list[User]] = {}
    for user in users:
        by_language.setdefault(language_for(user.locale), []).append(user)
    for language, group in sorted(by_language.items()):
        own_subject, text, html = _compose(
            template, {"ticket": ticket, **context}, language=language
        )
        subject = own_subject or strip_subject(ticket.subject) or ticket.subject
        if internal:
            headers = {"X-Switchboard-Ticket": str(ticket.pk)}
            headers["Auto-Submitted"] = AUTO_GENERATED
            headers["X-Auto-Response-Suppress"] = "All"
            email_queue(
                kind=kind,
                to=[u.email for u in group],
                subject=_in(language, gettext_noop("Internal note on ticket %(id)s: %(subject)s"))
                % {"id": ticket.pk, "subject": subject},
                body_text=text,
                body_html=html,
                from_email=base,
                headers=headers,
                ticket=ticket,
                dedupe_key=f"event:{event.pk}:{kind}"
                + ("" if len(by_language) == 1 else f":{language}"),
                # An unsigned id: only its outbound row ties a reply to the ticket.
                message_id=None,
            )
            continue
        for user in group:
            headers = _threading_headers(ticket, base=base)
            headers["Reply-To"] = tokens.agent_reply_address_for(user.pk, ticket.pk, base=base)
            headers["Auto-Submitted"] = AUTO_GENERATED
            headers["X-Auto-Response-Suppress"] = "All"
            email_queue(
                kind=kind,
                to=[user.email],
                subject=f"[#{ticket.pk}] {subject}",
                body_text=text,
                body_html=html,
                from_email=base,
                headers=headers,
                ticket=ticket,
                dedupe_key=f"event:{event.pk}:{kind}:{user.pk}",
                message_id=tokens.message_id_for(ticket.pk, domain=tokens.address_parts(base)[1]),
            )


@subscribe(EventKind.REPLIED)
def mail_customer_reply_to_agents(event: TicketEvent) -> None:
    """A customer wrote: tell the assignee, or the team when nobody has the ticket."""
    if not settings.NOTIFY_CUSTOMER_REPLY:
        return
    message = event.message
    if message is None or event.actor_customer_id is None:
        return
    inbound = InboundEmail.objects.filter(message=message).only("autoreply_allowed").first()
    if inbound is not None and not inbound.autoreply_allowed:
        return  # out-of-office and other machine mail: on the ticket, nobody paged
    ticket = event.ticket
    if ticket.assignee_id:
        recipients = [ticket.assignee]
    elif ticket.team_id:
        recipients = list(ticket.team.members.all())
    else:
        recipients = []
    _notify_agents(
        event,
        kind="customer_reply",
        users=recipients,
        template="customer_reply",
        context={"message": message, "customer": event.actor_customer},
    )


@subscribe(EventKind.ASSIGNEE_CHANGED)
def mail_assignment(event: TicketEvent) -> None:
    if not settings.NOTIFY_ASSIGNMENT:
        return
    assignee: User | None = event.ticket.assignee
    if assignee is None or (event.actor_id and event.actor_id == assignee.pk):
        return  # unassigned, or they took it themselves
    if event.new != assignee.display_name:
        return  # reassigned again since; that later event notifies
    _notify_agents(
        event,
        kind="assigned",
        users=[assignee],
        template="assigned",
        context={"assignee": assignee, "by": event.actor},
    )


MENTION_RE = re.compile(r"(?<![\w.+-])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


@subscribe(EventKind.NOTE_ADDED)
def mail_mention(event: TicketEvent) -> None:
    """``@agent@example.com`` in an internal note tells that agent. Agents only, by design."""
    if not settings.NOTIFY_MENTION:
        return
    message = event.message
    if message is None or message.needs_review:
        return  # an unconfirmed note from mail pages nobody
    emails = {m.lower() for m in MENTION_RE.findall(message.body_text)}
    if not emails:
        return
    mentioned = [
        u
        for u in User.objects.filter(is_active=True).exclude(role="customer")
        if u.email.lower() in emails and u.pk != event.actor_id
    ]
    _notify_agents(
        event,
        kind="mention",
        users=mentioned,
        template="mention",
        context={"message": message, "by": event.actor},
        internal=True,
    )
