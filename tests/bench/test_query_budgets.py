"""Query budgets: a list costs the same number of queries for 3 rows as for 30."""

from __future__ import annotations

import pytest

from bench.queries import page_of, team_open_queue
from tests import factories
from tickets.models import Status


@pytest.fixture
def many_tickets(team, agent):
    def make(n: int) -> None:
        for _ in range(n):
            factories.TicketFactory(team=team, status=Status.OPEN, assignee=agent)

    return make


@pytest.mark.parametrize("rows", [3, 30])
def test_queue_page_is_one_query_however_many_rows(
    rows, team, agent, many_tickets, django_assert_max_num_queries
):
    many_tickets(rows)
    with django_assert_max_num_queries(1):
        page, _ = page_of(team_open_queue(agent=agent, team=team), after=None)
        [(t.requester.email, t.assignee and t.assignee.email, t.team.name) for t in page]
    assert len(page) == min(rows, 25)


@pytest.mark.parametrize("rows", [3, 30])
def test_admin_ticket_changelist_has_a_fixed_query_budget(
    rows, client, admin_user, many_tickets, django_assert_max_num_queries
):
    many_tickets(rows)
    admin_user.superuser = True  # /admin/ is for superusers only
    admin_user.save(update_fields=["superuser"])
    client.force_login(admin_user)
    with django_assert_max_num_queries(6):
        response = client.get("/admin/tickets/ticket/")
    assert response.status_code == 200
