"""The ticket page: header edits in place, the timeline, the composer, attachments, presence."""

from __future__ import annotations

from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.decorators import agent_required
from accounts.models import User
from accounts.selectors import agent_choices, team_choices
from customers import fields as profile_fields
from products.cache import catalog
from support.errors import DomainError, NotFound
from tickets import services
from tickets.downloads import attachment_response
from tickets.fields import services as custom_fields
from tickets.fields.cache import ticket_fields
from tickets.fields.models import FieldKind
from tickets.fields.ticket_forms import form_get, forms_offered
from tickets.macros import services as macro_services
from tickets.macros.selectors import macro_get_for_agent
from tickets.mail.models import InboundEmail
from tickets.models import (
    EventKind,
    Message,
    MessageKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
)
from tickets.selectors import attachment_get_for_user, messages_visible_to, ticket_get_for_agent
from tickets.sla.selectors import ticket_with_sla_clock
from tickets.workspace import canned, panels, presence, queues
from tickets.workspace.forms import TicketChangeForm
from tickets.workspace.presentation import event_sentence, timeline
from tickets.workspace.views import nav_context, queue_from_url

# The header's editable fields (in its URLs) and the change each one makes.
EDITABLE_FIELDS = {
    "subject": "subject",
    "status": "status",
    "priority": "priority",
    "type": "type",
    "assignee": "assignee",
    "team": "team",
    "tag_add": "tags_add",
    "tag_remove": "tags_remove",
    "follower_add": "followers_add",
    "follower_remove": "followers_remove",
    "cc_add": "cc_add",
    "cc_remove": "cc_remove",
    "product": "product",
    "version": "version",
    "component": "component",
}


def _header_context(ticket: Ticket, *, error: str = "") -> dict:
    # The clock badge reads the same running clocks as the queues' "SLA at risk" filter.
    if not hasattr(ticket, "sla_warn_at"):
        ticket_with_sla_clock(ticket)
    if hasattr(ticket, "tag_names"):  # read with the ticket (``header=True``)
        tags = sorted(ticket.tag_names or [])
        followers = [User(**row) for row in sorted(ticket.follower_rows or [], key=_by_id)]
    else:
        tags = list(ticket.tags.values_list("name", flat=True))
        followers = list(ticket.followers.only("id", "name", "email").order_by("id"))
    return {
        "ticket": ticket,
        "edit_url": _edit_urls(ticket),
        "tags": tags,
        "followers": followers,
        "agents": agent_choices(),
        "teams": team_choices(),
        "status_choices": Status.choices,
        "priority_choices": Priority.choices,
        "type_choices": TicketType.choices,
        "header_error": error,
        **_catalog_choices(ticket),
        "custom_fields": _field_rows(ticket),
        "ticket_forms": _form_choices(ticket),
    }


def _edit_urls(ticket: Ticket) -> dict[str, str]:
    """The header's edit URL of each field from one ``reverse``: the header has two per form, and
    a form per tag, follower and copied address."""
    subject = reverse("workspace:ticket_edit", kwargs={"ticket_id": ticket.pk, "field": "subject"})
    prefix = subject.removesuffix("subject/")
    return {field: f"{prefix}{field}/" for field in EDITABLE_FIELDS}


def _by_id(row: dict) -> int:
    return row["id"]


def _form_choices(ticket: Ticket) -> list:
    """The ticket forms an agent may switch to, and the ticket's own if it is archived."""
    offered = forms_offered(customer=False)
    current = form_get(ticket.form_id)
    if current is not None and current not in offered:
        offered = [*offered, current]
    return offered


def _field_rows(ticket: Ticket) -> list[dict]:
    """The custom fields in the header: each active field (and an archived one that still holds
    a value) with its value and the choices it may take (a retired one only if it is held)."""
    rows = []
    values = ticket.fields or {}
    for field, value, shown in custom_fields.visible_values(values, customer=False):
        held = set(value if isinstance(value, list) else [value])
        choices = [c for c in getattr(field, "choice_list", []) if not c.retired or c.value in held]
        rows.append(
            {"field": field, "value": value, "shown": shown, "choices": choices, "held": held}
        )
    return rows


