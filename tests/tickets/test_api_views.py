"""``/api/v1/views``: agents' saved views through the workspace's saved-view services."""

from __future__ import annotations

import pytest
import requests
from django.urls import reverse

from accounts.tokens import api_token_create
from tests import factories
from tickets.models import SavedView
from tickets.workspace.saved_views import saved_view_create

pytestmark = pytest.mark.django_db


def test_agent_creates_lists_and_deletes_their_view(api, agent):
    client = api(agent)
    created = client.post(
        "/api/v1/views",
        {"name": " Urgent  mine ", "filters": {"priority": ["urgent"], "assignee": ["me"]}},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["name"] == "Urgent mine"
    assert body["filters"] == {"priority": ["urgent"], "assignee": ["me"]}
    assert body["owner_id"] == agent.pk
    assert body["shared"] is False
    assert created["Location"] == f"/api/v1/views/{body['id']}"

    listed = client.get("/api/v1/views")
    assert [row["id"] for row in listed.json()["results"]] == [body["id"]]

    assert client.delete(f"/api/v1/views/{body['id']}").status_code == 204
    assert not SavedView.objects.filter(pk=body["id"]).exists()


def test_the_workspace_shows_a_view_made_over_the_api(api, client, agent):
    view_id = (
        api(agent)
        .post(
            "/api/v1/views", {"name": "Pending", "filters": {"status": ["pending"]}}, format="json"
        )
        .json()["id"]
    )
    client.force_login(agent)
    page = client.get(reverse("workspace:saved_view", args=[view_id]))
    assert page.status_code == 200
    assert "Pending" in page.content.decode()


def test_list_has_own_and_team_shared_views_not_others(api, agent, team, admin_user):
    own = saved_view_create(owner=agent, name="Mine", filters={})
    shared = saved_view_create(owner=admin_user, name="Team queue", filters={}, share_with=[team])
    saved_view_create(owner=admin_user, name="Admin only", filters={})
    saved_view_create(owner=factories.AgentFactory(teams=[team]), name="Colleague's", filters={})
    rows = api(agent).get("/api/v1/views").json()["results"]
    assert {row["id"]: row["shared"] for row in rows} == {own.pk: False, shared.pk: True}


def test_a_shared_view_cannot_be_deleted_by_its_readers(api, agent, team, admin_user):
    shared = saved_view_create(owner=admin_user, name="Team queue", filters={}, share_with=[team])
    response = api(agent).delete(f"/api/v1/views/{shared.pk}")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Only the view's owner can delete it."
    assert SavedView.objects.filter(pk=shared.pk).exists()


def test_someone_elses_private_view_is_404(api, agent, other_agent):
    private = saved_view_create(owner=other_agent, name="Private", filters={})
    client = api(agent)
    assert client.get(f"/api/v1/views/{private.pk}").status_code == 404
    assert client.delete(f"/api/v1/views/{private.pk}").status_code == 404


def test_admin_shares_a_view_with_teams(api, admin_user, team, agent):
    client = api(admin_user)
    created = client.post(
        "/api/v1/views",
        {"name": "Escalations", "filters": {"tag": ["escalated"]}, "shared_with_ids": [team.pk]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["shared_with_ids"] == [team.pk]
    other = factories.TeamFactory()
    patched = client.patch(
        f"/api/v1/views/{created.json()['id']}", {"shared_with_ids": [other.pk]}, format="json"
    )
    assert patched.status_code == 200
    assert patched.json()["shared_with_ids"] == [other.pk]
    assert api(agent).get(f"/api/v1/views/{created.json()['id']}").status_code == 404
    # A PATCH sends what changes: an empty one changes nothing (the schema's fields are optional).
    same = client.patch(f"/api/v1/views/{created.json()['id']}", {}, format="json")
    assert same.status_code == 200 and same.json()["shared_with_ids"] == [other.pk]


def test_agents_cannot_share(api, agent, team):
    response = api(agent).post(
        "/api/v1/views", {"name": "X", "shared_with_ids": [team.pk]}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Only admins can share views with teams."
    mine = saved_view_create(owner=agent, name="Mine", filters={})
    patched = api(agent).patch(
        f"/api/v1/views/{mine.pk}", {"shared_with_ids": [team.pk]}, format="json"
    )
    assert patched.status_code == 403
    assert not SavedView.objects.filter(shared_with=team).exists()
    assert api(agent).patch(f"/api/v1/views/{mine.pk}", {}, format="json").status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x", "filters": {"assignee__password": ["a"]}}, "filters"),
        ({"name": "x", "filters": {"status": "open"}}, "filters.status"),
        # JSON types as the schema says: a number is not a text, nor coerced into one.
        ({"name": "x", "filters": {"q": [0]}}, "filters"),
        ({"name": "x", "filters": {"field.nosuch-key": ["a"]}}, "filters"),
        ({"name": "x", "owner_id": 1}, "owner_id"),
        ({"name": "x", "shared_with_ids": [999_999]}, "shared_with_ids"),
    ],
)
def test_bad_input_is_400_naming_the_field(api, admin_user, body, field):
    response = api(admin_user).post("/api/v1/views", body, format="json")
    # A team or a ticket field that doesn't exist is not found (404), like any id that names
    # nothing; which exist the schema can't know.
    names_nothing = field == "shared_with_ids" or "field.nosuch-key" in body.get("filters", {})
    expected = 404 if names_nothing else 400
    assert response.status_code == expected, response.json()
    assert field in response.json()["error"]["fields"]
    assert not SavedView.objects.exists()


def test_unknown_query_parameter_and_ordering_are_400(api, agent):
    client = api(agent)
    assert client.get("/api/v1/views?owner__password=a").status_code == 400
    assert client.get("/api/v1/views?ordering=owner__password").status_code == 400
    assert client.get("/api/v1/views?ordering=-created_at").status_code == 200


def test_customers_get_404(api):
    user = factories.CustomerUserFactory()
    assert api(user).get("/api/v1/views").status_code == 404
    assert api(user).post("/api/v1/views", {"name": "x"}, format="json").status_code == 404


def test_read_only_token_cannot_save(api, agent):
    assert api(agent, read_only=True).post("/api/v1/views", {"name": "x"}).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_views_over_real_http(live_server):
    agent = factories.AgentFactory(teams=[factories.TeamFactory()])
    _, raw = api_token_create(user=agent, name="script")
    headers = {"Authorization": f"Bearer {raw}", "Idempotency-Key": "view-1"}
    url = f"{live_server.url}/api/v1/views"
    body = {"name": "Open", "filters": {"status": ["open"]}}
    first = requests.post(url, json=body, headers=headers, timeout=10)
    again = requests.post(url, json=body, headers=headers, timeout=10)
    assert first.status_code == again.status_code == 201, first.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert SavedView.objects.filter(owner=agent).count() == 1
