"""Agents link a ticket to feedback items: a partial the ticket page includes, and its endpoints.

Every endpoint answers an htmx request with the refreshed partial and a plain form post with a
redirect to the standalone page (``/feedback/tickets/<id>/links/``).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import agent_required
from feedback.models import FeedbackItem, ItemKind
from feedback.selectors import items_with_demand, link_get_for_agent, ticket_links_context
from feedback.services import (
    feedback_item_create_from_ticket,
    feedback_link_create,
    feedback_link_delete,
    item_search_filter,
)
from support.errors import DomainError, NotFound
from tickets.models import Ticket
from tickets.selectors import ticket_get_for_agent


def _context(request: HttpRequest, ticket: Ticket, **extra) -> dict:
    return {**ticket_links_context(ticket), **extra}


def _respond(request: HttpRequest, ticket: Ticket, **extra) -> HttpResponse:
    if request.htmx:
        return render(request, "feedback/_ticket_links.html", _context(request, ticket, **extra))
    if extra.get("error"):
        return render(
            request, "feedback/ticket_links.html", _context(request, ticket, **extra), status=400
        )
    return redirect("feedback:ticket_links", ticket_id=ticket.pk)


@agent_required
@require_GET
def ticket_links(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_get_for_agent(agent=request.user, ticket_id=ticket_id)
    template = "feedback/_ticket_links.html" if request.htmx else "feedback/ticket_links.html"
    return render(request, template, _context(request, ticket))


@agent_required
@require_GET
def ticket_links_search(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_get_for_agent(agent=request.user, ticket_id=ticket_id)
    query = request.GET.get("q", "").strip()
    items: list[FeedbackItem] = []
    if query:
        items = list(
            items_with_demand(request.user)
            .filter(item_search_filter(query))
            .exclude(links__ticket=ticket)
            .order_by("-demand", "title")[:10]
        )
    return render(
        request, "feedback/_item_search.html", {"ticket": ticket, "items": items, "query": query}
    )


@agent_required
@require_POST
def ticket_link_add(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_get_for_agent(agent=request.user, ticket_id=ticket_id)
    item = FeedbackItem.objects.filter(pk=request.POST.get("item") or 0).first()
    if item is None:
        raise NotFound(_("No such feedback item."))
    try:
        feedback_link_create(
            ticket=ticket,
            item=item,
            by=request.user,
            importance=request.POST.get("importance", ""),
            quote=request.POST.get("quote", ""),
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _respond(request, ticket, error=exc.message)
    return _respond(request, ticket)


@agent_required
@require_POST
def ticket_link_new_item(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_get_for_agent(agent=request.user, ticket_id=ticket_id)
    try:
        feedback_item_create_from_ticket(
            ticket=ticket,
            title=request.POST.get("title", ""),
            kind=request.POST.get("kind") or ItemKind.FEATURE_REQUEST,
            area=request.POST.get("area", ""),
            quote=request.POST.get("quote", ""),
            importance=request.POST.get("importance", ""),
            by=request.user,
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _respond(request, ticket, error=exc.message)
    return _respond(request, ticket)


@agent_required
@require_POST
def ticket_link_remove(request: HttpRequest, link_id: int) -> HttpResponse:
    link = link_get_for_agent(user=request.user, link_id=link_id)
    ticket = link.ticket
    feedback_link_delete(link=link, by=request.user)
    return _respond(request, ticket)
