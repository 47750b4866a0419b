"""Agent workspace pages: queues, search, saved views, availability, bulk actions."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.decorators import agent_required
from accounts.models import Availability, Team
from accounts.selectors import agent_choices, team_choices
from accounts.services import agent_heartbeat, agent_set_availability
from products.cache import catalog
from support.errors import DomainError
from tickets import services
from tickets.fields.filters import field_filter_rows, field_param_keys
from tickets.macros.bulk import bulk_apply_macro
from tickets.models import Channel, Priority, SavedView, Status, TicketType
from tickets.people import selectors as people_selectors
from tickets.selectors import ticket_get_for_agent
from tickets.sla.selectors import tickets_with_sla_clock
from tickets.workspace import queues, saved_views, search
from tickets.workspace.agent_cache import cached_for_agent
from tickets.workspace.forms import TicketChangeForm


def nav_context(request: HttpRequest, *, current: str = "") -> dict:
    """What the workspace layout needs: views with live counts, saved views, the agent's state."""
    user = request.user
    counts = queues.view_counts(user)
    builtins = [
        {
            "slug": v.slug,
            "label": v.label,
            "count": counts.get(v.slug),
            "count_label": queues.count_label(counts.get(v.slug)),
        }
        for v in queues.BUILTIN_VIEWS
    ]
    return {
        "nav_builtins": builtins,
        "nav_saved": [
            {"pk": pk, "name": name, "shared": shared, "current": current == f"saved-{pk}"}
            for pk, name, shared in cached_for_agent(
                "saved-views",
                user.pk,
                lambda: [
                    (v.pk, v.name, v.owner_id != user.pk) for v in queues.saved_views_for(user)
                ],
            )
        ],
        "nav_current": current,
        "availability_choices": Availability.choices,
        "heartbeat_seconds": settings.AGENT_HEARTBEAT_SECONDS,
    }


def _back(request: HttpRequest) -> str:
    """Where a form came from, if it is on this site; else the workspace."""
    back = request.POST.get("back") or ""
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return reverse("workspace:home")


@agent_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("workspace:queue", view="mine")


@agent_required
def nav_counts(request: HttpRequest) -> HttpResponse:
    """htmx: the side navigation, refreshed every so often so counts stay live."""
    context = nav_context(request, current=request.GET.get("current", ""))
    return render(request, "agent/_sidenav.html", context)


def _page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("size", queues.DEFAULT_PAGE_SIZE))
    except ValueError:
        return queues.DEFAULT_PAGE_SIZE
    return size if size in queues.PAGE_SIZES else queues.DEFAULT_PAGE_SIZE


def _filter_choices() -> dict:
    return {
        "status_choices": [(queues.UNSOLVED, _("Unsolved")), *Status.choices],
        "priority_choices": Priority.choices,
        "type_choices": TicketType.choices,
        "channel_choices": Channel.choices,
        "agents": agent_choices(),
        "teams": team_choices(),
        **_catalog_filter_choices(),
    }


def _catalog_filter_choices() -> dict:
    """The product, version and component lists of the queue filters and the bulk bar, from the
    process's copy of the catalog (no query on a warm page)."""
    known = catalog.get()
    names = {p.pk: p.name for p in known.products}
    return {
        "product_choices": [(p.pk, p.name) for p in known.products],
        "version_choices": [
            (v.pk, f"{names[pid]} {v.name}")
            for pid, versions in known.versions.items()
            for v in versions
        ],
        "component_choices": [
            (c.pk, f"{names[pid]} · {c.name}")
            for pid, components in known.components.items()
            for c in components
        ],
    }


def _export_url(saved: SavedView | None, current: str, query: str) -> str:
    """The CSV export of the queue shown (``tickets.workspace.export``), with its filters."""
    if saved is not None:
        url = reverse("workspace:saved_view_export", kwargs={"view_id": saved.pk})
    elif current in queues.BUILTIN_BY_SLUG:
        url = reverse("workspace:queue_export", kwargs={"view": current})
    else:
        return ""
    return f"{url}?{query}" if query else url


