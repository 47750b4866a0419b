"""A ticket's product, version and component: one rule in ``ticket_update`` and
``ticket_create`` (a version or component of the ticket's product), an event per change with a
readable sentence, and the header edit that goes through it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from products.models import VersionStatus
from support.errors import InvalidChange, NotPermitted, ValidationFailed
from tests import factories
from tickets import services
from tickets.models import EventKind, Status
from tickets.workspace.presentation import event_sentence

pytestmark = pytest.mark.django_db


@pytest.fixture
def cloud(db):
    product = factories.ProductFactory(name="Cloud")
    factories.VersionFactory(product=product, name="4.1")
    factories.VersionFactory(product=product, name="4.2")
    factories.ComponentFactory(product=product, name="Exports")
    return product


def _version(product, name):
    return product.versions.get(name=name)


def test_agent_sets_product_and_version_with_an_event_each(ticket, agent, cloud):
    services.ticket_update(
        ticket=ticket,
        by=agent,
        changes={"product": cloud, "version": _version(cloud, "4.1")},
    )
    services.ticket_update(ticket=ticket, by=agent, changes={"version": _version(cloud, "4.2")})
    ticket.refresh_from_db()
    assert (ticket.product, ticket.version.name) == (cloud, "4.2")
    events = list(
        ticket.events.filter(
            kind__in=[EventKind.PRODUCT_CHANGED, EventKind.VERSION_CHANGED]
        ).order_by("id")
    )
    sentences = [event_sentence(e) for e in events]
    name = agent.display_name
    assert sentences == [
        f"{name} set the product to Cloud",
        f"{name} set the version to 4.1",
        f"{name} changed the version from 4.1 to 4.2",
    ]
    assert events[-1].data == {
        "old_id": _version(cloud, "4.1").pk,
        "new_id": _version(cloud, "4.2").pk,
    }


def test_a_renamed_version_keeps_its_old_name_in_history(ticket, agent, cloud):
    version = _version(cloud, "4.1")
    services.ticket_update(ticket=ticket, by=agent, changes={"product": cloud, "version": version})
    version.name = "4.1 LTS"
    version.save()
    event = ticket.events.get(kind=EventKind.VERSION_CHANGED)
    assert event_sentence(event).endswith("set the version to 4.1")


def test_a_version_of_another_product_is_refused_before_anything_is_written(ticket, agent, cloud):
    other = factories.VersionFactory(name="9.0")
    with pytest.raises(ValidationFailed, match="9.0 is not a version of Cloud") as error:
        services.ticket_update(
            ticket=ticket,
            by=agent,
            changes={"product": cloud, "version": other, "priority": "high"},
        )
    assert error.value.field == "version"
    ticket.refresh_from_db()
    assert ticket.product is None and ticket.priority == "normal"
    assert not ticket.events.filter(kind=EventKind.PRODUCT_CHANGED).exists()


def test_changing_the_product_clears_a_version_and_component_of_the_old_one(ticket, agent, cloud):
    services.ticket_update(
        ticket=ticket,
        by=agent,
        changes={
            "product": cloud,
            "version": _version(cloud, "4.1"),
            "component": cloud.components.get(),
        },
    )
    mobile = factories.ProductFactory(name="Mobile")
    services.ticket_update(ticket=ticket, by=agent, changes={"product": mobile})
    ticket.refresh_from_db()
    assert (ticket.product, ticket.version, ticket.component) == (mobile, None, None)
    cleared = ticket.events.filter(kind=EventKind.VERSION_CHANGED).last()
    assert event_sentence(cleared).endswith("cleared the version (was 4.1)")


def test_customers_cannot_change_the_product(ticket, cloud):
    with pytest.raises(NotPermitted):
        services.ticket_update(ticket=ticket, by=ticket.requester, changes={"product": cloud})


def test_a_closed_ticket_keeps_its_product(ticket, agent, cloud):
    services.ticket_change_status(ticket=ticket, status=Status.SOLVED, by=agent)
    services.ticket_change_status(ticket=ticket, status=Status.CLOSED, by=agent)
    with pytest.raises(InvalidChange):
        services.ticket_update(ticket=ticket, by=agent, changes={"product": cloud})


def test_customer_files_for_a_product_but_not_an_end_of_life_version(customer, cloud):
    version = _version(cloud, "4.2")
    ticket = services.ticket_create(
        requester=customer,
        by=customer,
        subject="Export fails",
        body="It stops at row 10,000.",
        product=cloud,
        version=version,
    )
    assert (ticket.product, ticket.version) == (cloud, version)
    version.status = VersionStatus.END_OF_LIFE
    version.save()
    with pytest.raises(ValidationFailed, match="end of life"):
        services.ticket_create(
            requester=customer, by=customer, subject="x", body="y", product=cloud, version=version
        )
    agent = factories.AgentFactory()
    filed = services.ticket_create(
        requester=customer, by=agent, subject="x", body="y", product=cloud, version=version
    )
    assert filed.version == version


def test_deleting_a_version_tickets_name_is_refused_with_the_count(ticket, agent, cloud):
    from products.services import version_delete

    version = _version(cloud, "4.1")
    services.ticket_update(ticket=ticket, by=agent, changes={"product": cloud, "version": version})
    with pytest.raises(InvalidChange, match="used by 1 ticket:"):
        version_delete(version=version, by=factories.AdminFactory())


def test_header_edit_sets_the_product_and_offers_its_versions(client, agent, ticket, cloud):
    client.force_login(agent)
    url = reverse("workspace:ticket_edit", args=[ticket.pk, "product"])
    header = client.post(url, {"value": str(cloud.pk)}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="f-version"' in header and ">4.2<" in header and ">Exports<" in header
    version_url = reverse("workspace:ticket_edit", args=[ticket.pk, "version"])
    client.post(version_url, {"value": str(_version(cloud, "4.2").pk)}, HTTP_HX_REQUEST="true")
    ticket.refresh_from_db()
    assert ticket.version.name == "4.2"
    other = factories.VersionFactory(name="7.7")
    refused = client.post(version_url, {"value": str(other.pk)}, HTTP_HX_REQUEST="true")
    assert "7.7 is not a version of Cloud" in refused.content.decode()
    page = client.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    assert "set the version to 4.2" in page
