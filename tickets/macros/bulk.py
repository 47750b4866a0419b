"""A macro applied from the queue's bulk bar: each selected ticket through ``macro_apply`` in its
own transaction, errors reported per ticket."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from support.errors import DomainError, NotFound
from tickets.macros import services
from tickets.macros.selectors import macro_get_for_agent
from tickets.models import Ticket
from tickets.workspace.canned import render_placeholders


def bulk_apply_macro(request: HttpRequest, tickets: list[Ticket], *, back: str) -> HttpResponse:
    """The macro's field changes and note on every ticket; its public reply only when the agent
    ticked ``macro_reply`` (one reply per ticket, each with that ticket's placeholders)."""
    macro_id = request.POST.get("macro", "")
    if not macro_id.isdecimal():
        messages.error(request, _("Choose a macro to apply."))
        return redirect(back)
    try:
        macro = macro_get_for_agent(agent=request.user, macro_id=int(macro_id), active=True)
    except NotFound:
        messages.error(request, _("That macro is no longer available."))
        return redirect(back)
    with_reply = request.POST.get("macro_reply") == "on"
    actions = macro.actions
    if actions.get("reply") and not with_reply and not (set(actions) - {"reply"}):
        messages.error(
            request,
            _("“%(title)s” only replies: tick “with its reply” to send it.")
            % {"title": macro.title},
        )
        return redirect(back)
    done, errors = 0, []
    for ticket in tickets:

        def text(key: str, ticket: Ticket = ticket) -> str:
            return render_placeholders(actions.get(key, ""), ticket=ticket, agent=request.user)

        try:
            services.macro_apply(
                ticket=ticket,
                macro=macro,
                by=request.user,
                reply=text("reply") if with_reply else None,
                note=text("note"),
            )
            done += 1
        except DomainError as exc:
            errors.append(f"{ticket.reference}: {exc.message}")
    if done:
        messages.success(
            request,
            _("Applied “%(title)s” to %(done)s ticket(s).") % {"title": macro.title, "done": done},
        )
    for error in errors:
        messages.error(request, error)
    return redirect(back)
