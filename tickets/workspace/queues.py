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
from email.utils import parseaddr

from django.core.cache import cache
from django.db import connections
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from support import clock
from tickets.fields.filters import field_param_keys, fields_q
from tickets.models import (
    OPEN_STATUSES,
    Channel,
    Priority,
    SavedView,
    Status,
    Ticket,
    TicketType,
    priority_rank,
)
from tickets.selectors import tickets_visible_to
from tickets.sla.selectors import sla_at_risk_q, sla_breached_q
from tickets.workspace import search

UNSOLVED = "unsolved"
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50

PRIORITY_RANK = priority_rank()  # the expression of ticket_open_priority_idx
STATUS_RANK = Case(
    *[When(status=s, then=Value(i)) for i, s in enumerate(Status.values)],
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class SortKey:
    """One column of a sort: a field or annotation name, its annotation (if any), whether it runs
    against the sort's direction ("then highest priority" under "SLA due soonest"), and whether
    it may be NULL (NULLs come last in either direction: a ticket without a clock is never the
    most urgent one)."""

    field: str
    annotation: object | None = None
    reverse: bool = False
    nullable: bool = False


@dataclass(frozen=True)
class Sort:
    label: str
    keys: tuple[SortKey, ...]  # the ticket id always follows, in the sort's direction


PRIORITY_KEY = SortKey("priority_rank", PRIORITY_RANK)
SORTS: dict[str, Sort] = {
    # Most urgent first: the nearest SLA due time (tickets.models.Ticket.sla_due_at), tickets
    # without a running clock last, equal times by priority (highest first).
    "sla": Sort(
        _("SLA due"),
        (SortKey("sla_due_at", nullable=True), SortKey("priority_rank", PRIORITY_RANK, True)),
    ),
    "priority": Sort(_("Priority"), (PRIORITY_KEY,)),
    "created": Sort(_("Created"), (SortKey("created_at"),)),
    "updated": Sort(_("Last update"), (SortKey("updated_at"),)),
    "reference": Sort(_("Reference"), ()),
    "subject": Sort(_("Subject"), (SortKey("subject"),)),
    "status": Sort(_("Status"), (SortKey("status_rank", STATUS_RANK),)),
}
# The sorts the sort control offers (the table headers offer the rest), each with the direction
# it starts in: soonest due, highest priority, newest.
SORT_CHOICES = ("sla", "-priority", "-created", "-updated")
DEFAULT_SORT = "-updated"
URGENT_SORT = "sla"


@dataclass(frozen=True)
class BuiltinView:
    slug: str
    label: str  # marked for translation (lazy)
    params: dict[str, str]
    sort: str = DEFAULT_SORT  # what the view shows first until the agent picks another sort


BUILTIN_VIEWS: tuple[BuiltinView, ...] = (
    BuiltinView("mine", _("My open tickets"), {"assignee": "me", "status": UNSOLVED}),
    BuiltinView(
        "unassigned",
        _("Unassigned in my teams"),
        {"assignee": "nobody", "team": "mine", "status": UNSOLVED},
        URGENT_SORT,
    ),
    BuiltinView("teams", _("My teams"), {"team": "mine", "status": UNSOLVED}),
    BuiltinView("open", _("All open"), {"status": UNSOLVED}),
    BuiltinView("pending", _("Pending"), {"status": Status.PENDING}),
    BuiltinView("on_hold", _("On hold"), {"status": Status.ON_HOLD}),
    BuiltinView(
        "solved", _("Solved in the last 7 days"), {"status": Status.SOLVED, "solved_days": "7"}
    ),
    BuiltinView(
        "sla_at_risk", _("SLA at risk"), {"status": UNSOLVED, "sla": "at_risk"}, URGENT_SORT
    ),
    BuiltinView(
        "sla_breached", _("SLA breached"), {"status": UNSOLVED, "sla": "breached"}, URGENT_SORT
    ),
    BuiltinView("all", _("All tickets"), {}),
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
    "product",
    "version",
    "component",
    "tag",
    "created_from",
    "created_to",
    "updated_from",
    "updated_to",
    "solved_days",
    "sla",
    "q",
)


def filter_keys_in(params) -> list[str]:
    """The filter keys ``params`` may carry: :data:`FILTER_KEYS` and its ``field.<key>`` ones."""
    return [*FILTER_KEYS, *(name for name, _key in field_param_keys(params))]


def merged_params(base: dict, query: QueryDict) -> QueryDict:
    """A view's own filters (``base``) with the ones of the request's query string on top."""
    params = QueryDict(mutable=True)
    for key, value in base.items():
        params.setlist(key, _as_list(value))
    for key in filter_keys_in(query):
        values = [v for v in query.getlist(key) if v != ""]
        if values:
            params.setlist(key, values)
    return params


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
    return [int(v) for v in values if v.strip().isdecimal()]


def _people_q(key: str, values: list[str]) -> Q | None:
    """The requester or organization filter: what the type-ahead offers (``Name <address>``, an
    address, an organization's name; any case), or an id (older links and saved views)."""
    if not values:
        return None
    found = Q(**{f"{key}_id__in": _ints(values)})
    for value in (v for v in values if not v.isdecimal()):
        if key == "organization":
            found |= Q(organization__name__iexact=value)
            continue
        address = parseaddr(value)[1]
        if "@" in address:
            found |= Q(requester__email__iexact=address)
        else:
            found |= Q(requester__name__iexact=value)
    return found


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
    """The WHERE clause for a queue's parameters (:data:`FILTER_KEYS` and ``field.<key>``).
    Unknown values are ignored, never an error."""
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
        if people := _people_q(key, [v.strip() for v in get(key) if v.strip()]):
            q &= people
    for key in ("product", "version", "component"):
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
    # Custom fields (``field.browser=chrome``); a bad one is ignored like any unknown value.
    names = [name for name, _key in field_param_keys(params)]
    if names:
        q &= fields_q({name: get(name) for name in names}, lenient=True)
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


def parse_sort(value: str | None, *, default: str = DEFAULT_SORT) -> tuple[str, bool]:
    """(sort name, descending) for a ``sort`` parameter ("sla", "-updated"); an unknown or
    missing one gives ``default``."""
    for candidate in (value, default, DEFAULT_SORT):
        if not candidate:
            continue
        name = candidate.lstrip("-")
        if name in SORTS:
            return name, candidate.startswith("-")
    raise AssertionError("DEFAULT_SORT is a sort")


def _encode_value(value):
    return {"dt": value.isoformat()} if isinstance(value, datetime) else value


def _decode_value(value):
    if isinstance(value, dict) and "dt" in value:
        return datetime.fromisoformat(value["dt"])
    return value


def encode_cursor(values: list, pk: int) -> str:
    """The position of a row in a sort: its sort keys' values and its id, URL-safe."""
    raw = json.dumps([*map(_encode_value, values), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, keys: int) -> tuple[list, int] | None:
    """``encode_cursor``'s values and id back, or ``None`` for anything else (a cursor of
    another sort, an edited URL)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(decoded, list) or len(decoded) != keys + 1:
            return None
        *values, pk = decoded
        return [_decode_value(v) for v in values], int(pk)
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
    "sla_due_at",
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


def _beyond(
    tickets: QuerySet[Ticket],
    columns: list[tuple[SortKey, bool]],
    values: list,
    pk: int,
    *,
    descending: bool,
    backwards: bool,
) -> QuerySet[Ticket]:
    """Rows past the row at (``values``, ``pk``) in the order of ``columns`` ((key, descending)
    pairs, the id last in the sort's direction): after it, or before it when ``backwards``.

    Lexicographic: past on the first key, or equal on it and past on the next, and so on. A NULL
    sorts after every value in either direction (NULLS LAST), so reading backwards NULLs come
    first."""
    op = {False: "gt", True: "lt"}
    branches: list[Q] = []
    equal = Q()
    for (key, key_desc), value in zip(columns, values, strict=True):
        f = key.field
        past = op[key_desc != backwards]
        if value is None:
            # At a NULL: forwards only more NULLs follow; backwards every value came before.
            if backwards:
                branches.append(equal & Q(**{f"{f}__isnull": False}))
            equal &= Q(**{f"{f}__isnull": True})
            continue
        beyond = Q(**{f"{f}__{past}": value})
        if key.nullable and not backwards:
            beyond |= Q(**{f"{f}__isnull": True})
        branches.append(equal & beyond)
        equal &= Q(**{f: value})
    id_op = op[descending != backwards]
    branches.append(equal & Q(**{f"id__{id_op}": pk}))
    condition = Q()
    for branch in branches:
        condition |= branch
    first, first_desc = columns[0] if columns else (None, descending)
    if first is not None and not first.nullable and values[0] is not None:
        # Implied by the condition. It is there because PostgreSQL starts an index scan at it,
        # where the OR alone is a filter over every row before the cursor (page 200 of "all
        # tickets" at 1,000,000: docs/benchmarks.md).
        tickets = tickets.filter(**{f"{first.field}__{op[first_desc != backwards]}e": values[0]})
    elif first is None:
        return tickets.filter(**{f"id__{id_op}": pk})
    return tickets.filter(condition)


def _order_by(columns: list[tuple[SortKey, bool]], *, descending: bool, backwards: bool) -> list:
    order = []
    for key, key_desc in columns:
        direction = "desc" if key_desc != backwards else "asc"
        if key.nullable:
            # NULLS LAST, and first when reading backwards. Only here: on a NOT NULL column the
            # clause would stop PostgreSQL from reading a plain DESC index in order.
            edge = {"nulls_first": True} if backwards else {"nulls_last": True}
            order.append(getattr(F(key.field), direction)(**edge))
        else:
            order.append(F(key.field).desc() if direction == "desc" else F(key.field).asc())
    order.append("-id" if descending != backwards else "id")
    return order


def page_of(
    tickets: QuerySet[Ticket],
    *,
    sort: str | None,
    cursor: str | None,
    size: int,
    before: str | None = None,
    default_sort: str = DEFAULT_SORT,
) -> Page:
    """One keyset page in (sort keys, id) order, one query: the rows after ``cursor``, or, given
    ``before`` (the first row of a later page), the rows just before it (a "previous" link)."""
    name, descending = parse_sort(sort, default=default_sort)
    keys = SORTS[name].keys
    for key in keys:
        if key.annotation is not None:
            tickets = tickets.annotate(**{key.field: key.annotation})
    columns = [(key, descending != key.reverse) for key in keys]
    backwards = decode_cursor(before, keys=len(keys)) if before else None
    decoded = None
    if backwards is None and cursor:
        decoded = decode_cursor(cursor, keys=len(keys))
    if decoded is not None:
        tickets = _beyond(tickets, columns, *decoded, descending=descending, backwards=False)
    elif backwards is not None:
        tickets = _beyond(tickets, columns, *backwards, descending=descending, backwards=True)
    # Backwards, the page is read in the opposite order from the cursor and turned round.
    order = _order_by(columns, descending=descending, backwards=backwards is not None)
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

    def position(row: Ticket) -> str:
        return encode_cursor([getattr(row, key.field) for key in keys], row.pk)

    first, last = (rows[0], rows[-1]) if rows else (None, None)
    return Page(
        rows=rows,
        next_cursor=position(last) if has_next and last else None,
        prev_cursor=None if is_first or first is None else position(first),
        sort=name,
        descending=descending,
        size=size,
        is_first=is_first,
    )


# The counts are one aggregate over every ticket the agent may see: the costliest query of an agent
# page (tens of ms at scale). Every page and the sidebar's 30-second refresh show them, so they are
# kept per agent for a few seconds; a count may lag a change by that much.
VIEW_COUNTS_SECONDS = 15
COUNT_CAP = 1000


def view_counts(user: User) -> dict[str, int]:
    """The sidebar's live counts, cached briefly per agent; each stops at ``COUNT_CAP + 1``
    (shown as "1,000+"), so that an admin who sees a million tickets costs what an agent does.

    One statement: each view's own query (served by its queue index), limited, counted in a
    scalar subquery. A single aggregate with ``FILTER`` clauses would read every visible ticket.
    """
    key = f"workspace:view-counts:{user.pk}"
    counts = cache.get(key)
    if counts is None:
        visible = visible_tickets(user)
        slugs, parts, params = [], [], []
        for view in BUILTIN_VIEWS:
            if view.slug == "all":
                continue
            rows = visible.filter(filter_q(view.params, user=user)).order_by().values("pk")
            sql, view_params = rows[: COUNT_CAP + 1].query.sql_with_params()
            # The SQL is Django's for our own queryset; every value in it is a parameter.
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS view_{len(parts)})")  # noqa: S608
            params.extend(view_params)
            slugs.append(view.slug)
        with connections[visible.db].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            counts = dict(zip(slugs, cursor.fetchone(), strict=True))
        cache.set(key, counts, VIEW_COUNTS_SECONDS)
    return counts


def count_label(count: int | None) -> str | None:
    """A sidebar count as shown: "1,000+" past the cap."""
    if count is None:
        return None
    return f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}"


def saved_views_for(user: User) -> QuerySet[SavedView]:
    """The agent's own views and those shared with one of their teams."""
    return (
        SavedView.objects.filter(Q(owner=user) | Q(shared_with__members=user))
        .distinct()
        .only("id", "name", "filters", "owner_id", "position")
    )


# --- the queue an agent came from ("Send and next ticket") ---------------------------------


def sort_values_of(ticket: Ticket, sort: str) -> list:
    """``ticket``'s values of a sort's keys, as the queue query computes them (for a ticket
    loaded whole, e.g. by ``ticket_get_for_agent``)."""
    ranks = {"priority_rank": Priority.values, "status_rank": Status.values}
    values = []
    for key in SORTS[sort].keys:
        if key.field in ranks:
            values.append(ranks[key.field].index(getattr(ticket, key.field.removesuffix("_rank"))))
        else:
            values.append(getattr(ticket, key.field))
    return values


def next_in_queue(
    tickets: QuerySet[Ticket], *, sort: str, default_sort: str, after: Ticket, values: list
) -> Ticket | None:
    """The ticket that follows ``after`` in the queue ``tickets`` sorted by ``sort``, where
    ``after`` stood at ``values`` (its sort values when the agent started on it: a reply moves
    it, and the next ticket is the one that followed it in the list the agent was working)."""
    cursor = encode_cursor(values, after.pk)
    page = page_of(
        tickets.exclude(pk=after.pk), sort=sort, cursor=cursor, size=1, default_sort=default_sort
    )
    return page.rows[0] if page.rows else None
