"""The tickets API: visibility by role, writes through services, filters, pagination, errors."""

from __future__ import annotations

from datetime import timedelta

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from support import clock
from tests import factories
from tickets.models import EventKind, Message, MessageKind, Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal_user(customer):
    user = factories.CustomerUserFactory()
    return user


def _ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


# --- visibility -----------------------------------------------------------------------------


def test_agent_lists_only_tickets_of_their_teams(api, agent, ticket):
    factories.TicketFactory(team=factories.TeamFactory())
    response = api(agent).get("/api/v1/tickets")
    assert response.status_code == 200
    assert _ids(response) == [ticket.pk]


def test_customer_sees_only_their_tickets_without_agent_fields(api, portal_user, agent):
    own = factories.TicketFactory(requester=portal_user.customer, assignee=agent)
    factories.TicketFactory()
    response = api(portal_user).get("/api/v1/tickets")
    assert _ids(response) == [own.pk]
    row = response.json()["results"][0]
    for field in ("assignee_id", "team_id", "tags", "resolution_due_at"):
        assert field not in row


def test_org_manager_sees_the_organizations_tickets(api):
    org = factories.OrganizationFactory()
    manager = factories.CustomerUserFactory(contact__organization=org)
    manager.customer.is_org_manager = True
    manager.customer.save()
    colleague = factories.CustomerFactory(organization=org)
    theirs = factories.TicketFactory(requester=colleague)
    response = api(manager).get("/api/v1/tickets")
    assert _ids(response) == [theirs.pk]


def test_other_customers_ticket_is_404(api, portal_user, ticket):
    assert api(portal_user).get(f"/api/v1/tickets/{ticket.pk}").status_code == 404


def test_customer_never_sees_internal_notes(api, portal_user):
    ticket = factories.TicketFactory(requester=portal_user.customer)
    factories.NoteFactory(ticket=ticket, body_text="secret")
    response = api(portal_user).get(f"/api/v1/tickets/{ticket.pk}/messages")
    assert response.status_code == 200
    assert all(m["kind"] == "reply" for m in response.json()["results"])
    assert "secret" not in response.content.decode()


def test_anonymous_is_401_in_the_error_shape(api):
    response = api().get("/api/v1/tickets")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_or_unknown_token_is_401(client):
    response = client.get("/api/v1/tickets", HTTP_AUTHORIZATION="Bearer sb_nope")
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_read_only_token_cannot_write(api, agent, ticket):
    response = api(agent, read_only=True).patch(
        f"/api/v1/tickets/{ticket.pk}", {"priority": "high"}, format="json"
    )
    assert response.status_code == 403
    assert "read-only" in response.json()["error"]["message"]


def test_session_auth_requires_csrf_for_writes(agent, ticket):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(agent)
    assert client.get(f"/api/v1/tickets/{ticket.pk}").status_code == 200
    response = client.patch(f"/api/v1/tickets/{ticket.pk}", {"priority": "high"}, format="json")
    assert response.status_code == 403


# --- writes ---------------------------------------------------------------------------------


