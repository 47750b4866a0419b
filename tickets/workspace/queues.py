"""Queues: every view is a filter and a sort over the tickets an agent may see.

Filters come from query-string parameters, so a built-in view, a saved view and a hand-edited URL
are the same thing. Pages are keyset-paginated on (sort key, id): no OFFSET, so page 200 costs
what page 1 costs.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import QueryDict

from accounts.models import User
from support import clock
from tickets.models import (
    OPEN_STATUSES,
    Channel,
    Priority,
    SavedView,
    Status,
    Ticket,
    TicketType,
)
from tickets.selectors import tickets_visible_to
from tickets.sla.selectors import sla_at_risk_q, sla_breached_q
from tickets.workspace import search

UNSOLVED = "unsolved"
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50

PRIORITY_RANK = Case(
    *[When(priority=p, then=Value(i)) for i, p in enumerate(Priority.values)],
    output_field=IntegerField(),
)
STATUS_RANK = Case(
    *[When(status=s, then=Value(i)) for i, s in enumerate(Status.values)],
    output_field=IntegerField(),
)

# sort name -> (label, field or annotation name, annotation or None)
SORTS: dict[str, tuple[str, str, object | None]] = {
    "updated": ("Last update", "updated_at", None),
    "created": ("Created", "created_at", None),
    "reference": ("Reference", "id", None),
    "subject": ("Subject", "subject", None),
    "priority": ("Priority", "priority_rank", PRIORITY_RANK),
    "status": ("Status", "status_rank", STATUS_RANK),
}
DEFAULT_SORT = "-updated"


@dataclass(frozen=True)
class BuiltinView:
    slug: str
    label: str
    params: dict[str, str]


BUILTIN_VIEWS: tuple[BuiltinView, ...] = (
    BuiltinView("mine", "My open tickets", {"assignee": "me", "status": UNSOLVED}),
    BuiltinView(
        "unassigned",
        "Unassigned in my teams",
        {"assignee": "nobody", "team": "mine", "status": UNSOLVED},
    ),
    BuiltinView("teams", "My teams", {"team": "mine", "status": UNSOLVED}),
    BuiltinView("open", "All open", {"status": UNSOLVED}),
    BuiltinView("pending", "Pending", {"status": Status.PENDING}),
    BuiltinView("on_hold", "On hold", {"status": Status.ON_HOLD}),
    BuiltinView(
        "solved", "Solved in the last 7 days", {"status": Status.SOLVED, "solved_days": "7"}
    ),
    BuiltinView("sla_at_risk", "SLA at risk", {"status": UNSOLVED, "sla": "at_risk"}),
    BuiltinView("sla_breached", "SLA breached", {"status": UNSOLVED, "sla": "breached"}),
    BuiltinView("all", "All tickets", {}),
)
BUILTIN_BY_SLUG = {v.slug: v for v in BUILTIN_VIEWS}

FILTER_KEYS = (
    "status",
    "priority",
    "type",
    "channel",
    "assignee",
    "team",
    "requester",
    "organization",
    "tag",
    "created_from",
    "created_to",
    "updated_from",
    "updated_to",
    "solved_days",
    "sla",
    "q",
)


def _sla_q(kind: str) -> Q:
    # The SLA engine owns what "at risk" and "breached" mean (the policy's warning threshold).
    if kind == "breached":
        return sla_breached_q()
    if kind == "at_risk":
        return sla_at_risk_q()
    return Q()


def visible_tickets(user: User) -> QuerySet[Ticket]:
    """``tickets_visible_to`` without DISTINCT, so it aggregates and keyset-orders cleanly."""
    tickets = tickets_visible_to(user)
    if tickets.query.distinct:
        return Ticket.objects.filter(pk__in=tickets.values("pk"))
    return tickets


def _ints(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.strip().isdigit()]


def _day(value: str, *, end: bool, user: User) -> datetime | None:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    tz = clock.now().tzinfo
    try:
        import zoneinfo

        tz = zoneinfo.ZoneInfo(user.time_zone)
    except Exception:  # noqa: S110 - an unknown zone falls back to UTC
        pass
    moment = datetime.combine(day, time.max if end else time.min, tzinfo=tz)
    return moment


def filter_q(params: QueryDict | dict, *, user: User) -> Q:
    """The WHERE clause for a queue's parameters. Unknown values are ignored, never an error."""
    get = params.getlist if isinstance(params, QueryDict) else (lambda k: _as_list(params.get(k)))
    q = Q()
    statuses = [s for s in get("status") if s]
    if statuses:
        wanted: set[str] = set()
        for s in statuses:
            if s == UNSOLVED:
                wanted.update(OPEN_STATUSES)
            elif s in Status.values:
                wanted.add(s)
        q &= Q(status__in=sorted(wanted))
    for key, choices in (("priority", Priority), ("type", TicketType), ("channel", Channel)):
        values = [v for v in get(key) if v in choices.values]
        if values:
            q &= Q(**{f"{key}__in": values})
    assignees = [a for a in get("assignee") if a]
    if assignees:
        aq = Q()
        if "me" in assignees:
            aq |= Q(assignee=user)
        if "nobody" in assignees:
            aq |= Q(assignee__isnull=True)
        ids = _ints(assignees)
        if ids:
            aq |= Q(assignee_id__in=ids)
        q &= aq if aq else Q(pk__in=[])
    teams = [t for t in get("team") if t]
    if teams:
        tq = Q()
        if "mine" in teams:
            tq |= Q(team__in=user.teams.values("pk"))
        if "none" in teams:
            tq |= Q(team__isnull=True)
        ids = _ints(teams)
        if ids:
            tq |= Q(team_id__in=ids)
        q &= tq if tq else Q(pk__in=[])
    for key in ("requester", "organization"):
        ids = _ints(get(key))
        if ids:
            q &= Q(**{f"{key}_id__in": ids})
    tags = [t.strip().lower() for t in get("tag") if t.strip()]
    for tag in tags:
        # A subquery per tag: no join fan-out, and several tags mean "all of them".
        q &= Q(pk__in=Ticket.tags.through.objects.filter(tag__name=tag).values("ticket_id"))
    for key, field in (("created", "created_at"), ("updated", "updated_at")):
        start = next((v for v in get(f"{key}_from") if v), "")
        end = next((v for v in get(f"{key}_to") if v), "")
        if start and (moment := _day(start, end=False, user=user)):
            q &= Q(**{f"{field}__gte": moment})
        if end and (moment := _day(end, end=True, user=user)):
            q &= Q(**{f"{field}__lte": moment})
    for kind in get("sla"):
        if kind in ("breached", "at_risk"):
            q &= _sla_q(kind)
    days = _ints(get("solved_days"))
    if days:
        q &= Q(solved_at__gte=clock.now() - timedelta(days=days[0]))
    return q


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def queue_tickets(params: QueryDict | dict, *, user: User) -> QuerySet[Ticket]:
    tickets = visible_tickets(user).filter(filter_q(params, user=user))
    text = (params.get("q") or "").strip()
    if text:
        tickets = search.filter_text(tickets, text)
    return tickets


