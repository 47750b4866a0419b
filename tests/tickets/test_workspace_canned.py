"""Canned responses: personal and team-shared, placeholders, settings page permissions."""

import pytest
from django.urls import reverse

from support.errors import NotPermitted
from tests import factories
from tickets.models import CannedResponse
from tickets.workspace import canned


def test_placeholders_are_filled_and_unknown_ones_left(agent, ticket):
    ticket.requester.name = "Ada Lovelace"
    body = "Hi {{ customer.first_name }}, {{ticket.reference}} - {{ agent.name }} {{ x.y }}"
    out = canned.render_placeholders(body, ticket=ticket, agent=agent)
    assert out == f"Hi Ada, #{ticket.pk} - {agent.display_name} {{{{ x.y }}}}"


def test_agent_sees_own_and_team_responses(agent, team, other_agent, ticket):
    canned.canned_save(agent=agent, title="Mine", shortcut="mine", body="m")
    team.lead = agent
    team.save()
    canned.canned_save(agent=agent, title="Team", shortcut="team", body="t", team=team)
    canned.canned_save(agent=other_agent, title="Theirs", shortcut="theirs", body="x")
    shortcuts = {c["shortcut"] for c in canned.for_composer(agent=agent, ticket=ticket)}
    assert shortcuts == {"mine", "team"}


def test_only_admin_or_lead_shares_with_a_team(agent, team):
    with pytest.raises(NotPermitted):
        canned.canned_save(agent=agent, title="T", shortcut="t", body="b", team=team)


def test_settings_page_create_edit_delete(client, agent):
    client.force_login(agent)
    assert client.get(reverse("workspace:canned_list")).status_code == 200
    response = client.post(
        reverse("workspace:canned_save"),
        {"title": "Refund policy", "shortcut": "", "body": "Hi {{ customer.first_name }}"},
    )
    assert response.status_code == 302
    item = CannedResponse.objects.get()
    assert item.shortcut == "refund-policy" and item.owner == agent
    client.post(
        reverse("workspace:canned_save"),
        {"id": item.pk, "title": "Refunds", "shortcut": "refund", "body": "b"},
    )
    item.refresh_from_db()
    assert item.shortcut == "refund"
    client.post(reverse("workspace:canned_delete", args=[item.pk]))
    assert not CannedResponse.objects.exists()


def test_settings_page_keeps_input_on_error(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("workspace:canned_save"), {"title": "Typed title", "shortcut": "x", "body": ""}
    )
    assert response.status_code == 400
    assert "Typed title" in response.content.decode()


def test_someone_elses_response_is_404(client, agent, other_agent):
    item = canned.canned_save(agent=other_agent, title="Theirs", shortcut="t", body="b")
    client.force_login(agent)
    assert client.post(reverse("workspace:canned_delete", args=[item.pk])).status_code == 404
    response = client.post(
        reverse("workspace:canned_save"),
        {"id": item.pk, "title": "x", "shortcut": "x", "body": "x"},
    )
    assert response.status_code == 404


def test_canned_pages_permissions(client, db):
    assert client.get(reverse("workspace:canned_list")).status_code == 302
    client.force_login(factories.CustomerUserFactory())
    assert client.get(reverse("workspace:canned_list")).status_code == 404


def test_composer_gets_rendered_responses(client, agent, ticket):
    canned.canned_save(agent=agent, title="Hello", shortcut="hi", body="Hi {{ ticket.reference }}")
    client.force_login(agent)
    page = client.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    assert f"Hi #{ticket.pk}" in page
