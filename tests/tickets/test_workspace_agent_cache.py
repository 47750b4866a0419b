"""Saved views and canned responses are cached per agent and follow every change."""

from tests import factories
from tickets.workspace import canned, saved_views
from tickets.workspace.views import nav_context


def _nav_names(rf, user) -> list[str]:
    request = rf.get("/agent/")
    request.user = user
    return [v["name"] for v in nav_context(request)["nav_saved"]]


def _shortcuts(agent, ticket) -> set[str]:
    return {c["shortcut"] for c in canned.for_composer(agent=agent, ticket=ticket)}


def test_saved_views_in_the_sidebar_follow_creation_sharing_membership_and_deletion(
    rf, team, agent, admin_user, django_assert_num_queries
):
    assert _nav_names(rf, agent) == []
    mine = saved_views.saved_view_create(owner=agent, name="Mine", filters={"priority": "high"})
    assert _nav_names(rf, agent) == ["Mine"]
    with django_assert_num_queries(0):
        _nav_names(rf, agent)  # counts and views both from the cache
    shared = saved_views.saved_view_create(
        owner=admin_user, name="Shared", filters={}, share_with=[team]
    )
    assert sorted(_nav_names(rf, agent)) == ["Mine", "Shared"]
    team.members.remove(agent)
    assert _nav_names(rf, agent) == ["Mine"]
    team.members.add(agent)
    assert sorted(_nav_names(rf, agent)) == ["Mine", "Shared"]
    shared.shared_with.clear()
    assert _nav_names(rf, agent) == ["Mine"]
    saved_views.saved_view_delete(view=mine, by=agent)
    assert _nav_names(rf, agent) == []


def test_canned_responses_in_the_composer_follow_changes_and_team_membership(
    team, agent, other_agent, ticket
):
    team.lead = agent
    team.save()
    response = canned.canned_save(agent=agent, title="Team", shortcut="team", body="t", team=team)
    assert _shortcuts(other_agent, ticket) == set()
    team.members.add(other_agent)
    assert _shortcuts(other_agent, ticket) == {"team"}
    canned.canned_save(
        agent=agent, title="Team", shortcut="renamed", body="t", team=team, canned=response
    )
    assert _shortcuts(other_agent, ticket) == {"renamed"}
    team.name = "Billing"
    team.save()
    assert [c["source"] for c in canned.for_composer(agent=other_agent, ticket=ticket)] == [
        "Billing"
    ]
    canned.canned_delete(agent=agent, canned=response)
    assert _shortcuts(other_agent, ticket) == set()


def test_placeholders_are_filled_for_each_ticket_from_the_cached_list(agent, team):
    canned.canned_save(agent=agent, title="Hi", shortcut="hi", body="About {{ ticket.reference }}")
    one, two = factories.TicketFactory(team=team), factories.TicketFactory(team=team)
    assert canned.for_composer(agent=agent, ticket=one)[0]["body"] == f"About #{one.pk}"
    assert canned.for_composer(agent=agent, ticket=two)[0]["body"] == f"About #{two.pk}"