def saved_view_default_sort(filters: dict) -> str:
    """A saved view about SLA clocks starts most urgent first, like the built-in SLA views."""
    return queues.URGENT_SORT if filters.get("sla") else queues.DEFAULT_SORT


@dataclass(frozen=True)
class QueueRef:
    """A queue as a URL names it: a built-in or saved view, its filters, its sort."""

    title: str
    params: QueryDict
    sort: str  # the sort asked for ("" for the view's default)
    default_sort: str
    url: str


def queue_from_url(request: HttpRequest, url: str) -> QueueRef | None:
    """The queue at ``url`` (a workspace queue's path and query, e.g. a ticket link's ``from``),
    or ``None`` if it names none this agent may open."""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    query = QueryDict(parts.query)
    if match.view_name == "workspace:queue":
        builtin = queues.BUILTIN_BY_SLUG.get(match.kwargs["view"])
        if builtin is None:
            return None
        title, base, default = builtin.label, builtin.params, builtin.sort
    elif match.view_name == "workspace:saved_view":
        saved = queues.saved_views_for(request.user).filter(pk=match.kwargs["view_id"]).first()
        if saved is None:
            return None
        title, base = saved.name, saved.filters
        default = saved_view_default_sort(saved.filters)
    else:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return QueueRef(
        title=title,
        params=queues.merged_params(base, query),
        sort=query.get("sort", ""),
        default_sort=default,
        url=path,
    )


# How each sort reads in each direction, for the sort control and screen readers.
SORT_WORDS = {
    "sla": (_("SLA due soonest first"), _("SLA due latest first")),
    "priority": (_("lowest priority first"), _("highest priority first")),
    "created": (_("oldest first"), _("newest first")),
    "updated": (_("least recently updated first"), _("most recently updated first")),
    "reference": (_("lowest reference first"), _("highest reference first")),
    "subject": (_("subject A–Z"), _("subject Z–A")),
    "status": (_("status, new first"), _("status, closed first")),
}


def _sort_description(page: queues.Page) -> str:
    return str(SORT_WORDS[page.sort][1 if page.descending else 0])


def _render_queue(
    request: HttpRequest,
    *,
    title: str,
    params: QueryDict,
    current: str,
    saved=None,
    default_sort: str = queues.DEFAULT_SORT,
) -> HttpResponse:
    user = request.user
    tickets = tickets_with_sla_clock(queues.queue_tickets(params, user=user))
    page = queues.page_of(
        tickets,
        sort=request.GET.get("sort"),
        cursor=request.GET.get("after"),
        before=request.GET.get("before"),
        size=_page_size(request),
        default_sort=default_sort,
    )
    base_qs = request.GET.copy()
    base_qs.pop("after", None)
    base_qs.pop("before", None)
    next_qs = prev_qs = None
    if page.next_cursor:
        nq = base_qs.copy()
        nq["after"] = page.next_cursor
        next_qs = nq.urlencode()
    if page.prev_cursor:
        pq = base_qs.copy()
        pq["before"] = page.prev_cursor
        prev_qs = pq.urlencode()
    # A column header flips the current sort; another column starts descending.
    sort_links = {}
    for name in queues.SORTS:
        sq = base_qs.copy()
        sq["sort"] = name if (page.sort == name and page.descending) else f"-{name}"
        sort_links[name] = sq.urlencode()
    # The sort control: each choice starts in its natural direction; the current one flips.
    sort_choices = []
    for choice in queues.SORT_CHOICES:
        name = choice.lstrip("-")
        current_sort = page.sort == name
        flipped = choice.startswith("-") != page.descending if current_sort else False
        sq = base_qs.copy()
        target_desc = (not page.descending) if current_sort else choice.startswith("-")
        sq["sort"] = f"-{name}" if target_desc else name
        sort_choices.append(
            {
                "name": name,
                "label": queues.SORTS[name].label,
                "qs": sq.urlencode(),
                "current": current_sort,
                "reversed": flipped,
            }
        )
    first_qs = base_qs.urlencode()
    # Ticket links carry the queue they were opened from ("Send and next ticket").
    from_qs = base_qs.copy()
    queue_url = request.path + (f"?{from_qs.urlencode()}" if from_qs else "")
    context = {
        "title": title,
        "page": page,
        "params": params,
        "filters": {k: params.getlist(k) for k in queues.FILTER_KEYS},
        "export_url": _export_url(saved, current, first_qs),
        "field_filters": field_filter_rows(params),
        "field_filter_active": any(field_param_keys(params)),
        "next_qs": next_qs,
        "prev_qs": prev_qs,
        "first_qs": first_qs,
        "sort_links": sort_links,
        "sort_choices": sort_choices,
        "sort_desc": _sort_description(page),
        "from_param": urlencode({"from": queue_url}),
        "saved_view": saved,
        "filter_query": params.urlencode(),
        "page_sizes": queues.PAGE_SIZES,
        **_filter_choices(),
    }
    if request.htmx and request.htmx.target == "queue-results":
        return render(request, "agent/_queue_results.html", context)
    context.update(nav_context(request, current=current))
    return render(request, "agent/queue.html", context)


