"""Reads of tickets, each with the permission check built in.

A ticket outside the caller's reach is reported as not found, never as forbidden, so a probe can't
learn that it exists.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, JSONField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.utils.translation import gettext as _

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


class JSONList(Aggregate):
    """A group's values as one JSON array (``JSONB_AGG`` on PostgreSQL, ``JSON_GROUP_ARRAY`` on
    SQLite); ``None`` for no row."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def with_tags_and_followers(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Each ticket with its tag names (``tag_names``) and followers (``follower_rows``: id, name,
    email) read in its own query, as the ticket page's header shows them."""
    tagged = Ticket.tags.through.objects.filter(ticket_id=OuterRef("pk")).values("ticket_id")
    followed = Ticket.followers.through.objects.filter(ticket_id=OuterRef("pk")).values("ticket_id")
    follower = JSONObject(id="user_id", name="user__name", email="user__email")
    return tickets.annotate(
        tag_names=Subquery(tagged.annotate(names=JSONList("tag__name")).values("names")),
        follower_rows=Subquery(followed.annotate(rows=JSONList(follower)).values("rows")),
    )


def ticket_get_for_agent(
    *, agent: User, ticket_id: int, sla_clock: bool = False, header: bool = False
) -> Ticket:
    """The ticket if ``agent`` may see it, else ``NotFound``. ``sla_clock``: with what its SLA
    badge needs (``tickets_with_sla_clock``) in the same query, as on the ticket page;
    ``header``: that, its SLA policy, tags and followers too (the ticket page's header)."""
    if not agent.is_agent:
        raise NotFound(_("No such ticket."))
    tickets = tickets_visible_to(agent).select_related(
        "requester", "organization", "assignee", "team"
    )
    if sla_clock or header:
        from tickets.sla.selectors import tickets_with_sla_clock

        tickets = tickets_with_sla_clock(tickets)
    if header:
        tickets = with_tags_and_followers(tickets).select_related("sla")
    ticket = tickets.filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(_("No such ticket."))
    return ticket


def ticket_get_for_customer(*, user: User, ticket_id: int) -> Ticket:
    if not user.is_customer:
        raise NotFound(_("No such ticket."))
    ticket = (
        tickets_visible_to(user)
        .select_related("requester", "organization")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound(_("No such ticket."))
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
        raise NotFound(_("No such file."))
    return attachment
