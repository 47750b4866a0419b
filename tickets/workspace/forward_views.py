"""Forward one public message of a ticket by mail to someone outside it.

The page shows the message, takes the addresses and a comment, and calls
``tickets.services.message_forward``: an internal note records it and the mail goes out through
the outbox after the change commits (never from this request).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import agent_required
from support.errors import DomainError, NotFound
from tickets import services
from tickets.models import Message, MessageKind
from tickets.selectors import messages_visible_to, ticket_get_for_agent
from tickets.workspace.views import nav_context


@agent_required
@require_http_methods(["GET", "POST"])
def message_forward_view(request: HttpRequest, ticket_id: int, message_id: int) -> HttpResponse:
    ticket = ticket_get_for_agent(agent=request.user, ticket_id=ticket_id)
    message: Message | None = (
        messages_visible_to(user=request.user, ticket=ticket)
        .filter(pk=message_id, kind=MessageKind.REPLY, needs_review=False)
        .first()
    )
    if message is None:
        raise NotFound(_("No such public message on this ticket."))
    values = {"to": "", "comment": ""}
    error, status = "", 200
    if request.method == "POST":
        values = {"to": request.POST.get("to", ""), "comment": request.POST.get("comment", "")}
        try:
            services.message_forward(
                message=message,
                to=services.split_addresses(values["to"]),
                by=request.user,
                comment=values["comment"],
            )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            error, status = exc.message, 400
        else:
            messages.success(request, _("Message forwarded; a note on the ticket says to whom."))
            return redirect("workspace:ticket", ticket_id=ticket.pk)
    context = {
        "ticket": ticket,
        "message": message,
        "values": values,
        "error": error,
        **nav_context(request),
    }
    return render(request, "agent/forward.html", context, status=status)
