"""The queues filter by product, version and component (and saved views keep the filter); the
bulk bar sets a product and version through ``ticket_update``."""

import pytest
from django.urls import reverse

from tests import factories
from tickets import services
from tickets.models import EventKind, SavedView

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def cloud(db):
    product = factories.ProductFactory(name="Cloud")
    factories.VersionFactory(product=product, name="4.1")
    factories.VersionFactory(product=product, name="4.2")
    return product


def _refs(response):
    return {row.pk for row in response.context["page"].rows}


def test_queue_filters_by_product_and_version(signed_in, agent, team, cloud):
    on_41, on_42, none = (factories.TicketFactory(team=team) for _ in range(3))
    for ticket, name in ((on_41, "4.1"), (on_42, "4.2")):
        services.ticket_update(
            ticket=ticket,
            by=agent,
            changes={"product": cloud, "version": cloud.versions.get(name=name)},
        )
    url = reverse("workspace:queue", args=["all"])
    assert _refs(signed_in.get(url, {"product": cloud.pk})) == {on_41.pk, on_42.pk}
    version = cloud.versions.get(name="4.2")
    response = signed_in.get(url, {"version": version.pk})
    assert _refs(response) == {on_42.pk}
    assert f'<option value="{version.pk}" selected>Cloud 4.2</option>' in response.content.decode()
    assert none.pk in _refs(signed_in.get(url))


def test_a_saved_view_keeps_the_version_filter(signed_in, agent, team, cloud):
    version = cloud.versions.get(name="4.1")
    ticket = factories.TicketFactory(team=team)
    services.ticket_update(ticket=ticket, by=agent, changes={"product": cloud, "version": version})
    factories.TicketFactory(team=team)
    signed_in.post(
        reverse("workspace:saved_view_create"),
        {"name": "On 4.1", "filters": f"version={version.pk}"},
    )
    view = SavedView.objects.get(name="On 4.1")
    response = signed_in.get(reverse("workspace:saved_view", args=[view.pk]))
    assert _refs(response) == {ticket.pk}


def test_bulk_sets_product_and_version(signed_in, team, cloud):
    rows = [factories.TicketFactory(team=team) for _ in range(2)]
    version = cloud.versions.get(name="4.2")
    response = signed_in.post(
        reverse("workspace:bulk"),
        {
            "action": "product",
            "ids": [t.pk for t in rows],
            "product": cloud.pk,
            "version": version.pk,
            "back": "/agent/queues/all/",
        },
        follow=True,
    )
    assert "Updated 2 ticket(s)." in response.content.decode()
    for ticket in rows:
        ticket.refresh_from_db()
        assert (ticket.product, ticket.version) == (cloud, version)
        assert ticket.events.filter(kind=EventKind.VERSION_CHANGED).count() == 1


def test_bulk_refuses_a_version_of_another_product_per_ticket(signed_in, team, cloud):
    row = factories.TicketFactory(team=team)
    other = factories.VersionFactory(name="0.1")
    response = signed_in.post(
        reverse("workspace:bulk"),
        {
            "action": "product",
            "ids": [row.pk],
            "product": cloud.pk,
            "version": other.pk,
            "back": "/agent/queues/all/",
        },
        follow=True,
    )
    assert f"#{row.pk}: Version 0.1 is not a version of Cloud." in response.content.decode()
    row.refresh_from_db()
    assert row.product is None
