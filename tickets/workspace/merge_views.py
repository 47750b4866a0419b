"""Merge from the ticket page: find the ticket to merge into, see what will move, confirm.

The merge itself is ``tickets.services.ticket_merge`` (the same one the API calls); this page
only finds a target among the tickets the agent can see and says, before anything is saved,
what the service will do.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import agent_required
from support.errors import DomainError, NotFound
from tickets import services
from tickets.models import Attachment, MessageKind, Status, Ticket
from tickets.selectors import ticket_get_for_agent
from tickets.workspace import queues
from tickets.workspace.views import nav_context

CANDIDATE_FIELDS = ("id", "subject", "status", "updated_at", "requester__name", "requester__email")


@dataclass
class MergePreview:
    """What merging ``source`` into ``target`` does, in numbers a person can check."""

    source: Ticket
    target: Ticket
    replies: int
    attachments: int
    notes: int
    same_requester: bool


def merge_candidates(*, agent, source: Ticket, query: str) -> list[Ticket]:
    """Tickets ``source`` may be merged into, found by number ("123", "#123") or subject words;
    with no query, the requester's other tickets. Never itself, a merged or a closed ticket."""
    tickets = (
        queues.visible_tickets(agent)
        .exclude(pk=source.pk)
        .filter(merged_into__isnull=True)
        .exclude(status=Status.CLOSED)
        .select_related("requester")
        .only(*CANDIDATE_FIELDS)
    )
    query = query.strip().lstrip("#").strip()
    if not query:
        tickets = tickets.filter(requester_id=source.requester_id)
    elif query.isdecimal():
        tickets = tickets.filter(Q(pk=int(query)) | Q(subject__icontains=query))
    else:
        for word in query.split()[:5]:
            tickets = tickets.filter(subject__icontains=word)
    return list(tickets.order_by("-updated_at", "-id")[:10])


def merge_preview(*, source: Ticket, target: Ticket) -> MergePreview:
    counts = source.messages.aggregate(
        replies=Count("id", filter=Q(kind=MessageKind.REPLY)),
        notes=Count("id", filter=Q(kind=MessageKind.NOTE)),
    )
    attachments = Attachment.objects.filter(
        message__ticket=source, message__kind=MessageKind.REPLY
    ).count()
    return MergePreview(
        source=source,
        target=target,
        replies=counts["replies"],
        attachments=attachments,
        notes=counts["notes"],
        same_requester=source.requester_id == target.requester_id,
    )


@agent_required
@require_http_methods(["GET", "POST"])
def ticket_merge_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """GET: search (``q``) and preview (``into``); POST ``into`` + ``confirm``: merge."""
    source = ticket_get_for_agent(agent=request.user, ticket_id=ticket_id)
    data = request.POST if request.method == "POST" else request.GET
    query = data.get("q", "")
    error, status, target = "", 200, None
    into = data.get("into", "").strip().lstrip("#")
    if into:
        try:
            target = ticket_get_for_agent(agent=request.user, ticket_id=int(into))
        except (ValueError, NotFound):
            error, status = f"There is no ticket #{into} that you can see.", 404
    if source.merged_into_id:
        error, status = f"#{source.pk} was already merged into #{source.merged_into_id}.", 409
        target = None
    elif target is not None and target.pk == source.pk:
        error, status, target = "A ticket can't be merged into itself.", 400, None
    if request.method == "POST" and target is not None and not error:
        try:
            services.ticket_merge(
                source=source,
                target=target,
                by=request.user,
                other_requester=request.POST.get("other_requester") == "1",
            )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            error, status = exc.message, 409
        else:
            messages.success(
                request,
                _("#%(pk)s was merged into #%(pk2)s.") % {"pk": source.pk, "pk2": target.pk},
            )
            return redirect("workspace:ticket", ticket_id=target.pk)
    context = {
        "ticket": source,
        "query": query,
        "candidates": []
        if target is not None
        else merge_candidates(agent=request.user, source=source, query=query),
        "preview": merge_preview(source=source, target=target) if target is not None else None,
        "error": error,
        **nav_context(request),
    }
    return render(request, "agent/merge.html", context, status=status)