def parse_sort(value: str | None) -> tuple[str, bool]:
    value = value or DEFAULT_SORT
    descending = value.startswith("-")
    name = value.lstrip("-")
    if name not in SORTS:
        return DEFAULT_SORT.lstrip("-"), True
    return name, descending


def encode_cursor(value, pk: int) -> str:
    if isinstance(value, datetime):
        value = {"dt": value.isoformat()}
    raw = json.dumps([value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if isinstance(value, dict) and "dt" in value:
            value = datetime.fromisoformat(value["dt"])
        return value, int(pk)
    except (ValueError, TypeError, json.JSONDecodeError):
        return None


@dataclass
class Page:
    rows: list[Ticket]
    next_cursor: str | None
    sort: str
    descending: bool
    size: int
    is_first: bool
    prev_cursor: str | None = None


LIST_FIELDS = (
    "id",
    "subject",
    "status",
    "priority",
    "updated_at",
    "created_at",
    "first_responded_at",
    "first_response_due_at",
    "next_reply_due_at",
    "resolution_due_at",
    "requester__id",
    "requester__name",
    "requester__email",
    "organization__id",
    "organization__name",
    "assignee__id",
    "assignee__name",
    "assignee__email",
    "team__id",
    "team__name",
)


def _after(tickets: QuerySet[Ticket], field: str, op: str, value, pk: int) -> QuerySet[Ticket]:
    """Rows past (``value``, ``pk``) in the direction of ``op`` ("lt" or "gt")."""
    if field == "id":
        return tickets.filter(**{f"id__{op}": pk})
    # The first test is implied by the second. It is there because PostgreSQL starts an index
    # scan at it, where the OR alone is a filter over every row before the cursor (page 200 of
    # "all tickets" at 1,000,000: docs/benchmarks.md).
    return tickets.filter(**{f"{field}__{op}e": value}).filter(
        Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"id__{op}": pk})
    )


