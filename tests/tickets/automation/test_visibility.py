"""An agent always sees tickets they created, are assigned to or follow, whatever the team."""

import pytest

from tests import factories
from tickets import services
from tickets.selectors import tickets_visible_to

pytestmark = pytest.mark.django_db


def test_agents_see_what_they_created_are_assigned_or_follow(customer, team):
    other_team = factories.TeamFactory(name="Elsewhere")
    dana = factories.AgentFactory(teams=[team])
    sam = factories.AgentFactory(teams=[other_team])
    created = services.ticket_create(
        requester=customer, subject="Filed by Sam", body="x", by=sam, team=team
    )
    followed = factories.TicketFactory(requester=customer, team=team)
    services.ticket_follow(ticket=followed, user=sam, by=dana)
    assigned = factories.TicketFactory(requester=customer, team=other_team, assignee=sam)
    hidden = factories.TicketFactory(requester=customer, team=team)
    visible = set(tickets_visible_to(sam).values_list("pk", flat=True))
    assert {created.pk, followed.pk, assigned.pk} <= visible
    assert hidden.pk not in visible
    assert created.created_by == sam


def test_visibility_is_one_query(customer, team, django_assert_num_queries):
    sam = factories.AgentFactory(teams=[team])
    factories.TicketFactory(requester=customer, team=team)
    with django_assert_num_queries(1):
        list(tickets_visible_to(sam).order_by("-updated_at", "-id")[:25])