def _catalog_choices(ticket: Ticket) -> dict:
    """The header's product, version and component lists: every product, and the versions and
    components of the ticket's (an agent may name an archived or end-of-life one)."""
    known = catalog.get()
    return {
        "products": known.products,
        "versions": known.versions_of(ticket.product_id),
        "components": known.components_of(ticket.product_id),
    }


def _conversation(user: User, ticket: Ticket) -> list[Message]:
    """The timeline's messages as ``user`` may read them, with their attachments and the mail
    each came from (for "view original", without the raw bytes) as plain lists: a prefetch into
    a list sets one attribute per message, where the related managers built a queryset per message
    and the template another per ``.all``."""
    return list(
        messages_visible_to(user=user, ticket=ticket)
        .prefetch_related(None)
        .prefetch_related(
            Prefetch("attachments", to_attr="listed_attachments"),
            Prefetch(
                "inbound_emails",
                queryset=InboundEmail.objects.only("id", "message_id", "cc_held"),
                to_attr="listed_inbound_emails",
            ),
        )
    )


def agent_zone(user: User) -> ZoneInfo:
    """The agent's time zone: event sentences name times in it ("First response due Tue 14:00")."""
    try:
        return ZoneInfo(user.time_zone or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def _events(ticket: Ticket) -> list[TicketEvent]:
    return list(ticket.events.select_related("actor", "actor_customer").order_by("at", "id"))


def _page_context(request: HttpRequest, ticket: Ticket, **extra) -> dict:
    user = request.user
    zone = agent_zone(user)
    conversation = _conversation(user, ticket)
    events = _events(ticket)
    others = list(
        queues.visible_tickets(user)
        .filter(requester_id=ticket.requester_id)
        .exclude(pk=ticket.pk)
        .only("id", "subject", "status", "updated_at")
        .order_by("-updated_at")[:10]
    )
    last_message_id = max((m.pk for m in conversation), default=0)
    context = {
        **_header_context(ticket),
        "timeline": timeline(conversation, events, zone),
        "conversation": conversation,
        "recent_events": [event_sentence(e, zone) for e in events[-8:]][::-1],
        "other_tickets": others,
        # Their organization and customer fields: values ride on the rows already loaded.
        "requester_fields": profile_fields.values_of(ticket.requester, filled=True),
        "organization_fields": profile_fields.values_of(ticket.organization, filled=True),
        "last_message_id": last_message_id,
        "last_event_id": max((e.pk for e in events), default=0),
        "max_attachment_bytes": settings.ATTACHMENT_MAX_BYTES,
        "max_attachment_mb": settings.ATTACHMENT_MAX_BYTES // 1048576,
        "canned": canned.for_composer(agent=user, ticket=ticket),
        "side_panels": panels.panels_for_ticket(
            ticket=ticket, agent=user, conversation=conversation
        ),
        "composer": {"kind": "reply", "body": "", "then": ""},
        # The queue the agent opened the ticket from (its ``from``): "Send and next ticket".
        "from_queue": queue_from_url(
            request, request.POST.get("from") or request.GET.get("from") or ""
        ),
        **nav_context(request),
    }
    context.update(extra)
    return context


@agent_required
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_get_for_agent(agent=request.user, ticket_id=ticket_id, header=True)
    return render(request, "agent/ticket.html", _page_context(request, ticket))


@agent_required
@require_POST
def ticket_edit(request: HttpRequest, ticket_id: int, field: str) -> HttpResponse:
    """One header field changed in place; htmx gets the header back (with the error, if any)."""
    if field not in EDITABLE_FIELDS:
        raise Http404("No such field.")
    ticket = ticket_get_for_agent(agent=request.user, ticket_id=ticket_id)
    change = EDITABLE_FIELDS[field]
    form = TicketChangeForm(
        {change: request.POST.get("value", "")}, fields=[change], user=request.user
    )
    error = ""
    if not form.is_valid():
        error = form.first_error()
    else:
        try:
            services.ticket_update(ticket=ticket, by=request.user, changes=form.changes())
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            error = exc.message
    if request.htmx:
        try:
            ticket = ticket_get_for_agent(agent=request.user, ticket_id=ticket_id, header=True)
        except NotFound:
            # Moved to a team this agent is not in: it is out of their reach now.
            messages.success(
                request,
                gettext("#%(ticket_id)s moved out of your teams.") % {"ticket_id": ticket_id},
            )
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("workspace:home")
            return response
        # The composer's "To … · CC …" line follows the header (out of band).
        response = render(
            request,
            "agent/_ticket_header.html",
            {**_header_context(ticket, error=error), "oob": True},
        )
        response["HX-Trigger"] = "ticket-changed"
        return response
    if error:
        messages.error(request, error)
        return redirect("workspace:ticket", ticket_id=ticket_id)
    try:
        ticket_get_for_agent(agent=request.user, ticket_id=ticket_id)
    except NotFound:
        messages.success(
            request, gettext("#%(ticket_id)s moved out of your teams.") % {"ticket_id": ticket_id}
        )
        return redirect("workspace:home")
    return redirect("workspace:ticket", ticket_id=ticket_id)


@agent_required
@require_POST
def ticket_field_edit(request: HttpRequest, ticket_id: int, key: str) -> HttpResponse:
    """One custom field changed in place; htmx gets the header back (with the error, if any).
    The value is checked by ``tickets.fields.services`` inside ``ticket_update``."""
    field = ticket_fields.get().get(key)
    if field is None and key != "form":
        raise Http404("No such field.")
    ticket = ticket_get_for_agent(agent=request.user, ticket_id=ticket_id)
    error = ""
    if key == "form":  # the ticket form it was filed through (an event like a field's)
        raw = request.POST.get("value", "")
        form = form_get(raw)
        changes: dict = {"form": form}
        if raw and form is None:
            error, changes = "Choose a form from the list.", {}
    else:
        multi = field.kind == FieldKind.MULTI_CHOICE
        value = request.POST.getlist("value") if multi else request.POST.get("value", "")
        changes = {"fields": {key: value}}
    try:
        if changes:
            services.ticket_update(ticket=ticket, by=request.user, changes=changes)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        error = exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("workspace:ticket", ticket_id=ticket_id)
    ticket = ticket_get_for_agent(agent=request.user, ticket_id=ticket_id, header=True)
    response = render(request, "agent/_ticket_header.html", _header_context(ticket, error=error))
    response["HX-Trigger"] = "ticket-changed"
    return response


@agent_required
def ticket_timeline(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """htmx: the timeline alone, refreshed after a header change."""
    ticket = ticket_get_for_agent(agent=request.user, ticket_id=ticket_id)
    conversation = _conversation(request.user, ticket)
    entries = timeline(conversation, _events(ticket), agent_zone(request.user))
    return render(
        request, "agent/_timeline.html", {"ticket": ticket, "timeline": entries}, using="jinja2"
    )


# Changes by someone else that make a reply written before them worth a second look.
STALE_EVENT_KINDS = (
    EventKind.STATUS_CHANGED,
    EventKind.ASSIGNEE_CHANGED,
    EventKind.TEAM_CHANGED,
    EventKind.SUBJECT_CHANGED,
    EventKind.REQUESTER_CHANGED,
)


def _changes_since(ticket: Ticket, user: User, last_event_id: int) -> list[TicketEvent]:
    return list(
        ticket.events.filter(pk__gt=last_event_id, kind__in=STALE_EVENT_KINDS)
        .exclude(actor=user)
        .select_related("actor", "actor_customer")
        .order_by("at", "id")
    )


def _new_messages_since(ticket: Ticket, user: User, last_id: int):
    return list(
        messages_visible_to(user=user, ticket=ticket)
        .filter(pk__gt=last_id)
        .exclude(author_user=user)
    )


@agent_required
@require_POST
def ticket_send(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Send a reply or add a note. Never blind: if someone wrote since the page was loaded, show
    what they wrote and ask again. On any error the page comes back with everything typed."""
    ticket = ticket_get_for_agent(agent=request.user, ticket_id=ticket_id)
    kind = request.POST.get("kind", MessageKind.REPLY)
    body = request.POST.get("body", "")
    then = request.POST.get("then", "")
    files = request.FILES.getlist("attachments")
    composer = {"kind": kind, "body": body, "then": then}
    # A macro picked in the composer: its field changes (and its note, ``macro_note``) go with
    # this send, in the same transaction; nothing of it was saved before.
    macro_id, macro = request.POST.get("macro", ""), None
    if macro_id.isdecimal():
        try:
            macro = macro_get_for_agent(agent=request.user, macro_id=int(macro_id), active=True)
        except NotFound:
            macro_id = "gone"
    macro_note = request.POST.get("macro_note", "")
    if macro is not None:
        composer["macro"] = macro.pk
        composer["macro_note"] = macro_note
    # "Send and next ticket": where this ticket stood in the agent's queue before the send moves
    # it; the next ticket is the one after that place. The queue is looked up (a saved view is a
    # query) only when the agent asked for the next ticket; a plain send doesn't need it.
    from_queue = (
        queue_from_url(request, request.POST.get("from", ""))
        if request.POST.get("next") == "1"
        else None
    )
    go_next = from_queue is not None
    if go_next:
        sort_name, _ = queues.parse_sort(from_queue.sort, default=from_queue.default_sort)
        place = queues.sort_values_of(ticket, sort_name)
    try:
        last_id = int(request.POST.get("last_message_id") or 0)
        last_event_id = int(request.POST.get("last_event_id") or 0)
    except ValueError:
        last_id = last_event_id = 0

    def again(
        error: str = "", *, new_messages=None, new_changes=None, status: int = 400
    ) -> HttpResponse:
        zone = agent_zone(request.user)
        context = _page_context(
            request,
            ticket,
            composer=composer,
            composer_error=error,
            new_changes=[event_sentence(e, zone) for e in new_changes or []],
            files_dropped=bool(files),
        )
        # Shown once, where they belong in the timeline and marked "New"; the notice above the
        # composer links to them rather than showing them a second time.
        fresh_ids = {m.pk for m in new_messages or []}
        context["fresh_ids"] = fresh_ids
        context["new_messages"] = [m for m in context["conversation"] if m.pk in fresh_ids]
        # The page now shows the whole timeline up to this moment (its ids are in the form):
        # only activity newer than this stops the next send.
        return render(request, "agent/ticket.html", context, status=status)

    if kind not in MessageKind.values:
        return again(gettext("Choose a public reply or an internal note."))
    if then and then not in (Status.PENDING, Status.SOLVED, Status.ON_HOLD, Status.OPEN):
        return again(
            gettext("%(status)s is not a status you can set while sending.")
            % {"status": repr(then)}
        )
    if kind == MessageKind.NOTE and then:
        return again(gettext("An internal note doesn't change the status; send it without one."))
    if macro_id == "gone":
        return again(
            gettext("That macro is no longer available; your text is kept, send it again.")
        )
    fresh = (
        _new_messages_since(ticket, request.user, last_id)
        if "last_message_id" in request.POST
        else []
    )
    # Forms without the field (API-like posts) skip this check rather than fail it.
    has_event_mark = "last_event_id" in request.POST
    changes = _changes_since(ticket, request.user, last_event_id) if has_event_mark else []
    if fresh or changes:
        return again(
            gettext(
                "New activity arrived while you were writing. "
                "Read it above (marked New), then send again."
            ),
            new_messages=fresh,
            new_changes=changes,
            status=409,
        )
    try:
        if macro is not None:
            message = _send_with_macro(request, ticket, macro, kind, body, macro_note, then, files)
        elif kind == MessageKind.NOTE:
            message = services.ticket_note(
                ticket=ticket, body=body, by=request.user, attachments=files
            )
        else:
            message = services.ticket_reply(
                ticket=ticket,
                body=body,
                by=request.user,
                attachments=files,
                status=then if then and then != ticket.status else None,
            )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return again(exc.message)
    presence.stop_typing(ticket_id=ticket.pk, user=request.user)
    if macro is not None:
        messages.success(request, gettext("Macro “%(title)s” applied.") % {"title": macro.title})
    else:
        # Landing on another ticket, the message names the one it was about.
        if kind == MessageKind.NOTE:
            notice = gettext("Note added on %(ref)s.") if go_next else gettext("Note added.")
        else:
            notice = gettext("Reply sent on %(ref)s.") if go_next else gettext("Reply sent.")
        messages.success(request, notice % {"ref": ticket.reference} if go_next else notice)
    sent = message.pk if message is not None else "1"
    if macro is not None:
        try:
            ticket_get_for_agent(agent=request.user, ticket_id=ticket.pk)
        except NotFound:  # the macro moved it to a team this agent is not in
            messages.success(
                request, gettext("#%(pk)s moved out of your teams.") % {"pk": ticket.pk}
            )
            return redirect("workspace:home")
    if go_next:
        following = queues.next_in_queue(
            queues.queue_tickets(from_queue.params, user=request.user),
            sort=from_queue.sort,
            default_sort=from_queue.default_sort,
            after=ticket,
            values=place,
        )
        done = urlencode({"done": ticket.pk})
        if following is None:
            messages.success(
                request,
                gettext("That was the last ticket in “%(title)s”.") % {"title": from_queue.title},
            )
            joiner = "&" if "?" in from_queue.url else "?"
            return redirect(f"{from_queue.url}{joiner}{done}")
        query = urlencode({"from": from_queue.url, "done": ticket.pk})
        return redirect(f"{reverse('workspace:ticket', args=[following.pk])}?{query}")
    return redirect(f"{reverse('workspace:ticket', args=[ticket.pk])}?sent={sent}")


def _send_with_macro(request, ticket, macro, kind, body, macro_note, then, files):
    """The composer's text and the macro's pending changes as one ``macro_apply``; the last
    message sent (or ``None`` when the macro only changed fields)."""
    if kind == MessageKind.NOTE:
        reply, note = "", "\n\n".join(t for t in (body.strip(), macro_note.strip()) if t)
    else:
        reply, note = body, macro_note
    sent = macro_services.macro_apply(
        ticket=ticket,
        macro=macro,
        by=request.user,
        reply=reply,
        note=note,
        attachments=files,
        status=then or None,
    )
    return sent[-1] if sent else None


@agent_required
def attachment_download(request: HttpRequest, attachment_id) -> HttpResponse:
    # Re-checks the ticket (404 if out of reach); images show inline unless ?download=1.
    attachment = attachment_get_for_user(user=request.user, attachment_id=attachment_id)
    return attachment_response(attachment, inline=request.GET.get("download") != "1")


@agent_required
def ticket_presence(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """htmx poll: say who is here (and whether I'm typing); list the others and new messages."""
    ticket = ticket_get_for_agent(agent=request.user, ticket_id=ticket_id)
    typing = request.GET.get("typing") == "1" or request.POST.get("typing") == "1"
    others = presence.touch(ticket_id=ticket.pk, user=request.user, typing=typing)
    try:
        last_id = int(request.GET.get("last_message_id") or 0)
    except ValueError:
        last_id = 0
    fresh = _new_messages_since(ticket, request.user, last_id) if last_id else []
    return render(
        request,
        "agent/_presence.html",
        {"others": others, "new_count": len(fresh), "ticket": ticket},
    )
