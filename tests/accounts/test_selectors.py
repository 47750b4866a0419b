import pytest
from django.urls import reverse

from accounts.selectors import agent_choices, team_choices
from tests import factories

pytestmark = pytest.mark.django_db


def test_agent_choices_are_active_agents_and_admins_by_name():
    b = factories.AgentFactory(name="Bea")
    a = factories.AdminFactory(name="Abe")
    factories.AgentFactory(name="Gone", is_active=False)
    factories.UserFactory(name="Pat", role="customer")
    assert agent_choices() == [(a.pk, "Abe"), (b.pk, "Bea")]


def test_agent_choices_follow_renames_new_agents_and_deactivation(django_assert_num_queries):
    agent = factories.AgentFactory(name="Dana")
    assert agent_choices() == [(agent.pk, "Dana")]
    with django_assert_num_queries(0):
        assert agent_choices() == [(agent.pk, "Dana")]  # from the cache
    agent.name = "Dana Scully"
    agent.save()
    assert agent_choices() == [(agent.pk, "Dana Scully")]
    other = factories.AgentFactory(name="Fox")
    assert agent_choices() == [(agent.pk, "Dana Scully"), (other.pk, "Fox")]
    other.is_active = False
    other.save(update_fields=["is_active"])
    assert agent_choices() == [(agent.pk, "Dana Scully")]
    other.delete()
    agent.delete()
    assert agent_choices() == []


def test_saves_that_change_nothing_listed_keep_the_cached_list(django_assert_num_queries):
    agent = factories.AgentFactory(name="Dana")
    agent_choices()
    agent.availability = "away"
    agent.save(update_fields=["availability"])
    with django_assert_num_queries(0):
        assert agent_choices() == [(agent.pk, "Dana")]


def test_team_choices_follow_new_renamed_and_deleted_teams():
    support = factories.TeamFactory(name="Support")
    assert team_choices() == [(support.pk, "Support")]
    billing = factories.TeamFactory(name="Billing")
    assert team_choices() == [(billing.pk, "Billing"), (support.pk, "Support")]
    support.name = "Accounts"
    support.save()
    assert team_choices() == [(support.pk, "Accounts"), (billing.pk, "Billing")]
    billing.delete()
    assert team_choices() == [(support.pk, "Accounts")]


def test_a_new_agent_is_offered_on_the_next_ticket_page(client, agent, team):
    ticket = factories.TicketFactory(team=team)
    client.force_login(agent)
    url = reverse("workspace:ticket", args=[ticket.pk])
    client.get(url)
    newcomer = factories.AgentFactory(name="Newcomer", teams=[team])
    page = client.get(url).content.decode()
    assert f'<option value="{newcomer.pk}">Newcomer</option>' in page
