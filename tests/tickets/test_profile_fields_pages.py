"""Organization and customer fields on the pages: the admin's field pages, in-place editing on
the organization's and the contact's pages (htmx, errors beside the field, what was typed
kept), and the values in the ticket's sidebar at no extra query per field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from customers import fields as profile
from customers.models import CustomerEvent, Organization, ProfileField
from support.customfields import FieldKind
from tests import factories
from tests.customers.profile_setup import CUSTOMER, define, define_plan

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def admin():
    return factories.AdminFactory()


@pytest.fixture
def org():
    return factories.OrganizationFactory(name="Acme Robotics")


def test_admin_defines_an_organization_field_on_the_page(client, admin):
    client.force_login(admin)
    assert client.get(reverse("fields:profile_list")).status_code == 200
    form = client.get(reverse("fields:profile_new") + "?for=organization")
    assert form.context["form"]["applies_to"].value() == "organization"
    response = client.post(
        reverse("fields:profile_new"),
        {
            "applies_to": "organization",
            "key": "plan",
            "label": "Plan",
            "kind": "choice",
            "position": "1",
            "active": "on",
            "choices_text": "free | Free\npro | Pro",
        },
    )
    assert response.status_code == 302, response.content.decode()
    field = ProfileField.objects.get()
    assert (field.applies_to, field.key, field.kind) == ("organization", "plan", "choice")
    page = client.get(reverse("fields:profile_list")).content.decode()
    assert "organization.plan" in page and "Free, Pro" in page


def test_a_refused_definition_is_shown_on_the_form_with_what_was_typed(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("fields:profile_new"),
        {
            "applies_to": "customer",
            "key": "tier",
            "label": "Tier",
            "kind": "choice",
            "position": "1",
            "choices_text": "",
        },
    )
    assert response.status_code == 400
    assert "needs at least one choice" in response.content.decode()
    assert response.context["form"]["label"].value() == "Tier"
    assert not ProfileField.objects.exists()


def test_only_admins_reach_the_field_pages(client, agent):
    client.force_login(agent)
    assert client.get(reverse("fields:profile_list")).status_code in (403, 404)
    client.force_login(factories.CustomerUserFactory())
    assert client.get(reverse("fields:profile_new")).status_code in (302, 403, 404)


def test_agent_sets_an_organization_value_in_place(client, agent, admin, org):
    define_plan(admin)
    client.force_login(agent)
    page = client.get(reverse("people:organization", args=[org.pk])).content.decode()
    assert 'id="pf-plan"' in page and "Organization fields" in page
    url = reverse("people:organization_field", args=[org.pk, "plan"])
    response = client.post(url, {"value": "pro"}, **HTMX)
    assert response.status_code == 200
    assert "Saved." in response.content.decode()
    assert Organization.objects.get(pk=org.pk).fields == {"plan": "pro"}


def test_a_bad_value_is_an_error_beside_the_field_and_nothing_typed_is_lost(
    client, agent, admin, org
):
    define(admin, key="seats", kind=FieldKind.NUMBER, label="Seats")
    client.force_login(agent)
    url = reverse("people:organization_field", args=[org.pk, "seats"])
    response = client.post(url, {"value": "twelve"}, **HTMX)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Seats: “twelve” is not a whole number." in body
    assert 'value="twelve"' in body and 'aria-invalid="true"' in body
    assert Organization.objects.get(pk=org.pk).fields == {}
    # Without htmx: back to the page with the message.
    plain = client.post(url, {"value": "twelve"})
    assert plain.status_code == 302


def test_agent_sets_a_contacts_value_and_it_is_recorded(client, agent, admin):
    define(admin, target=CUSTOMER, key="success_manager", label="Success manager")
    contact = factories.CustomerFactory()
    client.force_login(agent)
    url = reverse("people:customer_field", args=[contact.pk, "success_manager"])
    assert client.post(url, {"value": "Ada Lovelace"}, **HTMX).status_code == 200
    event = CustomerEvent.objects.get(customer=contact)
    assert event.kind == CustomerEvent.Kind.FIELDS_CHANGED and event.by == agent


def test_unknown_fields_and_customers_are_refused(client, agent, admin, org):
    define_plan(admin)
    client.force_login(agent)
    missing = reverse("people:organization_field", args=[org.pk, "nope"])
    assert client.post(missing, {"value": "x"}, **HTMX).status_code == 404
    client.force_login(factories.CustomerUserFactory())
    url = reverse("people:organization_field", args=[org.pk, "plan"])
    assert client.post(url, {"value": "pro"}, **HTMX).status_code in (302, 403, 404)
    assert Organization.objects.get(pk=org.pk).fields == {}


def test_ticket_sidebar_shows_the_requesters_and_organizations_values(
    client, agent, admin, team, org, django_assert_max_num_queries
):
    define_plan(admin)
    define(admin, key="region", label="Region")
    define(admin, target=CUSTOMER, key="success_manager", label="Success manager")
    contact = factories.CustomerFactory(organization=org)
    profile.organization_set_fields(
        organization=org, values={"plan": "enterprise", "region": "EMEA"}, by=agent
    )
    profile.customer_set_fields(customer=contact, values={"success_manager": "Ada"}, by=agent)
    ticket = factories.TicketFactory(team=team, requester=contact, organization=org)
    client.force_login(agent)
    url = reverse("workspace:ticket", args=[ticket.pk])
    page = client.get(url).content.decode()
    assert "<dt>Plan</dt><dd>Enterprise</dd>" in page
    assert "<dt>Region</dt><dd>EMEA</dd>" in page
    assert "<dt>Success manager</dt><dd>Ada</dd>" in page
    with django_assert_max_num_queries(40) as warm:
        client.get(url)
    budget = len(warm.captured_queries)
    # More fields with values cost no query per field.
    for n in range(5):
        define(admin, key=f"extra{n}")
    profile.organization_set_fields(
        organization=org, values={f"extra{n}": f"v{n}" for n in range(5)}, by=agent
    )
    client.get(url)  # the field definitions are read once into the process's cache
    with django_assert_max_num_queries(budget):
        page = client.get(url).content.decode()
    assert "<dd>v4</dd>" in page
