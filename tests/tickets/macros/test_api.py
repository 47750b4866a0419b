"""``/api/v1/macros`` and ``POST /api/v1/tickets/{id}/macros/{macro_id}/apply``."""

from __future__ import annotations

import pytest

from tests import factories
from tickets import services
from tickets.macros import services as macros
from tickets.macros.models import Macro, MacroScope
from tickets.models import MessageKind, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(admin_user):
    return macros.macro_save(
        agent=admin_user,
        title="Refund issued — solve",
        scope=MacroScope.SHARED,
        actions={
            "reply": "Hi {{ customer.first_name }}, refunded.",
            "status": "solved",
            "tags_add": ["refund"],
        },
    )


def test_agent_creates_reads_changes_and_deletes_a_personal_macro(api, agent):
    client = api(agent)
    created = client.post(
        "/api/v1/macros",
        {"title": "Take it", "actions": {"assignee": "me", "status": "open"}},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["scope"] == "personal" and body["owner_id"] == agent.pk
    assert body["actions"] == {"assignee": "me", "status": "open"}
    assert created["Location"] == f"/api/v1/macros/{body['id']}"

    got = client.get(f"/api/v1/macros/{body['id']}")
    assert got.status_code == 200
    stale = client.patch(
        f"/api/v1/macros/{body['id']}",
        {"title": "x"},
        format="json",
        HTTP_IF_MATCH='"not-it"',
    )
    assert stale.status_code == 412
    changed = client.patch(
        f"/api/v1/macros/{body['id']}",
        {"active": False, "actions": {"priority": "high"}},
        format="json",
        HTTP_IF_MATCH=got["ETag"],
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["actions"] == {"priority": "high"}
    assert changed.json()["active"] is False
    assert client.delete(f"/api/v1/macros/{body['id']}").status_code == 204
    assert not Macro.objects.exists()


def test_list_shows_own_team_and_shared_and_filters(api, agent, other_agent, shared):
    mine = macros.macro_save(agent=agent, title="Mine", actions={"status": "open"})
    macros.macro_save(agent=other_agent, title="Theirs", actions={"status": "open"})
    rows = api(agent).get("/api/v1/macros").json()["results"]
    assert [r["id"] for r in rows] == [mine.pk, shared.pk]  # by title
    rows = api(agent).get("/api/v1/macros?scope=shared").json()["results"]
    assert [r["id"] for r in rows] == [shared.pk]
    rows = api(agent).get("/api/v1/macros?q=refund").json()["results"]
    assert [r["id"] for r in rows] == [shared.pk]


def test_invalid_actions_are_a_400_naming_the_field(api, agent):
    client = api(agent)
    response = client.post(
        "/api/v1/macros", {"title": "T", "actions": {"status": "closed"}}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert "not a valid choice" in error["message"]
    assert "actions.status" in error["fields"]
    response = client.post(
        "/api/v1/macros", {"title": "T", "actions": {"colour": "red"}}, format="json"
    )
    assert response.status_code == 400
    assert "actions.colour" in response.json()["error"]["fields"]
    response = client.post(
        "/api/v1/macros", {"title": "T", "extra": 1, "actions": {}}, format="json"
    )
    assert response.status_code == 400


def test_permissions(api, agent, other_agent, admin_user, team, shared):
    theirs = macros.macro_save(agent=other_agent, title="Theirs", actions={"status": "open"})
    client = api(agent)
    # Someone else's personal macro does not exist, for an admin neither.
    assert client.get(f"/api/v1/macros/{theirs.pk}").status_code == 404
    assert api(admin_user).get(f"/api/v1/macros/{theirs.pk}").status_code == 404
    assert client.delete(f"/api/v1/macros/{theirs.pk}").status_code == 404
    # Team and shared macros: admins only.
    created = client.post(
        "/api/v1/macros",
        {"title": "S", "scope": "shared", "actions": {"status": "open"}},
        format="json",
    )
    assert created.status_code == 403
    assert (
        client.patch(f"/api/v1/macros/{shared.pk}", {"title": "x"}, format="json").status_code
        == 403
    )
    assert client.delete(f"/api/v1/macros/{shared.pk}").status_code == 403
    made = api(admin_user).post(
        "/api/v1/macros",
        {"title": "T", "scope": "team", "team_id": team.pk, "actions": {"priority": "high"}},
        format="json",
    )
    assert made.status_code == 201 and made.json()["team_id"] == team.pk
    # Customers: 404; anonymous: 401; a read-only token does not write.
    customer = factories.CustomerUserFactory()
    assert api(customer).get("/api/v1/macros").status_code == 404
    assert api().get("/api/v1/macros").status_code == 401
    ro = api(agent, read_only=True)
    assert (
        ro.post("/api/v1/macros", {"title": "x", "actions": {}}, format="json").status_code == 403
    )


def test_apply_replies_tags_and_solves(api, agent, ticket, shared):
    ticket.requester.name = "Ada Lovelace"
    ticket.requester.save()
    response = api(agent).post(
        f"/api/v1/tickets/{ticket.pk}/macros/{shared.pk}/apply", {}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "solved" and body["tags"] == ["refund"]
    reply = ticket.messages.get(pk=body["message_ids"][0])
    assert (reply.kind, reply.body_text) == (MessageKind.REPLY, "Hi Ada, refunded.")


def test_apply_without_reply_and_with_status_override(api, agent, ticket, shared):
    response = api(agent).post(
        f"/api/v1/tickets/{ticket.pk}/macros/{shared.pk}/apply",
        {"send_reply": False, "status": "pending", "note": "Checked."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert not ticket.messages.filter(author_user=agent, kind=MessageKind.REPLY).exists()
    assert ticket.messages.filter(kind=MessageKind.NOTE, body_text="Checked.").exists()


def test_apply_permissions(api, agent, other_agent, ticket, shared):
    theirs = macros.macro_save(agent=other_agent, title="Theirs", actions={"status": "open"})
    url = f"/api/v1/tickets/{ticket.pk}/macros/{theirs.pk}/apply"
    assert api(agent).post(url, {}, format="json").status_code == 404
    # The ticket is out of the other agent's teams.
    url = f"/api/v1/tickets/{ticket.pk}/macros/{shared.pk}/apply"
    assert api(other_agent).post(url, {}, format="json").status_code == 404
    assert api(factories.CustomerUserFactory()).post(url, {}, format="json").status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_apply_refused_on_a_closed_ticket_saves_nothing(api, agent, ticket, shared):
    services.ticket_change_status(ticket=ticket, status=Status.SOLVED, by=agent)
    services.ticket_change_status(ticket=ticket, status=Status.CLOSED, by=agent)
    response = api(agent).post(
        f"/api/v1/tickets/{ticket.pk}/macros/{shared.pk}/apply", {}, format="json"
    )
    assert response.status_code == 409
    assert not ticket.tags.exists()


def test_copy(api, agent, other_agent, admin_user, shared):
    # An agent's copy of a shared macro is their own personal macro.
    mine = api(agent).post(f"/api/v1/macros/{shared.pk}/copy")
    assert mine.status_code == 201, mine.json()
    assert mine["Location"].endswith(f"/macros/{mine.json()['id']}")
    assert mine.json()["title"] == "Refund issued — solve (copy)"
    assert mine.json()["scope"] == "personal" and mine.json()["owner_id"] == agent.pk
    assert mine.json()["actions"] == shared.actions
    # An admin's copy keeps the scope.
    theirs = api(admin_user).post(f"/api/v1/macros/{shared.pk}/copy")
    assert theirs.status_code == 201 and theirs.json()["scope"] == "shared"
    # Someone else's personal macro can't be seen, so can't be copied; customers get 404.
    private = macros.macro_save(agent=other_agent, title="Theirs", actions={"status": "open"})
    assert api(agent).post(f"/api/v1/macros/{private.pk}/copy").status_code == 404
    customer = factories.CustomerUserFactory()
    assert api(customer).post(f"/api/v1/macros/{shared.pk}/copy").status_code == 404
    assert api(agent, read_only=True).post(f"/api/v1/macros/{shared.pk}/copy").status_code == 403


def test_a_digit_that_is_no_number_is_a_400_not_a_500(api, agent):
    # "²".isdigit() is true but int("²") fails: ids are read with isdecimal() everywhere.
    response = api(agent).post(
        "/api/v1/macros", {"title": "T", "actions": {"team": "²"}}, format="json"
    )
    assert response.status_code == 400
    assert "actions.team" in response.json()["error"]["fields"]


@pytest.mark.parametrize("key", ["team", "assignee"])
def test_a_team_or_assignee_id_naming_nothing_is_a_404_naming_it(api, agent, key):
    # The schema can't know which ids exist: like every other id in a body (docs/api.md,
    # "Contract"), one that names nothing is a 404 on its field, not a 400.
    response = api(agent).post(
        "/api/v1/macros", {"title": "T", "actions": {key: 987654}}, format="json"
    )
    assert response.status_code == 404, response.json()
    assert f"actions.{key}" in response.json()["error"]["fields"]
    assert not Macro.objects.exists()


def test_a_customer_as_assignee_is_a_404_as_for_a_ticket(api, agent):
    customer = factories.CustomerUserFactory()
    response = api(agent).post(
        "/api/v1/macros", {"title": "T", "actions": {"assignee": customer.pk}}, format="json"
    )
    assert response.status_code == 404
    assert "actions.assignee" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "T", "actions": {"reply": "Hi\x00there"}}, "actions.reply"),
        ({"title": "T", "actions": {"note": "\x00"}}, "actions.note"),
        ({"title": "T", "actions": {"tags_add": ["a\x00b"]}}, "actions.tags_add[0]"),
        ({"title": "T\x00", "actions": {"status": "open"}}, "title"),
    ],
)
def test_a_nul_character_in_any_text_is_a_400_naming_the_field(api, agent, body, field):
    # PostgreSQL refuses NUL in text and in jsonb: refused up front, never a 500.
    response = api(agent).post("/api/v1/macros", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Macro.objects.exists()


def test_field_values_have_the_json_type_the_schema_states(api, agent):
    # The schema lists each active ticket field with its value type; the API takes exactly it.
    factories.TicketFieldFactory(key="seats", kind="number")
    client = api(agent)
    refused = client.post(
        "/api/v1/macros", {"title": "T", "actions": {"fields": {"seats": "3"}}}, format="json"
    )
    assert refused.status_code == 400, refused.json()
    assert "actions.fields.seats" in refused.json()["error"]["fields"]
    empty = client.post("/api/v1/macros", {"title": "T", "actions": {"fields": {}}}, format="json")
    assert empty.status_code == 400
    taken = client.post(
        "/api/v1/macros", {"title": "T", "actions": {"fields": {"seats": 3.0}}}, format="json"
    )
    assert taken.status_code == 201, taken.json()
    assert taken.json()["actions"] == {"fields": {"seats": 3}}
