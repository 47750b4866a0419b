"""Permission-checked reads for feedback pages."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from support.errors import NotFound
from tickets.models import Message, MessageKind, Ticket
from tickets.selectors import ticket_get_for_customer

from .models import CsatSurvey, FeedbackItem, TicketFeedbackLink


def csat_for_ticket(ticket: Ticket) -> CsatSurvey | None:
    """The ticket's survey, for the agent's ticket page (agents already passed the ticket check)."""
    return CsatSurvey.objects.filter(ticket=ticket).first()


def csat_get_for_customer(*, user: User, ticket_id: int) -> CsatSurvey:
    """The survey of a customer's own ticket, once it has been sent to them."""
    ticket = ticket_get_for_customer(user=user, ticket_id=ticket_id)
    customer = getattr(user, "customer", None)
    survey = (
        CsatSurvey.objects.select_related("ticket")
        .filter(ticket=ticket, customer=customer, sent_at__isnull=False)
        .first()
    )
    if survey is None:
        raise NotFound(_("This ticket has no survey to answer."))
    return survey


def _may_read_insights(user: User) -> bool:
    return user.is_active and (user.is_agent or user.is_product_manager)


def items_with_demand(user: User, *, include_merged: bool = False) -> QuerySet[FeedbackItem]:
    """Active items (or all, with ``include_merged``) annotated with demand: links, distinct
    customers/orgs, newest link."""
    if not _may_read_insights(user):
        return FeedbackItem.objects.none()
    items = FeedbackItem.objects.all() if include_merged else FeedbackItem.objects.active()
    return with_demand(items)


def with_demand(items: QuerySet[FeedbackItem]) -> QuerySet[FeedbackItem]:
    """``items`` annotated with their demand (no permission check: for callers that made one)."""
    return items.select_related("owner", "product").annotate(
        demand=Count("links", distinct=True),
        customer_count=Count("links__customer", distinct=True),
        organization_count=Count("links__organization", distinct=True),
        blocker_count=Count("links", filter=Q(links__importance="blocker"), distinct=True),
        last_demand_at=Max("links__created_at"),
    )


def item_get(*, user: User, item_id: int) -> FeedbackItem:
    if not _may_read_insights(user):
        raise NotFound(_("No such feedback item."))
    item = (
        FeedbackItem.objects.select_related("owner", "merged_into", "product")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound(_("No such feedback item."))
    return item


def links_for_ticket(ticket: Ticket) -> QuerySet[TicketFeedbackLink]:
    return ticket.feedback_links.select_related("item", "customer", "created_by").order_by(
        "created_at"
    )


QUOTE_PREFILL_CHARS = 500


def customer_words(ticket: Ticket, *, messages: Iterable[Message] | None = None) -> str:
    """The customer's latest words on the ticket, to prefill a quote. ``messages``: the ticket's
    conversation if the caller has it loaded already (the agent's ticket page), saving a query."""
    if messages is not None:
        replies = [m for m in messages if m.author_customer_id and m.kind == MessageKind.REPLY]
        message = max(replies, key=lambda m: (m.created_at, m.pk), default=None)
    else:
        message = (
            ticket.messages.filter(author_customer__isnull=False, kind=MessageKind.REPLY)
            .order_by("-created_at", "-id")
            # ticket_id too: the related manager sets ``message.ticket``, which reads it (a
            # deferred field would cost a second query).
            .only("ticket_id", "body_text")
            .first()
        )
    return message.body_text[:QUOTE_PREFILL_CHARS].strip() if message else ""


def ticket_links_context(ticket: Ticket, *, messages: Iterable[Message] | None = None) -> dict:
    """What ``feedback/_ticket_links.html`` needs (the caller has checked the ticket's access)."""
    from .models import Importance, ItemKind

    return {
        "ticket": ticket,
        "links": list(links_for_ticket(ticket)),
        "Importance": Importance,
        "ItemKind": ItemKind,
        "prefill_quote": customer_words(ticket, messages=messages),
    }


def link_get_for_agent(*, user: User, link_id: int) -> TicketFeedbackLink:
    from tickets.selectors import tickets_visible_to

    link = (
        TicketFeedbackLink.objects.select_related("ticket", "item")
        .filter(pk=link_id, ticket__in=tickets_visible_to(user))
        .first()
    )
    if link is None or not user.is_agent:
        raise NotFound(_("No such link."))
    return link


def csat_responses_visible_to(user: User) -> QuerySet[CsatSurvey]:
    """Answered surveys: product managers see all of them (as the reports do), agents those of
    tickets they may see, anyone else none."""
    from tickets.selectors import tickets_visible_to

    answered = CsatSurvey.objects.answered()
    if not user.is_active:
        return answered.none()
    if user.is_product_manager:
        return answered
    if user.is_agent:
        return answered.filter(ticket__in=tickets_visible_to(user))
    return answered.none()
