"""The schema says what the server takes, so a request the schema allows is accepted (the
schemathesis test checks this over the whole API; these pin each class it found): an id or a
cursor that names nothing is a 404 naming the field, a name already taken is a 409, and the
rules the server enforces on headers, list filters and bodies are in the schema."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api, admin_user):
    return api(admin_user).get("/api/schema/?format=json").json()


def test_a_cursor_we_never_gave_out_is_a_404_naming_the_cursor(api, agent):
    response = api(agent).get("/api/v1/tickets?cursor=bz1hYmM=")
    assert response.status_code == 404
    assert response.json()["error"]["fields"] == {
        "cursor": ["No such page: use a cursor from a previous answer's next or previous link."]
    }


def test_a_body_naming_a_customer_that_does_not_exist_is_a_404_naming_the_field(api, agent):
    response = api(agent).post(
        "/api/v1/tickets",
        {"requester_id": 999_999, "subject": "Hello", "body": "Hi"},
        format="json",
    )
    assert response.status_code == 404
    assert list(response.json()["error"]["fields"]) == ["requester_id"]


def test_an_organization_name_already_taken_is_a_409(api, admin_user):
    factories.OrganizationFactory(name="Acme")
    response = api(admin_user).post("/api/v1/organizations", {"name": "Acme"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert "name" in response.json()["error"]["fields"]


def test_the_download_takes_the_format_parameter_it_documents(api, agent, schema):
    parameters = schema["paths"]["/api/v1/attachments/{id}/download"]["get"]["parameters"]
    assert "format" in {p["name"] for p in parameters}
    missing = "0" * 32
    response = api(agent).get(f"/api/v1/attachments/{missing}/download?format=json")
    assert response.status_code == 404  # not a 400 for an unknown parameter


def test_list_filters_take_at_least_one_value_as_the_server_requires(api, agent, schema):
    status = next(
        p for p in schema["paths"]["/api/v1/tickets"]["get"]["parameters"] if p["name"] == "type"
    )
    assert status["schema"]["minItems"] == 1
    assert api(agent).get("/api/v1/tickets?type=").status_code == 400


def test_header_and_body_rules_are_in_the_schema(schema):
    components = schema["components"]["schemas"]
    assert components["TicketAssignRequest"]["minProperties"] == 1
    assert "Europe/Berlin" in components["TimeZoneEnum"]["enum"]
    post = schema["paths"]["/api/v1/tickets"]["post"]
    key = next(p for p in post["parameters"] if p["name"] == "Idempotency-Key")
    assert key["schema"]["maxLength"] == 255 and key["schema"]["pattern"]


def test_a_whole_number_written_with_a_point_is_a_whole_number(api, agent, customer):
    response = api(agent).post(
        "/api/v1/tickets",
        {"requester_id": float(customer.pk), "subject": "Hello", "body": "Hi"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    half = api(agent).post(
        "/api/v1/tickets",
        {"requester_id": customer.pk + 0.5, "subject": "Hello", "body": "Hi"},
        format="json",
    )
    assert half.status_code == 400


def test_text_without_null_characters_and_expand_names_are_in_the_schema(schema):
    title = schema["components"]["schemas"]["ArticleWriteRequest"]["properties"]["title"]
    assert title["pattern"] == "^[^\\u0000]*$"
    expand = next(
        p for p in schema["paths"]["/api/v1/tickets"]["get"]["parameters"] if p["name"] == "expand"
    )
    assert "requester|organization" in expand["schema"]["pattern"]


def test_custom_field_keys_and_their_values_are_in_the_served_schema(api, admin_user):
    # Admins define the keys at run time: the schema is built with the current definitions,
    # kept per version of them, and a new field is in the very next schema.
    from tests.customers import profile_setup

    factories.TicketFieldFactory(key="browser", kind="choice", choices=["safari", "chrome"])
    profile_setup.define(admin_user, key="seats", kind="number")
    client = api(admin_user)
    schemas = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    actions = schemas["MacroActionsRequest"]["properties"]["fields"]
    assert actions["additionalProperties"] is False and actions["minProperties"] == 1
    assert actions["properties"]["browser"] == {"enum": ["safari", "chrome", None]}
    organization = schemas["OrganizationCreateRequest"]["properties"]["fields"]
    assert organization["properties"] == {
        "seats": {"type": ["integer", "null"], "minimum": -(10**15 - 1), "maximum": 10**15 - 1}
    }
    assert schemas["CustomerCreateRequest"]["properties"]["fields"]["properties"] == {}

    profile_setup.define(admin_user, target=profile_setup.CUSTOMER, key="vip", kind="checkbox")
    schemas = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    customer = schemas["PatchedCustomerFieldValuesRequest"]["properties"]["fields"]
    assert customer["properties"] == {"vip": {"type": ["boolean", "null"]}}


def test_field_values_have_the_json_types_the_schema_states(api, agent, admin_user):
    from tests.customers import profile_setup

    profile_setup.define(admin_user, key="seats", kind="number")
    profile_setup.define(admin_user, key="renewal", kind="date")
    organization = factories.OrganizationFactory()
    client = api(agent)
    url = f"/api/v1/organizations/{organization.pk}"
    for value, field in (("3", "seats"), (True, "seats"), ("20260301", "renewal")):
        response = client.patch(url, {"fields": {field: value}}, format="json")
        assert response.status_code == 400, response.json()
        assert f"fields.{field}" in response.json()["error"]["fields"]
    response = client.patch(url, {"fields": {"seats": 3.0, "renewal": "2026-03-01"}}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["fields"] == {"seats": 3, "renewal": "2026-03-01"}
