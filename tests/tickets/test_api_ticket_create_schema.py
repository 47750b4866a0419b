"""``POST /api/v1/tickets`` as its schema states it: JSON and multipart have their own bodies,
an agent's schema requires ``requester_id`` while a customer's token is served a schema with
only what a customer may send, and ``fields`` lists the active ticket fields' keys with the
JSON type each takes (docs/api.md, "Contract")."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from support.api.views import SchemaView
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets"


@pytest.fixture
def portal_user(db):
    return factories.CustomerUserFactory()


@pytest.fixture
def defined(db):
    factories.TicketFieldFactory(key="seats", kind="number")
    factories.TicketFieldFactory(
        key="browser", kind="choice", choices=["safari", "chrome"], customer_editable=True
    )
    factories.TicketFieldFactory(key="old", kind="text", active=False)


def _schemas(client) -> dict:
    return client.get("/api/schema/?format=json").json()


def test_json_and_multipart_bodies_are_split_and_agents_name_the_requester(api, agent, defined):
    schema = _schemas(api(agent))
    content = schema["paths"][URL]["post"]["requestBody"]["content"]
    assert content["application/json"]["schema"]["$ref"].endswith("/TicketCreateJsonRequest")
    multipart = content["multipart/form-data"]
    assert multipart["schema"]["$ref"].endswith("/TicketCreateRequest")
    assert multipart["encoding"] == {"fields": {"contentType": "application/json"}}
    components = schema["components"]["schemas"]
    as_json, as_form = components["TicketCreateJsonRequest"], components["TicketCreateRequest"]
    assert "attachments" not in as_json["properties"] and "attachments" in as_form["properties"]
    assert as_json["properties"]["body"]["minLength"] == 1
    for body in (as_json, as_form):
        assert {"requester_id", "subject", "body"} <= set(body["required"])
        fields = body["properties"]["fields"]
        assert fields["additionalProperties"] is False
        assert fields["properties"] == {
            "seats": {"type": ["integer", "null"], "minimum": -(10**15 - 1), "maximum": 10**15 - 1},
            "browser": {"enum": ["safari", "chrome", None]},
        }
        assert body["properties"]["tags"]["items"]["pattern"].startswith("^[A-Za-z0-9]")
        assert body["properties"]["cc"]["items"]["format"] == "email"
    # Anonymous readers get the agents' schema.
    anonymous = _schemas(api())["components"]["schemas"]["TicketCreateJsonRequest"]
    assert anonymous == as_json
    response = api(agent).post(URL, {"subject": "Hi", "body": "Hello"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"requester_id": ["This field is required."]}


def test_a_customers_schema_states_only_what_a_customer_may_send(
    api, portal_user, customer, defined
):
    client = api(portal_user)
    components = _schemas(client)["components"]["schemas"]
    new = components["TicketCreateJsonRequest"]
    assert set(new["properties"]) == {
        "subject",
        "body",
        "body_html",
        "type",
        "product_id",
        "version_id",
        "component_id",
        "form_id",
        "fields",
    }
    assert set(new["required"]) == {"subject", "body"}
    assert new["properties"]["fields"]["properties"] == {
        "browser": {"enum": ["safari", "chrome", None]}
    }
    assert "attachments" in components["TicketCreateRequest"]["properties"]
    assert "priority" not in components["TicketCreateRequest"]["properties"]
    # Every write that names what customers may send, not only this one.
    assert set(components["PatchedTicketUpdateRequest"]["properties"]) == {"status", "fields"}
    assert "status" not in components["MessageCreateJsonRequest"]["properties"]
    # As the server takes it: no requester (their own name), and naming one is refused.
    assert client.post(URL, {"subject": "Hi", "body": "Hello"}, format="json").status_code == 201
    response = client.post(
        URL, {"subject": "Hi", "body": "Hello", "requester_id": customer.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["requester_id"]


def test_the_schema_is_kept_per_role(api, agent, portal_user):
    SchemaView._built.clear()
    customer_schema = _schemas(api(portal_user))
    agent_schema = _schemas(api(agent))
    assert customer_schema != agent_schema
    roles = {key[1] for key in SchemaView._built}
    assert roles == {"customer", "agent"}
    # Each reader is served their own copy again, whoever asked last.
    again = _schemas(api(portal_user))["components"]["schemas"]["TicketCreateJsonRequest"]
    assert "priority" not in again["properties"]
    agent_again = _schemas(api(agent))["components"]["schemas"]["TicketCreateJsonRequest"]
    assert "priority" in agent_again["properties"]


def test_field_values_tags_and_cc_take_what_the_schema_states(api, agent, customer, defined):
    client = api(agent)
    base = {"requester_id": customer.pk, "subject": "Hi", "body": "Hello"}
    for extra, field in (
        ({"fields": {"seats": "3"}}, "fields.seats"),
        ({"fields": {"browser": ["safari"]}}, "fields.browser"),
        ({"tags": ["two words"]}, "tags"),
        ({"cc": ["not an address"]}, "cc"),
    ):
        response = client.post(URL, {**base, **extra}, format="json")
        assert response.status_code == 400, (extra, response.json())
        named = response.json()["error"]["fields"]
        assert any(key.split(".")[0] == field.split(".")[0] for key in named), named
        assert field in named or field in ("tags", "cc"), named
    response = client.post(
        URL,
        {**base, "fields": {"seats": 3.0, "browser": "chrome"}, "tags": ["Billing"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["fields"] == {"seats": 3, "browser": "chrome"}
    assert response.json()["tags"] == ["billing"]


def test_multipart_sends_fields_as_one_json_part_and_lists_as_repeated_parts(
    api, agent, customer, defined
):
    client = api(agent)
    response = client.post(
        URL,
        {
            "requester_id": str(customer.pk),
            "subject": "Hi",
            "body": "",
            "fields": json.dumps({"seats": 2, "browser": "safari"}),
            "tags": ["billing", "vip"],
            "attachments": [SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["fields"] == {"seats": 2, "browser": "safari"}
    assert response.json()["tags"] == ["billing", "vip"]
    for fields, where in (("seats=2", "fields"), (json.dumps({"seats": "2"}), "fields.seats")):
        response = client.post(
            URL,
            {"requester_id": str(customer.pk), "subject": "Hi", "body": "x", "fields": fields},
            format="multipart",
        )
        assert response.status_code == 400, response.json()
        assert where in response.json()["error"]["fields"], response.json()


def test_a_version_or_component_needs_its_product_in_schema_and_server(api, agent, customer):
    components = _schemas(api(agent))["components"]["schemas"]
    assert components["TicketCreateRequest"]["dependentRequired"] == {
        "version_id": ["product_id"],
        "component_id": ["product_id"],
    }
    assert set(components["TicketCreateJsonRequest"]["dependentSchemas"]) == {
        "version_id",
        "component_id",
    }
    version = factories.VersionFactory()
    base = {"requester_id": customer.pk, "subject": "Hi", "body": "Hello"}
    client = api(agent)
    for extra in ({"version_id": version.pk}, {"version_id": version.pk, "product_id": None}):
        response = client.post(URL, {**base, **extra}, format="json")
        assert response.status_code == 400, response.json()
        assert "version_id" in response.json()["error"]["fields"]
    response = client.post(
        URL, {**base, "version_id": version.pk, "product_id": version.product_id}, format="json"
    )
    assert response.status_code == 201, response.json()
