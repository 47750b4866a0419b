"""The list queries the benchmark and the EXPLAIN tests measure, in the shape the pages use.

Queues are read newest activity first and paginated by keyset on ``(updated_at, id)``: page 200
costs what page 1 costs, where ``OFFSET`` would read and discard 199 pages. When the agent
workspace's own queue selector lands, the scenarios and tests should call it instead of these.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from accounts.models import Team, User
from tickets.models import OPEN_STATUSES, Ticket
from tickets.selectors import tickets_visible_to

Cursor = tuple[datetime, int]
PAGE_SIZE = 25


def keyset(tickets: QuerySet[Ticket], *, after: Cursor | None) -> QuerySet[Ticket]:
    """``tickets`` newest activity first, starting after ``after`` (the last row of a page)."""
    tickets = tickets.order_by("-updated_at", "-id")
    if after is not None:
        updated_at, pk = after
        # The first condition is implied by the second; it is there because PostgreSQL can start
        # the index scan at it, where the OR alone is only a filter over every row before it
        # (page 200 of a team: 17 ms → well under 1 ms at 1,000,000 tickets).
        tickets = tickets.filter(updated_at__lte=updated_at).filter(
            Q(updated_at__lt=updated_at) | Q(updated_at=updated_at, id__lt=pk)
        )
    return tickets


def page_of(
    tickets: QuerySet[Ticket], *, after: Cursor | None, size: int = PAGE_SIZE
) -> tuple[list[Ticket], Cursor | None]:
    """One page and the cursor of the next (``None`` on the last page)."""
    rows = list(
        keyset(tickets, after=after).select_related("requester", "assignee", "team")[: size + 1]
    )
    more = len(rows) > size
    rows = rows[:size]
    return rows, ((rows[-1].updated_at, rows[-1].pk) if more and rows else None)


def team_open_queue(*, agent: User, team: Team) -> QuerySet[Ticket]:
    """A team's open tickets as ``agent`` may see them (the team queue)."""
    return tickets_visible_to(agent).filter(team=team, status__in=OPEN_STATUSES)


def team_all(*, agent: User, team: Team) -> QuerySet[Ticket]:
    """A team's tickets of every status as ``agent`` may see them (the team's "all" view)."""
    return tickets_visible_to(agent).filter(team=team)


def all_visible(*, agent: User) -> QuerySet[Ticket]:
    """Every ticket ``agent`` may see, any status (the "all tickets" view)."""
    return tickets_visible_to(agent)


def cursor_at(tickets: QuerySet[Ticket], *, page: int, size: int = PAGE_SIZE) -> Cursor | None:
    """The cursor that starts page ``page`` (1-based): what following "next" that often gives."""
    if page <= 1:
        return None
    offset = (page - 1) * size - 1
    last = list(keyset(tickets, after=None).values_list("updated_at", "id")[offset : offset + 1])
    return tuple(last[0]) if last else None
