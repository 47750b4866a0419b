"""The list queries use the index meant for them, in the order the page reads (no sort step).

The planner is asked with sequential scans and sorts priced out (``enable_seqscan``/``enable_sort``
off): on a handful of test rows it would rightly prefer a table scan, so this proves what matters —
that an index exists that can serve the query's filter *and* its ORDER BY. docs/benchmarks.md
shows the same plans chosen unprompted at 1,000,000 tickets.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from bench.queries import keyset, team_all, team_open_queue
from support import clock
from tests import factories
from tickets.mail.models import OutboundEmail, OutboundStatus
from tickets.mail.outbound import outbound_sweep  # noqa: F401 - the sweep whose query is checked
from tickets.models import Status, Ticket

pytestmark = pytest.mark.postgres


def plan_nodes(queryset) -> list[dict]:
    import json

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    raw = queryset.explain(format="json")
    nodes, stack = [], [json.loads(raw)[0]["Plan"]]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.get("Plans", []))
    return nodes


def indexes_used(nodes: list[dict]) -> set[str]:
    return {n["Index Name"] for n in nodes if "Index Name" in n}


def sorts(nodes: list[dict]) -> list[dict]:
    return [n for n in nodes if n["Node Type"] in {"Sort", "Incremental Sort"}]


@pytest.fixture
def queue(team, agent, other_agent):
    now = clock.now()
    other_team = other_agent.teams.get()
    for i, status in enumerate([Status.OPEN, Status.NEW, Status.PENDING, Status.SOLVED] * 5):
        extra = {"solved_at": now} if status == Status.SOLVED else {}
        factories.TicketFactory(
            team=team if i % 2 else other_team,
            status=status,
            updated_at=now - timedelta(minutes=i),
            **extra,
        )
    # Most tickets of a desk are closed, and spread over many teams, as in the scale data set.
    requester = factories.CustomerFactory()
    teams = [team, other_team, *factories.TeamFactory.create_batch(18)]
    Ticket.objects.bulk_create(
        Ticket(
            subject=f"Closed {i}",
            status=Status.CLOSED,
            requester=requester,
            team=teams[i % len(teams)],
            updated_at=now - timedelta(hours=i),
            solved_at=now,
            closed_at=now,
        )  # fmt: skip
        for i in range(4000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")
    return team


def test_team_queue_reads_the_open_partial_index_in_order(queue, agent):
    """Open tickets of a team, newest first, next page by keyset: ticket_team_open_idx, no sort."""
    cursor = (clock.now(), 10**9)
    tickets = keyset(team_open_queue(agent=agent, team=queue), after=cursor)
    nodes = plan_nodes(tickets.select_related("requester", "assignee", "team")[:26])
    assert "ticket_team_open_idx" in indexes_used(nodes)
    assert not sorts(nodes)


def test_team_all_statuses_view_reads_the_team_recent_index_in_order(queue, agent):
    """A team's tickets of every status, page N by keyset: ticket_team_recent_idx, no sort."""
    tickets = keyset(team_all(agent=agent, team=queue), after=(clock.now(), 10**9))
    nodes = plan_nodes(tickets[:26])
    assert "ticket_team_recent_idx" in indexes_used(nodes)
    assert not sorts(nodes)


def test_outbound_sweep_finds_due_mail_through_its_index(db):
    for _ in range(3):
        OutboundEmail.objects.create(
            kind="test", to=["a@example.net"], subject="s", body_text="b",
            from_email="x@example.net", message_id_header=f"<{_}@t>",
        )  # fmt: skip
    due = OutboundEmail.objects.filter(
        status=OutboundStatus.PENDING, next_attempt_at__lte=clock.now()
    ).values_list("pk", flat=True)[:500]
    assert "outbound_due_idx" in indexes_used(plan_nodes(due))
