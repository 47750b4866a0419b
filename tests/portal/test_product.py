"""The request form's product, version and component: the lists follow the product, the choice
reaches the ticket (also through a held signed-out submission), and a wrong pick is a form error
that keeps what was typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from products.models import VersionStatus
from tests import factories
from tests.portal.conftest import link_path
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def cloud(db):
    product = factories.ProductFactory(name="Cloud")
    factories.VersionFactory(product=product, name="4.2")
    factories.VersionFactory(product=product, name="3.9", status=VersionStatus.END_OF_LIFE)
    factories.ComponentFactory(product=product, name="Exports")
    return product


@pytest.fixture
def signed_in(client):
    user = factories.CustomerUserFactory()
    client.force_login(user)
    return client


def test_no_products_no_product_fields(signed_in):
    page = signed_in.get(reverse("portal:new")).content.decode()
    assert 'name="product"' not in page


def test_customer_files_a_request_about_a_version_and_component(signed_in, cloud):
    page = signed_in.get(reverse("portal:new")).content.decode()
    assert ">Cloud<" in page and 'id="product-parts"' in page
    version = cloud.versions.get(name="4.2")
    response = signed_in.post(
        reverse("portal:new"),
        {
            "subject": "Export stops",
            "body": "At row 10,000",
            "product": cloud.pk,
            "version": version.pk,
            "component": cloud.components.get().pk,
        },
    )
    assert response.status_code == 302, response.content.decode()
    ticket = Ticket.objects.get()
    assert (ticket.product, ticket.version, ticket.component.name) == (cloud, version, "Exports")


def test_a_version_of_another_product_is_a_form_error_keeping_the_text(signed_in, cloud):
    other = factories.VersionFactory(name="8.8")
    response = signed_in.post(
        reverse("portal:new"),
        {
            "subject": "Export stops",
            "body": "At row 10,000",
            "product": cloud.pk,
            "version": other.pk,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Pick a version of the product from the list." in page
    assert "At row 10,000" in page and 'value="Export stops"' in page
    assert not Ticket.objects.exists()


def test_the_parts_follow_the_product_and_leave_out_end_of_life(client, cloud):
    page = client.get(reverse("portal:product-parts") + f"?product={cloud.pk}").content.decode()
    assert ">4.2<" in page and ">Exports<" in page and "3.9" not in page
    empty = client.get(reverse("portal:product-parts") + "?product=x").content.decode()
    assert "Choose a product first." in empty and "4.2" not in empty


def test_a_signed_out_request_keeps_its_product_until_confirmed(client, cloud):
    version = cloud.versions.get(name="4.2")
    client.post(
        reverse("portal:new"),
        {
            "email": "walkin@example.org",
            "subject": "Hi",
            "body": "Help",
            "product": cloud.pk,
            "version": version.pk,
        },
    )
    client.post(link_path("portal_confirm_submission", "walkin@example.org"))
    ticket = Ticket.objects.get()
    assert (ticket.product, ticket.version) == (cloud, version)


def test_the_ticket_page_says_what_it_is_about_without_internal_fields(signed_in, cloud):
    from tickets import services as ticket_services
    from tickets.fields.models import TicketField

    TicketField.objects.create(key="browser", label="Browser", customer_visible=True)
    TicketField.objects.create(key="plan", label="Internal plan")
    agent = factories.AgentFactory()
    customer = signed_in.get(reverse("portal:home")).wsgi_request.user.customer
    ticket = ticket_services.ticket_create(
        requester=customer,
        by=agent,
        subject="Export stops",
        body="x",
        product=cloud,
        version=cloud.versions.get(name="4.2"),
        fields={"browser": "Firefox 128", "plan": "Gold"},
    )
    page = signed_in.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert "<dt>Product</dt><dd>Cloud</dd>" in page
    assert "<dt>Version</dt><dd>4.2</dd>" in page
    assert "<dt>Browser</dt><dd>Firefox 128</dd>" in page
    assert "Internal plan" not in page and "Gold" not in page