@agent_required
def queue(request: HttpRequest, view: str) -> HttpResponse:
    builtin = queues.BUILTIN_BY_SLUG.get(view)
    if builtin is None:
        raise Http404("No such view.")
    params = queues.merged_params(builtin.params, request.GET)
    return _render_queue(
        request, title=builtin.label, params=params, current=view, default_sort=builtin.sort
    )


@agent_required
def saved_view(request: HttpRequest, view_id: int) -> HttpResponse:
    saved = queues.saved_views_for(request.user).filter(pk=view_id).first()
    if saved is None:
        raise Http404("No such view.")
    params = queues.merged_params(saved.filters, request.GET)
    return _render_queue(
        request,
        title=saved.name,
        params=params,
        current=f"saved-{saved.pk}",
        saved=saved,
        default_sort=saved_view_default_sort(saved.filters),
    )


@agent_required
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    name = (request.POST.get("name") or "").strip()[:80]
    query = QueryDict(request.POST.get("filters", ""))
    filters = {k: query.getlist(k) for k in queues.filter_keys_in(query) if query.getlist(k)}
    if not name:
        messages.error(request, gettext("Give the view a name to save it."))
        return redirect(_back(request))
    team_ids = [int(t) for t in request.POST.getlist("share_with") if t.isdecimal()]
    # The form offers sharing to admins only; for anyone else it is ignored, not an error.
    teams = Team.objects.filter(pk__in=team_ids) if team_ids and request.user.is_admin else []
    try:
        view = saved_views.saved_view_create(
            owner=request.user, name=name, filters=filters, share_with=teams
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_back(request))
    messages.success(request, gettext("Saved the view “%(name)s”.") % {"name": name})
    return redirect("workspace:saved_view", view_id=view.pk)


@agent_required
@require_POST
def saved_view_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    view = get_object_or_404(SavedView, pk=view_id, owner=request.user)
    saved_views.saved_view_delete(view=view, by=request.user)
    messages.success(request, gettext("Deleted the view “%(name)s”.") % {"name": view.name})
    return redirect("workspace:home")


@agent_required
def search_page(request: HttpRequest) -> HttpResponse:
    text = (request.GET.get("q") or "").strip()
    params = queues.merged_params({}, request.GET)
    params.pop("q", None)
    results = []
    if text:
        tickets = queues.visible_tickets(request.user).filter(
            queues.filter_q(params, user=request.user)
        )
        results = list(
            search.ranked(tickets, text)
            .select_related("requester", "organization", "assignee", "team")
            .only(*queues.LIST_FIELDS)[:50]
        )
        for row in results:
            row.snippet_parts = search.snippet_parts(row.snippet)
    # People and organizations whose name or address contains the text (issue 18).
    people = people_selectors.customer_matches(agent=request.user, text=text) if text else []
    organizations = (
        people_selectors.organization_matches(agent=request.user, text=text) if text else []
    )
    context = {
        "q": text,
        "results": results,
        "people": people,
        "organizations": organizations,
        "full_text": search.is_postgres(),
        **nav_context(request, current="search"),
    }
    return render(request, "agent/search.html", context)