def page_of(
    tickets: QuerySet[Ticket],
    *,
    sort: str | None,
    cursor: str | None,
    size: int,
    before: str | None = None,
) -> Page:
    """One keyset page in (sort key, id) order, one query: the rows after ``cursor``, or, given
    ``before`` (the first row of a later page), the rows just before it (a "previous" link)."""
    name, descending = parse_sort(sort)
    _, field, annotation = SORTS[name]
    if annotation is not None:
        tickets = tickets.annotate(**{field: annotation})
    backwards = decode_cursor(before) if before else None
    decoded = None if backwards is not None else (decode_cursor(cursor) if cursor else None)
    forward_op = "lt" if descending else "gt"
    if decoded is not None:
        tickets = _after(tickets, field, forward_op, *decoded)
    elif backwards is not None:
        tickets = _after(tickets, field, "gt" if descending else "lt", *backwards)
    # Backwards, the page is read in the opposite order from the cursor and turned round.
    prefix = "-" if descending != (backwards is not None) else ""
    order = [f"{prefix}{field}"] if field == "id" else [f"{prefix}{field}", f"{prefix}id"]
    rows = list(
        tickets.select_related("requester", "organization", "assignee", "team")
        .only(*LIST_FIELDS)
        .order_by(*order)[: size + 1]
    )
    more = len(rows) > size
    rows = rows[:size]
    if backwards is not None:
        rows.reverse()
        is_first = not more
        has_next = True
    else:
        is_first = decoded is None
        has_next = more
    first, last = (rows[0], rows[-1]) if rows else (None, None)
    return Page(
        rows=rows,
        next_cursor=encode_cursor(getattr(last, field), last.pk) if has_next and last else None,
        prev_cursor=None
        if is_first or first is None
        else encode_cursor(getattr(first, field), first.pk),
        sort=name,
        descending=descending,
        size=size,
        is_first=is_first,
    )


# The counts are one aggregate over every ticket the agent may see: the costliest query of an agent
# page (tens of ms at scale). Every page and the sidebar's 30-second refresh show them, so they are
# kept per agent for a few seconds; a count may lag a change by that much.
VIEW_COUNTS_SECONDS = 15


def view_counts(user: User) -> dict[str, int]:
    """The sidebar's live counts, all in one aggregate query, cached briefly per agent."""
    key = f"workspace:view-counts:{user.pk}"
    counts = cache.get(key)
    if counts is None:
        aggregates = {
            view.slug: Count("pk", filter=filter_q(view.params, user=user))
            for view in BUILTIN_VIEWS
            if view.slug != "all"
        }
        counts = visible_tickets(user).aggregate(**aggregates)
        cache.set(key, counts, VIEW_COUNTS_SECONDS)
    return counts


def saved_views_for(user: User) -> QuerySet[SavedView]:
    """The agent's own views and those shared with one of their teams."""
    return (
        SavedView.objects.filter(Q(owner=user) | Q(shared_with__members=user))
        .distinct()
        .only("id", "name", "filters", "owner_id", "position")
    )
