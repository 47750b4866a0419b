"""``/api/v1/organization-fields``, ``/api/v1/customer-fields`` and the ``fields`` of
``/api/v1/organizations`` and ``/api/v1/customers``: definitions read by agents and changed by
admins; values read and set by key, each checked, a bad one a 400 naming ``fields.<key>``;
customers see none of it."""

from __future__ import annotations

import pytest

from customers import fields as profile
from customers.models import Customer, CustomerEvent, Organization, ProfileField
from tests import factories
from tests.customers.profile_setup import CUSTOMER, define, define_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(admin_user):
    return define_plan(admin_user)


def _error_fields(response) -> dict:
    return response.json()["error"]["fields"]


def test_admin_defines_a_field_over_the_api_and_agents_read_it(api, admin_user, agent):
    response = api(admin_user).post(
        "/api/v1/organization-fields",
        {
            "key": "plan",
            "kind": "choice",
            "label": "Plan",
            "choices": [{"value": "free", "label": "Free"}, {"value": "pro", "label": "Pro"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    field_id = response.json()["id"]
    assert response["Location"] == f"/api/v1/organization-fields/{field_id}"
    listed = api(agent).get("/api/v1/organization-fields").json()["results"]
    assert [(f["key"], [c["value"] for c in f["choices"]]) for f in listed] == [
        ("plan", ["free", "pro"])
    ]
    assert api(agent).get("/api/v1/customer-fields").json()["results"] == []
    renamed = api(admin_user).patch(
        f"/api/v1/organization-fields/{field_id}", {"label": "Price plan"}, format="json"
    )
    assert renamed.status_code == 200 and renamed.json()["label"] == "Price plan"


def test_defining_is_for_admins_and_reading_for_agents(api, agent, plan):
    body = {"key": "region", "kind": "text", "label": "Region"}
    assert api(agent).post("/api/v1/customer-fields", body, format="json").status_code == 403
    customer_user = factories.CustomerUserFactory()
    assert api(customer_user).get("/api/v1/organization-fields").status_code == 404
    assert api().get("/api/v1/organization-fields").status_code in (401, 403)
    assert not ProfileField.objects.filter(key="region").exists()


def test_a_bad_definition_is_a_400_naming_the_field(api, admin_user, plan):
    taken = api(admin_user).post(
        "/api/v1/organization-fields", {"key": "plan", "kind": "text", "label": "P"}, format="json"
    )
    assert taken.status_code == 409 and "key" in _error_fields(taken)  # a key taken
    no_choices = api(admin_user).post(
        "/api/v1/customer-fields", {"key": "tier", "kind": "choice", "label": "T"}, format="json"
    )
    assert no_choices.status_code == 400 and "choices" in _error_fields(no_choices)
    kind = api(admin_user).patch(
        f"/api/v1/organization-fields/{plan.pk}", {"kind": "text"}, format="json"
    )
    assert kind.status_code == 409


def test_deleting_a_field_in_use_is_a_409_with_the_count(api, admin_user, agent, plan):
    org = factories.OrganizationFactory()
    profile.organization_set_fields(organization=org, values={"plan": "pro"}, by=agent)
    response = api(admin_user).delete(f"/api/v1/organization-fields/{plan.pk}")
    assert response.status_code == 409 and "1 organization" in response.json()["error"]["message"]
    region = define(admin_user, key="region")
    assert api(admin_user).delete(f"/api/v1/organization-fields/{region.pk}").status_code == 204


def test_agent_sets_organization_values_by_key(api, agent, plan):
    org = factories.OrganizationFactory()
    response = api(agent).patch(
        f"/api/v1/organizations/{org.pk}", {"fields": {"plan": "pro"}}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["fields"] == {"plan": "pro"}
    assert Organization.objects.get(pk=org.pk).fields == {"plan": "pro"}
    assert api(agent).get(f"/api/v1/organizations/{org.pk}").json()["fields"] == {"plan": "pro"}


def test_a_bad_value_is_a_400_naming_the_field_and_changes_nothing(api, agent, plan):
    org = factories.OrganizationFactory(fields={"plan": "free"})
    response = api(agent).patch(
        f"/api/v1/organizations/{org.pk}", {"fields": {"plan": "gold"}}, format="json"
    )
    assert response.status_code == 400
    assert list(_error_fields(response)) == ["fields.plan"]
    unknown = api(agent).patch(
        f"/api/v1/organizations/{org.pk}", {"fields": {"nope": 1}}, format="json"
    )
    assert unknown.status_code == 400 and list(_error_fields(unknown)) == ["fields.nope"]
    other = api(agent).patch(f"/api/v1/organizations/{org.pk}", {"name": "x"}, format="json")
    assert other.status_code == 400 and "name" in _error_fields(other)
    assert Organization.objects.get(pk=org.pk).fields == {"plan": "free"}


def test_customers_are_created_with_values_and_changes_are_events(api, agent, admin_user):
    define(admin_user, target=CUSTOMER, key="success_manager", label="Success manager")
    created = api(agent).post(
        "/api/v1/customers",
        {"email": "kim@example.com", "fields": {"success_manager": "Ada"}},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["fields"] == {"success_manager": "Ada"}
    customer = Customer.objects.get(email="kim@example.com")
    patched = api(agent).patch(
        f"/api/v1/customers/{customer.pk}", {"fields": {"success_manager": None}}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["fields"] == {}
    assert CustomerEvent.objects.filter(customer=customer).count() == 2
    bad = api(agent).post(
        "/api/v1/customers",
        {"email": "lee@example.com", "fields": {"success_manager": 5}},
        format="json",
    )
    assert bad.status_code == 400 and list(_error_fields(bad)) == ["fields.success_manager"]
    assert not Customer.objects.filter(email="lee@example.com").exists()  # nothing half-made


def test_customers_neither_see_nor_set_values(api, plan):
    org = factories.OrganizationFactory(fields={"plan": "pro"})
    me = factories.CustomerUserFactory()
    Customer.objects.filter(user=me).update(organization=org)
    client = api(me)
    assert "fields" not in client.get(f"/api/v1/organizations/{org.pk}").json()
    response = client.patch(
        f"/api/v1/organizations/{org.pk}", {"fields": {"plan": "free"}}, format="json"
    )
    assert response.status_code in (400, 403)
    assert Organization.objects.get(pk=org.pk).fields == {"plan": "pro"}


def test_the_schema_names_the_new_endpoints(api, admin_user):
    paths = api(admin_user).get("/api/schema/?format=json").json()["paths"]
    assert "/api/v1/organization-fields" in paths and "/api/v1/customer-fields/{id}" in paths
    assert "patch" in paths["/api/v1/organizations/{id}"]
