"""The auto-assignment admin page: admins set each team's mode and return time and each agent's
capacity; agents get a 404."""

import pytest
from django.urls import reverse

from accounts.models import AssignmentMode, Availability
from tests import factories
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

URL = reverse("assignment:settings")


def test_agents_can_not_open_it(client, agent):
    client.force_login(agent)
    assert client.get(URL).status_code == 403


def test_admins_see_teams_agents_and_waiting_counts(client, admin_user, customer):
    team = factories.TeamFactory(name="Billing")
    factories.AgentFactory(name="Ada", teams=[team], availability=Availability.ONLINE, capacity=3)
    services.ticket_create(requester=customer, subject="Waiting", body="x", team=team)
    client.force_login(admin_user)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Billing" in page and "Ada" in page
    assert response.context["teams"].forms[0].instance.waiting == 1


def _team_post(team, mode, minutes):
    return {
        "save": "teams",
        "teams-TOTAL_FORMS": "1",
        "teams-INITIAL_FORMS": "1",
        "teams-0-id": str(team.pk),
        "teams-0-assignment_mode": mode,
        "teams-0-return_after_minutes": str(minutes),
    }


def test_switching_a_team_on_saves_and_hands_out_waiting_tickets(
    client, admin_user, customer, django_capture_on_commit_callbacks
):
    team = factories.TeamFactory()
    agent = factories.AgentFactory(teams=[team], availability=Availability.ONLINE)
    ticket = services.ticket_create(requester=customer, subject="Waiting", body="x", team=team)
    assert ticket.assignee is None
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, _team_post(team, AssignmentMode.ROUND_ROBIN, 45))
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.assignment_mode, team.return_after_minutes) == (AssignmentMode.ROUND_ROBIN, 45)
    assert Ticket.objects.get(pk=ticket.pk).assignee == agent


def test_bad_values_are_refused_on_the_form(client, admin_user):
    team = factories.TeamFactory()
    client.force_login(admin_user)
    response = client.post(URL, _team_post(team, "sometimes", -1))
    assert response.status_code == 400
    form = response.context["teams"].forms[0]
    assert set(form.errors) == {"assignment_mode", "return_after_minutes"}
    team.refresh_from_db()
    assert team.assignment_mode == AssignmentMode.OFF


def test_admins_set_an_agent_s_capacity(client, admin_user):
    agent = factories.AgentFactory()
    client.force_login(admin_user)
    forms = {str(user.pk): index for index, user in enumerate(response_agents(client))}
    data = {
        "save": "agents",
        "agents-TOTAL_FORMS": str(len(forms)),
        "agents-INITIAL_FORMS": str(len(forms)),
    }
    for pk, index in forms.items():
        data[f"agents-{index}-id"] = pk
        data[f"agents-{index}-capacity"] = "5" if pk == str(agent.pk) else "0"
    assert client.post(URL, data).status_code == 302
    agent.refresh_from_db()
    assert agent.capacity == 5


def response_agents(client):
    return [form.instance for form in client.get(URL).context["agents"].forms]


def test_the_api_shows_assignment_settings_and_capacity(api, agent, team):
    team.assignment_mode = AssignmentMode.LEAST_OPEN
    team.return_after_minutes = 20
    team.save()
    agent.capacity = 4
    agent.save()
    teams = api(agent).get("/api/v1/teams").json()["results"]
    assert (teams[0]["assignment_mode"], teams[0]["return_after_minutes"]) == ("least_open", 20)
    (me,) = api(agent).get(f"/api/v1/agents?team={team.pk}").json()["results"]
    assert me["capacity"] == 4 and me["availability"] == "offline"
    assert me["availability_changed_at"]