def test_agent_creates_a_ticket_for_a_customer(api, agent, team, customer):
    response = api(agent).post(
        "/api/v1/tickets",
        {
            "requester_id": customer.pk,
            "subject": "Card charged twice",
            "body": "Please refund.",
            "priority": "high",
            "team_id": team.pk,
            "tags": ["Billing"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    ticket = Ticket.objects.get(pk=data["id"])
    assert ticket.requester == customer and ticket.priority == "high" and ticket.channel == "api"
    assert data["tags"] == ["billing"]
    assert response["ETag"] and response["Location"].endswith(str(ticket.pk))
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CREATED).exists()


@pytest.mark.parametrize("with_policy", [True, False])
def test_create_answers_what_a_read_of_the_ticket_answers(api, agent, team, customer, with_policy):
    """The create response is built from what the service wrote (no read back): it must be the
    ticket exactly as GET shows it — tags, SLA match, clocks, due times, ETag."""
    if with_policy:
        factories.SlaPolicyFactory(is_default=True, next_reply_minutes=30)
    client = api(agent)
    # One instant for both requests: the clock's text counts minutes to the due time, and a minute
    # can turn between the write and the read (CI met "16h 15m" against "16h 16m").
    with clock.travel(clock.now()):
        created = client.post(
            "/api/v1/tickets",
            {
                "requester_id": customer.pk,
                "subject": "Export is slow",
                "body": "Since this morning.",
                "team_id": team.pk,
                "tags": ["zeta", "Alpha"],
            },
            format="json",
        )
        assert created.status_code == 201, created.json()
        read = client.get(created["Location"])
    assert created.json() == read.json()
    assert created["ETag"] == read["ETag"]
    assert created.json()["tags"] == ["alpha", "zeta"]
    targets = [t["kind"] for t in created.json()["sla"]["targets"]]
    assert targets == (["first_response", "resolution"] if with_policy else [])


def test_customer_creates_a_ticket_for_themselves_only(api, portal_user, customer):
    response = api(portal_user).post(
        "/api/v1/tickets",
        {"subject": "Help", "body": "It broke.", "requester_id": customer.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "requester_id" in response.json()["error"]["fields"]
    response = api(portal_user).post(
        "/api/v1/tickets", {"subject": "Help", "body": "It broke."}, format="json"
    )
    assert response.status_code == 201
    assert Ticket.objects.get(pk=response.json()["id"]).requester == portal_user.customer


@pytest.mark.parametrize("field,value", [("assignee_id", 1), ("team_id", 1), ("priority", "low")])
def test_customer_setting_agent_fields_is_400_naming_the_field(api, portal_user, field, value):
    ticket = factories.TicketFactory(requester=portal_user.customer)
    response = api(portal_user).patch(f"/api/v1/tickets/{ticket.pk}", {field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_customer_may_solve_but_not_set_pending(api, portal_user):
    ticket = factories.TicketFactory(requester=portal_user.customer, status=Status.OPEN)
    client = api(portal_user)
    response = client.patch(f"/api/v1/tickets/{ticket.pk}", {"status": "pending"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]
    response = client.patch(f"/api/v1/tickets/{ticket.pk}", {"status": "solved"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "solved"


def test_unknown_body_field_is_400(api, agent, ticket):
    response = api(agent).patch(
        f"/api/v1/tickets/{ticket.pk}", {"created_at": "2020-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"created_at": ["Unknown field."]}


def test_agent_patch_changes_fields_through_services(api, agent, team, ticket):
    response = api(agent).patch(
        f"/api/v1/tickets/{ticket.pk}",
        {"priority": "urgent", "assignee_id": agent.pk, "tags": ["vip"], "status": "pending"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.assignee, ticket.status) == ("urgent", agent, "pending")
    kinds = set(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert {"priority_changed", "assignee_changed", "tag_added", "status_changed"} <= kinds


def test_illegal_status_move_is_409(api, agent, ticket):
    response = api(agent).post(
        f"/api/v1/tickets/{ticket.pk}/status", {"status": "closed"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["fields"] == {"status": ["Only a solved ticket can be closed."]}


def test_assign_action_checks_team_membership(api, agent, other_agent, ticket):
    response = api(agent).post(
        f"/api/v1/tickets/{ticket.pk}/assign", {"assignee_id": other_agent.pk}, format="json"
    )
    assert response.status_code == 400
    assert "assignee" in response.json()["error"]["fields"]


def test_reply_with_attachment_and_note(api, agent, ticket):
    client = api(agent)
    upload = SimpleUploadedFile("log.txt", b"hello", content_type="text/plain")
    response = client.post(
        f"/api/v1/tickets/{ticket.pk}/messages",
        {"body": "See attached", "attachments": [upload]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    attachment = response.json()["attachments"][0]
    assert attachment["name"] == "log.txt" and attachment["size"] == 5
    download = client.get(f"/api/v1/attachments/{attachment['id']}/download")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"hello"
    as_bin = client.get(f"/api/v1/attachments/{attachment['id']}/download?format=bin")
    assert as_bin.status_code == 200 and b"".join(as_bin.streaming_content) == b"hello"
    # An empty ?format= is none of the schema's two: a 400 naming it, in JSON.
    empty = client.get(f"/api/v1/attachments/{attachment['id']}/download?format=")
    assert empty.status_code == 400 and list(empty.json()["error"]["fields"]) == ["format"]
    note = client.post(
        f"/api/v1/tickets/{ticket.pk}/messages", {"kind": "note", "body": "psst"}, format="json"
    )
    assert note.status_code == 201
    assert Message.objects.filter(ticket=ticket, kind=MessageKind.NOTE).count() == 1


def test_message_create_answers_what_the_conversation_shows(api, agent, portal_user):
    """Replies and notes are answered from what the service wrote (no read back): each must be
    the message exactly as the conversation lists it, for an agent and for a customer."""
    ticket = factories.TicketFactory(requester=portal_user.customer, team=agent.teams.first())
    answers = [
        api(agent).post(
            f"/api/v1/tickets/{ticket.pk}/messages",
            {"body": "On it.", "body_html": "<b>On</b> it."},
            format="json",
        ),
        api(agent).post(
            f"/api/v1/tickets/{ticket.pk}/messages", {"kind": "note", "body": "psst"}, format="json"
        ),
        api(portal_user).post(
            f"/api/v1/tickets/{ticket.pk}/messages", {"body": "Thanks!"}, format="json"
        ),
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    listed = {
        m["id"]: m
        for m in api(agent).get(f"/api/v1/tickets/{ticket.pk}/messages").json()["results"]
    }
    for answer in answers:
        assert answer.json() == listed[answer.json()["id"]]


def test_customer_cannot_download_an_attachment_of_a_note(api, agent, portal_user):
    ticket = factories.TicketFactory(requester=portal_user.customer, team=agent.teams.first())
    upload = SimpleUploadedFile("secret.txt", b"x")
    note = api(agent).post(
        f"/api/v1/tickets/{ticket.pk}/messages",
        {"kind": "note", "body": "internal", "attachments": [upload]},
        format="multipart",
    )
    attachment_id = note.json()["attachments"][0]["id"]
    response = api(portal_user).get(f"/api/v1/attachments/{attachment_id}/download")
    assert response.status_code == 404


def test_customer_cannot_write_notes(api, portal_user):
    ticket = factories.TicketFactory(requester=portal_user.customer)
    response = api(portal_user).post(
        f"/api/v1/tickets/{ticket.pk}/messages", {"kind": "note", "body": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]


def test_upload_over_the_limit_is_413(api, agent, ticket, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    upload = SimpleUploadedFile("big.bin", b"x" * 11)
    response = api(agent).post(
        f"/api/v1/tickets/{ticket.pk}/messages",
        {"body": "big", "attachments": [upload]},
        format="multipart",
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_body_over_the_limit_is_413(api, agent, ticket, settings):
    settings.API_MAX_REQUEST_BYTES = 100
    response = api(agent).post(
        f"/api/v1/tickets/{ticket.pk}/messages", {"body": "x" * 200}, format="json"
    )
    assert response.status_code == 413


# --- lists ----------------------------------------------------------------------------------


def test_filters_by_status_and_updated_since(api, agent, team):
    old = factories.TicketFactory(team=team, status=Status.OPEN)
    Ticket.objects.filter(pk=old.pk).update(updated_at=clock.now() - timedelta(days=3))
    fresh = factories.TicketFactory(team=team, status=Status.OPEN)
    factories.TicketFactory(team=team, status=Status.PENDING)
    since = (clock.now() - timedelta(days=1)).isoformat()
    response = api(agent).get("/api/v1/tickets", {"status": "open", "updated_since": since})
    assert response.status_code == 200, response.json()
    assert _ids(response) == [fresh.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"requester__user__password__startswith": "a"},
        {"ordering": "assignee__password"},
        {"status": "nonsense"},
        {"assignee": "abc"},
        {"assignee": "99999999999999999999999"},
        {"expand": "assignee"},
        {"page_size": "0"},
    ],
)
def test_unknown_or_bad_params_are_400(api, agent, ticket, params):
    response = api(agent).get("/api/v1/tickets", params)
    assert response.status_code == 400, response.content
    assert next(iter(params)) in response.json()["error"]["fields"]


def test_customer_cannot_filter_on_agent_fields(api, portal_user):
    response = api(portal_user).get("/api/v1/tickets", {"assignee": 1})
    assert response.status_code == 400


def test_cursor_pagination_is_stable_over_equal_timestamps(api, agent, team):
    tickets = [factories.TicketFactory(team=team) for _ in range(5)]
    Ticket.objects.update(updated_at=clock.now())
    client = api(agent)
    seen, url = [], "/api/v1/tickets?page_size=2"
    while url:
        response = client.get(url)
        seen += _ids(response)
        url = response.json()["next"]
    assert sorted(seen) == sorted(t.pk for t in tickets) and len(seen) == 5


def test_expand_embeds_without_n_plus_one(api, agent, team, django_assert_max_num_queries):
    org = factories.OrganizationFactory()
    for _ in range(6):
        factories.TicketFactory(team=team, requester=factories.CustomerFactory(organization=org))
    client = api(agent)
    client.get("/api/v1/tickets")  # warm the token's last-used write
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/tickets", {"expand": "requester,organization"})
    row = response.json()["results"][0]
    assert row["requester"]["email"] and row["organization"]["name"] == org.name


def test_unknown_path_and_method_use_the_error_shape(api, agent, ticket):
    client = api(agent)
    assert client.get("/api/v1/nope").json()["error"]["code"] == "not_found"
    response = client.delete(f"/api/v1/tickets/{ticket.pk}")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    response = client.post("/api/v1/tickets", "x", content_type="text/plain")
    assert response.status_code == 415
    response = client.post("/api/v1/tickets", "{bad", content_type="application/json")
    assert response.status_code == 400


# --- other resources ------------------------------------------------------------------------


def test_agent_creates_customer_and_customers_are_hidden_from_other_customers(api, agent):
    response = api(agent).post(
        "/api/v1/customers", {"email": "new@example.org", "name": "New"}, format="json"
    )
    assert response.status_code == 201
    assert (
        api(agent)
        .post("/api/v1/customers", {"email": "new@example.org"}, format="json")
        .status_code
        == 409
    )
    portal = factories.CustomerUserFactory()
    listing = api(portal).get("/api/v1/customers").json()["results"]
    assert [c["email"] for c in listing] == [portal.email]
    refused = api(portal).post("/api/v1/customers", {"email": "x@example.org"}, format="json")
    assert refused.status_code == 403


def test_teams_agents_and_tags_are_for_agents(api, agent, portal_user, team):
    for path in ("/api/v1/teams", "/api/v1/agents", "/api/v1/tags"):
        assert api(agent).get(path).status_code == 200
        assert api(portal_user).get(path).status_code == 404
    agents = api(agent).get("/api/v1/agents").json()["results"]
    assert team.pk in agents[0]["team_ids"]


@pytest.mark.parametrize("fmt", ["json", "multipart"])
def test_form_fields_over_djangos_memory_limit_are_413_not_500(api, agent, ticket, settings, fmt):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    client = api(agent)
    client.raise_request_exception = False
    response = client.post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "x" * 500}, format=fmt)
    assert response.status_code in (201, 413), response.content
    if response.status_code == 413:
        assert response.json()["error"]["code"] == "too_large"


def test_json_and_multipart_messages_have_their_own_schemas(api, agent, ticket):
    # JSON carries no files: its schema has no attachments and a body that isn't empty; a note
    # sets no status (both said in the schema as the server refuses them).
    schema = api(agent).get("/api/schema/?format=json").json()
    content = schema["paths"]["/api/v1/tickets/{ticket_id}/messages"]["post"]["requestBody"][
        "content"
    ]
    json_schema = schema["components"]["schemas"]["MessageCreateJsonRequest"]
    assert content["application/json"]["schema"]["$ref"].endswith("/MessageCreateJsonRequest")
    assert content["multipart/form-data"]["schema"]["$ref"].endswith("/MessageCreateRequest")
    assert "attachments" not in json_schema["properties"]
    assert json_schema["properties"]["body"]["minLength"] == 1
    # The same fields as multipart but the files: nothing of a new ticket's (a merge once put
    # team_id, form_id and the rest here).
    multipart = schema["components"]["schemas"]["MessageCreateRequest"]
    assert set(json_schema["properties"]) == set(multipart["properties"]) - {"attachments"}
    client = api(agent)
    url = f"/api/v1/tickets/{ticket.pk}/messages"
    for body, field in (
        ({"body": ""}, "body"),
        ({"body": "x", "attachments": []}, "attachments"),
        ({"body": "x", "team_id": 1}, "team_id"),
    ):
        response = client.post(url, body, format="json")
        assert response.status_code == 400, response.json()
        assert field in response.json()["error"]["fields"]
    assert client.post(url, {"body": "Hi"}, format="json").status_code == 201


def test_multipart_message_schema_states_the_body_or_file_and_note_rules(api, agent, ticket):
    # The multipart schema (MessageCreateRequest) says what the server does: a body of only
    # blanks (what str.strip() removes) is empty and needs a file; a note sets no status.
    client = api(agent)
    schema = client.get("/api/schema/?format=json").json()
    validator = jsonschema.Draft202012Validator(
        {"$ref": "#/components/schemas/MessageCreateRequest", "components": schema["components"]}
    )
    url = f"/api/v1/tickets/{ticket.pk}/messages"
    for body, accepted in (
        ({"body": ""}, False),
        ({"body": " \t\r\n\x1c\x85\xa0\u2003\u3000"}, False),
        ({"body": "", "attachments": ["log.txt"]}, True),
        ({"body": " \u3000", "attachments": ["log.txt"]}, True),
        ({"body": "\ufeff"}, True),  # not a blank to str.strip()
        ({"body": "x", "kind": "note", "status": "pending"}, False),
        ({"body": "", "kind": "note", "status": "pending", "attachments": ["log.txt"]}, False),
        ({"body": "x", "kind": "note"}, True),
        ({"body": "x", "kind": "reply", "status": "pending"}, True),
        ({"body": "x", "status": "pending"}, True),
    ):
        assert validator.is_valid(body) is accepted, body
        files = [SimpleUploadedFile("log.txt", b"hello")] if "attachments" in body else []
        response = client.post(url, {**body, "attachments": files}, format="multipart")
        assert (response.status_code == 201) is accepted, (body, response.json())
        if not accepted:
            assert response.status_code == 400, response.json()