def _availability_form(request: HttpRequest) -> HttpResponse:
    """The top bar's availability form, for the page it is on (not for the URL answering)."""
    return render(
        request,
        "agent/_availability.html",
        {
            "availability_choices": Availability.choices,
            "availability_back": _back(request),
            "heartbeat_seconds": settings.AGENT_HEARTBEAT_SECONDS,
        },
    )


@agent_required
@require_POST
def availability(request: HttpRequest) -> HttpResponse:
    agent_set_availability(agent=request.user, availability=request.POST.get("availability", ""))
    if request.htmx:
        return _availability_form(request)
    return redirect(_back(request))


@agent_required
@require_POST
def availability_heartbeat(request: HttpRequest) -> HttpResponse:
    """An open workspace page, every ``AGENT_HEARTBEAT_SECONDS``: the agent is still there.
    Nothing to swap (204) unless the availability changed meanwhile (set away after a silence,
    or from another tab): then the top bar's form comes back showing it."""
    agent_heartbeat(agent=request.user)
    if request.POST.get("shown") == request.user.availability:
        return HttpResponse(status=204)
    return _availability_form(request)


# --- bulk actions ---------------------------------------------------------------------------

# Each bulk action (but merge) and the fields of the change it makes.
BULK_CHANGES = {
    "assign": ["assignee"],
    "status": ["status"],
    "priority": ["priority"],
    "team": ["team"],
    "tags": ["tags_add", "tags_remove"],
    "product": ["product", "version"],
}
BULK_ACTIONS = (*BULK_CHANGES, "merge", "macro")


@agent_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Apply one action to the selected tickets, each through its service; report per ticket."""
    back = _back(request)
    action = request.POST.get("action", "")
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdecimal()]
    if action not in BULK_ACTIONS:
        messages.error(request, gettext("Choose an action for the selected tickets."))
        return redirect(back)
    if not ids:
        messages.error(request, gettext("Select at least one ticket first."))
        return redirect(back)
    tickets = [ticket_get_for_agent(agent=request.user, ticket_id=i) for i in ids]
    if action == "macro":
        return bulk_apply_macro(request, tickets, back=back)
    if action == "merge":
        ref = (request.POST.get("merge_into") or "").strip().lstrip("#")
        if not ref.isdecimal():
            messages.error(
                request, gettext("Type the reference of the ticket to merge into, e.g. #1042.")
            )
            return redirect(back)
        target = ticket_get_for_agent(agent=request.user, ticket_id=int(ref))
        done, errors = 0, []
        for ticket in tickets:
            if ticket.pk == target.pk and len(tickets) > 1:
                continue  # merging a selection into one of its own tickets: skip the target
            try:
                services.ticket_merge(source=ticket, target=target, by=request.user)
                done += 1
            except DomainError as exc:
                errors.append(f"{ticket.reference}: {exc.message}")
        if done:
            messages.success(
                request,
                gettext("Merged %(done)s ticket(s) into %(reference)s.")
                % {"done": done, "reference": target.reference},
            )
        for error in errors:
            messages.error(request, error)
        return redirect(back)
    form = TicketChangeForm(request.POST, fields=BULK_CHANGES[action], user=request.user)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return redirect(back)
    done, errors = 0, []
    for ticket in tickets:
        try:
            services.ticket_update(ticket=ticket, by=request.user, changes=form.changes())
            done += 1
        except DomainError as exc:
            errors.append(f"{ticket.reference}: {exc.message}")
    if done:
        messages.success(request, gettext("Updated %(done)s ticket(s).") % {"done": done})
    for error in errors:
        messages.error(request, error)
    return redirect(back)
