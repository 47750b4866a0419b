"""Auto-assignment: a team's new and unassigned tickets go to an online member with room.

A team's ``assignment_mode`` is off, round robin (members take turns, in id order, after the one
assigned last — ``Team.last_assigned_to``) or least open tickets (the member with the fewest open
tickets; ties go in round-robin order). Only active agents of the team who are online and under
their ``capacity`` (open tickets, every team counted; 0 = no limit) are candidates; "online"
means seen lately too (``accounts.services.agents_expire_away`` sets the others away).

Choosing locks the team's row, then the candidates' rows (in id order), for the rest of the
transaction: concurrent assignments in one team take turns, and two teams can't both fill the
last free slot of an agent they share. Every assignment goes through ``ticket_update`` inside
``acting_for`` the team's assignment, so the timeline names it.

When nobody is free the ticket waits (team set, no assignee, open) and :func:`assign_waiting`
hands waiting tickets out, oldest first, when someone is free again. :func:`return_from_away`
takes back the open tickets of agents away or offline for longer than their team allows.
"""

from __future__ import annotations

import enum
import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Count

from accounts.models import AssignmentMode, Availability, Role, Team, User
from accounts.services import away_cutoff
from support import clock
from tickets import events
from tickets.models import OPEN_STATUSES, Ticket
from tickets.services.changes import ticket_update

logger = logging.getLogger(__name__)

AGENT_ROLES = (Role.ADMIN, Role.AGENT)
# Bounds on one run of a sweep: the rest waits for the next run (a minute later).
SWEEP_LIMIT = 500


class Outcome(enum.Enum):
    ASSIGNED = "assigned"
    NOBODY_FREE = "nobody free"
    NOT_WAITING = "not waiting"  # assigned, solved, moved or switched off meanwhile


def rule_of(team: Team) -> dict:
    """What the timeline names as having made an assignment change for ``team``."""
    label = {
        AssignmentMode.ROUND_ROBIN: "Round robin",
        AssignmentMode.LEAST_OPEN: "Least open tickets",
    }.get(team.assignment_mode, "Auto-assignment")
    return {"kind": "assignment", "id": team.pk, "name": f"{label} ({team.name})"}


def is_waiting(ticket: Ticket) -> bool:
    return ticket.team_id is not None and ticket.assignee_id is None and ticket.is_open


def waiting_tickets(team: Team):
    """The team's unassigned open tickets, oldest first (``ticket_team_waiting_idx``)."""
    return Ticket.objects.filter(
        team=team, assignee__isnull=True, status__in=OPEN_STATUSES
    ).order_by("created_at", "id")


