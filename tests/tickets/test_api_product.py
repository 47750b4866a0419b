"""Tickets' product, version and component over ``/api/v1/tickets``: set on create (customers
too, within what is offered), changed by PATCH, filtered by, and refused with the API's field
names."""

from __future__ import annotations

import pytest

from tests import factories
from tickets.models import EventKind, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def cloud(db):
    product = factories.ProductFactory(name="Cloud")
    factories.VersionFactory(product=product, name="4.1")
    factories.VersionFactory(product=product, name="4.2")
    return product


def test_customer_files_a_ticket_about_a_version(api, cloud):
    user = factories.CustomerUserFactory()
    version = cloud.versions.get(name="4.2")
    response = api(user).post(
        "/api/v1/tickets",
        {"subject": "Crash", "body": "On start", "product_id": cloud.pk, "version_id": version.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["product_id"], body["version_id"], body["component_id"]) == (
        cloud.pk,
        version.pk,
        None,
    )
    assert Ticket.objects.get().version == version


def test_a_version_of_another_product_is_a_400_naming_version_id(api, agent, cloud):
    other = factories.VersionFactory(name="0.9")
    customer = factories.CustomerFactory()
    response = api(agent).post(
        "/api/v1/tickets",
        {
            "subject": "Crash",
            "body": "x",
            "requester_id": customer.pk,
            "product_id": cloud.pk,
            "version_id": other.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "version_id": ["Version 0.9 is not a version of Cloud."]
    }
    assert not Ticket.objects.exists()


def test_agent_patches_the_version_and_filters_by_it(api, agent, team, cloud):
    ticket = factories.TicketFactory(team=team)
    other = factories.TicketFactory(team=team)
    client = api(agent)
    version = cloud.versions.get(name="4.1")
    response = client.patch(
        f"/api/v1/tickets/{ticket.pk}",
        {"product_id": cloud.pk, "version_id": version.pk},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["version_id"] == version.pk
    assert ticket.events.filter(kind=EventKind.VERSION_CHANGED).count() == 1
    listed = client.get(f"/api/v1/tickets?version={version.pk}").json()["results"]
    assert [row["id"] for row in listed] == [ticket.pk]
    by_product = client.get(f"/api/v1/tickets?product={cloud.pk}").json()["results"]
    assert other.pk not in [row["id"] for row in by_product]
    missing = client.patch(f"/api/v1/tickets/{ticket.pk}", {"version_id": 999999}, format="json")
    assert missing.status_code == 404
    assert "version_id" in missing.json()["error"]["fields"]


def test_a_version_the_tickets_stored_product_refuses_is_a_409(api, agent, team, cloud):
    """The schema can't know a ticket's product: a version asked alone for a ticket without one,
    or of another product than the stored one, conflicts with what is stored (it was a 400)."""
    ticket = factories.TicketFactory(team=team)
    client = api(agent)
    version = cloud.versions.get(name="4.1")
    alone = client.patch(f"/api/v1/tickets/{ticket.pk}", {"version_id": version.pk}, format="json")
    assert alone.status_code == 409, alone.json()
    assert alone.json()["error"]["fields"] == {"version_id": ["Choose a product first."]}
    other = factories.VersionFactory(name="0.9")
    client.patch(f"/api/v1/tickets/{ticket.pk}", {"product_id": cloud.pk}, format="json")
    mismatched = client.patch(
        f"/api/v1/tickets/{ticket.pk}", {"version_id": other.pk}, format="json"
    )
    assert mismatched.status_code == 409 and "version_id" in mismatched.json()["error"]["fields"]
    # Both named in the request: the request itself is wrong, a 400 as before.
    both = client.patch(
        f"/api/v1/tickets/{ticket.pk}",
        {"product_id": cloud.pk, "version_id": other.pk},
        format="json",
    )
    assert both.status_code == 400 and "version_id" in both.json()["error"]["fields"]


def test_customers_cannot_change_the_product_by_patch(api, cloud):
    user = factories.CustomerUserFactory()
    ticket = factories.TicketFactory(requester=user.customer)
    response = api(user).patch(
        f"/api/v1/tickets/{ticket.pk}", {"product_id": cloud.pk}, format="json"
    )
    assert response.status_code == 400
    assert "product_id" in response.json()["error"]["fields"]
