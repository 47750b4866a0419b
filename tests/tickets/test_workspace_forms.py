"""The one form that parses header edits and bulk actions into ``ticket_update``'s changes."""

import pytest

from tests import factories
from tickets.workspace.forms import TicketChangeForm

pytestmark = pytest.mark.django_db


def form(data, *fields, user):
    return TicketChangeForm(data, fields=fields, user=user)


def test_only_the_fields_in_use_become_changes(agent):
    f = form({"priority": "high", "status": "solved"}, "priority", user=agent)
    assert f.is_valid() and f.changes() == {"priority": "high"}


def test_assignee_me_nobody_and_an_agent(agent):
    other = factories.AgentFactory()
    for value, expected in (("me", agent), ("", None), ("nobody", None), (str(other.pk), other)):
        f = form({"assignee": value}, "assignee", user=agent)
        assert f.is_valid() and f.changes() == {"assignee": expected}
    f = form({"assignee": "999999"}, "assignee", user=agent)
    assert not f.is_valid() and f.first_error() == "Choose an agent to assign."


def test_team_by_id_or_none_and_an_unknown_team_explained(agent):
    team = factories.TeamFactory()
    f = form({"team": str(team.pk)}, "team", user=agent)
    assert f.is_valid() and f.changes() == {"team": team}
    assert form({"team": ""}, "team", user=agent).is_valid()
    f = form({"team": "x"}, "team", user=agent)
    assert not f.is_valid() and f.first_error() == "Choose a team."


def test_tags_split_on_spaces_and_commas_and_empty_is_explained(agent):
    f = form({"tags_add": "vip, billing  x"}, "tags_add", "tags_remove", user=agent)
    assert f.is_valid() and f.changes() == {"tags_add": ["vip", "billing", "x"], "tags_remove": []}
    f = form({}, "tags_add", "tags_remove", user=agent)
    assert not f.is_valid() and f.first_error() == "Type tags to add or remove."


def test_an_unknown_status_is_explained(agent):
    f = form({"status": "exploded"}, "status", user=agent)
    assert not f.is_valid() and f.first_error() == "'exploded' is not a ticket status."


def test_followers_become_lists(agent):
    f = form({"followers_add": "me"}, "followers_add", user=agent)
    assert f.is_valid() and f.changes() == {"followers_add": [agent]}