def open_counts(agent_ids) -> dict[int, int]:
    """Open tickets per agent, in one query."""
    rows = (
        Ticket.objects.filter(assignee_id__in=list(agent_ids), status__in=OPEN_STATUSES)
        .values("assignee_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["assignee_id"]: row["n"] for row in rows}


def free_agents(team: Team, *, lock: bool = False) -> list[tuple[User, int]]:
    """The team's online members under capacity, with their open tickets, in rotation order:
    the member after ``team.last_assigned_to`` first."""
    members = User.objects.filter(
        teams=team,
        is_active=True,
        role__in=AGENT_ROLES,
        availability=Availability.ONLINE,
        # Online but not seen lately (the browser closed): not there, even before the sweep
        # sets them away.
        last_seen_at__gte=away_cutoff(),
    ).order_by("pk")
    if lock:
        members = members.select_for_update(of=("self",))
    members = list(members)
    counts = open_counts(m.pk for m in members)
    free = [(m, counts.get(m.pk, 0)) for m in members]
    free = [(m, n) for m, n in free if not m.capacity or n < m.capacity]
    last = team.last_assigned_to_id or 0
    return [row for row in free if row[0].pk > last] + [row for row in free if row[0].pk <= last]


def choose(team: Team, *, lock: bool = False) -> User | None:
    free = free_agents(team, lock=lock)
    if not free:
        return None
    if team.assignment_mode == AssignmentMode.LEAST_OPEN:
        return min(free, key=lambda row: row[1])[0]  # min keeps the first of equals
    return free[0][0]


@transaction.atomic
def assign(ticket: Ticket) -> Outcome:
    """Assign ``ticket`` to a free member of its team if it is waiting and the team assigns."""
    fresh = (
        Ticket.objects.select_for_update()
        .filter(pk=ticket.pk)
        .values("team_id", "assignee_id", "status")
        .first()
    )
    if (
        fresh is None
        or fresh["team_id"] is None
        or fresh["assignee_id"] is not None
        or fresh["status"] not in OPEN_STATUSES
    ):
        return Outcome.NOT_WAITING
    team = Team.objects.select_for_update().filter(pk=fresh["team_id"]).first()
    if team is None or team.assignment_mode == AssignmentMode.OFF:
        return Outcome.NOT_WAITING
    agent = choose(team, lock=True)
    if agent is None:
        return Outcome.NOBODY_FREE
    with events.acting_for(rule_of(team)):
        ticket_update(ticket=ticket, by=None, changes={"assignee": agent})
    # A queryset update: no signal, so the caches of teams (mail addresses) stay.
    Team.objects.filter(pk=team.pk).update(last_assigned_to=agent)
    return Outcome.ASSIGNED


def assigning_teams(team_ids=None):
    teams = Team.objects.exclude(assignment_mode=AssignmentMode.OFF).order_by("pk")
    if team_ids is not None:
        teams = teams.filter(pk__in=list(team_ids))
    return teams


def assign_waiting(*, agent_id: int | None = None, limit: int = SWEEP_LIMIT) -> int:
    """Hand waiting tickets, oldest first, to free members of their teams (only the teams of
    ``agent_id`` when given); each assignment is a change of its own. Idempotent: a ticket
    assigned meanwhile is skipped. Returns how many were assigned."""
    team_ids = None
    if agent_id is not None:
        team_ids = Team.members.through.objects.filter(user_id=agent_id).values_list(
            "team_id", flat=True
        )
    assigned = 0
    for team in assigning_teams(team_ids):
        skipped: set[int] = set()
        while assigned < limit:
            ticket = waiting_tickets(team).exclude(pk__in=skipped).first()
            if ticket is None:
                break
            try:
                outcome = assign(ticket)
            except Exception:
                # A rule that refuses the assignment must not stop the rest of the queue.
                logger.exception("Auto-assignment of ticket %s failed", ticket.pk)
                outcome = Outcome.NOT_WAITING
            if outcome is Outcome.NOBODY_FREE:
                break
            if outcome is Outcome.ASSIGNED:
                assigned += 1
            else:
                skipped.add(ticket.pk)
    return assigned


def return_from_away(*, limit: int = SWEEP_LIMIT) -> int:
    """Return to the team's unassigned queue the open tickets of members away or offline for
    longer than the team's ``return_after_minutes``; the change hook then assigns them again
    if someone is free. Returns how many were returned."""
    now = clock.now()
    returned = 0
    for team in Team.objects.filter(return_after_minutes__gt=0).order_by("pk"):
        cutoff = now - timedelta(minutes=team.return_after_minutes)
        gone = User.objects.filter(
            teams=team,
            availability__in=(Availability.AWAY, Availability.OFFLINE),
            availability_changed_at__lte=cutoff,
        )
        tickets = Ticket.objects.filter(
            team=team, assignee__in=gone, status__in=OPEN_STATUSES
        ).order_by("created_at", "id")[: limit - returned]
        for ticket in tickets:
            try:
                if _return(ticket, team, cutoff):
                    returned += 1
            except Exception:
                logger.exception("Returning ticket %s to its team failed", ticket.pk)
        if returned >= limit:
            break
    return returned


@transaction.atomic
def _return(ticket: Ticket, team: Team, cutoff) -> bool:
    still = (
        Ticket.objects.select_for_update(of=("self",))
        .filter(
            pk=ticket.pk,
            team=team,
            status__in=OPEN_STATUSES,
            assignee__availability__in=(Availability.AWAY, Availability.OFFLINE),
            assignee__availability_changed_at__lte=cutoff,
        )
        .values_list("pk", flat=True)
        .first()
    )
    if still is None:
        return False
    with events.acting_for(rule_of(team)):
        ticket_update(ticket=ticket, by=None, changes={"assignee": None})
    return True
