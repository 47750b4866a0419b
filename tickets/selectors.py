"""Reads of tickets, each with the permission check built in.

A ticket outside the caller's reach is reported as not found, never as forbidden, so a probe can't
learn that it exists.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet

from accounts.models import Team, User
from support.errors import NotFound
from tickets.models import Attachment, Message, MessageKind, Ticket


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """Tickets `user` may see: all for admins; for agents their teams' tickets and those they
    are assigned to, created or follow; own for customers."""
    tickets = Ticket.objects.all()
    if not user.is_active:
        return tickets.none()
    if user.is_admin or (user.is_agent and settings.AGENTS_SEE_ALL_TICKETS):
        return tickets
    if user.is_agent:
        # A subquery, not a join through team members: no DISTINCT, and the queue indexes keep
        # serving ORDER BY updated_at LIMIT n (measured in docs/benchmarks.md).
        my_teams = Team.members.through.objects.filter(user_id=user.pk).values("team_id")
        followed = Ticket.followers.through.objects.filter(user_id=user.pk).values("ticket_id")
        return tickets.filter(
            Q(team_id__in=my_teams) | Q(assignee=user) | Q(created_by=user) | Q(pk__in=followed)
        )
    customer = getattr(user, "customer", None)
    if customer is None:
        return tickets.none()
    mine = Q(requester=customer)
    if customer.is_org_manager and customer.organization_id:
        mine |= Q(organization_id=customer.organization_id)
    if customer.email:
        mine |= copied_in(customer.email)
    return tickets.filter(mine)


def copied_in(email: str) -> Q:
    """Tickets whose CCs (``Ticket.cc``, lower-case addresses) include ``email``: they read the
    conversation (never the notes) and reply, as they do by mail. PostgreSQL answers it from
    the GIN index ``ticket_cc_gin`` (jsonb ``@>``); SQLite, which has no JSON containment,
    matches the address as a quoted string in the stored list."""
    address = email.strip().lower()
    if connection.vendor == "postgresql":
        return Q(cc__contains=[address])
    return Q(cc__icontains=f'"{address}"')


def ticket_get_for_agent(*, agent: User, ticket_id: int, sla_clock: bool = False) -> Ticket:
    """The ticket if ``agent`` may see it, else ``NotFound``. ``sla_clock``: with what its SLA
    badge needs (``tickets_with_sla_clock``) in the same query, as on the ticket page."""
    if not agent.is_agent:
        raise NotFound("No such ticket.")
    tickets = tickets_visible_to(agent).select_related(
        "requester", "organization", "assignee", "team"
    )
    if sla_clock:
        from tickets.sla.selectors import tickets_with_sla_clock

        tickets = tickets_with_sla_clock(tickets)
    ticket = tickets.filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("No such ticket.")
    return ticket


def ticket_get_for_customer(*, user: User, ticket_id: int) -> Ticket:
    if not user.is_customer:
        raise NotFound("No such ticket.")
    ticket = (
        tickets_visible_to(user)
        .select_related("requester", "organization")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound("No such ticket.")
    return ticket


def messages_visible_to(*, user: User, ticket: Ticket) -> QuerySet[Message]:
    """A ticket's conversation as ``user`` may read it: customers never get internal notes."""
    messages = ticket.messages.select_related("author_user", "author_customer").prefetch_related(
        "attachments"
    )
    if user.is_agent:
        return messages
    return messages.filter(kind=MessageKind.REPLY)


def attachments_visible_to(user: User) -> QuerySet[Attachment]:
    """Attachments of tickets ``user`` may see; customers only those on public replies."""
    attachments = Attachment.objects.filter(ticket__in=tickets_visible_to(user).values("pk"))
    if not user.is_agent:
        attachments = attachments.filter(message__kind=MessageKind.REPLY)
    return attachments


def attachment_get_for_user(*, user: User, attachment_id) -> Attachment:
    """One attachment ``user`` may download, for every page and channel; else ``NotFound``."""
    attachment = attachments_visible_to(user).filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("No such file.")
    return attachment
