"""The catalog pages: who opens them, saving through the service, refusals on the page, and a
constant number of queries however big the catalog is."""

from __future__ import annotations

import pytest
from django.urls import reverse

from products.models import Product, Version
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm(db):
    return factories.ProductManagerFactory()


def test_product_manager_creates_a_product_and_adds_a_version_and_component(client, pm):
    client.force_login(pm)
    response = client.post(
        reverse("products:new"),
        {"name": "Acme Cloud", "slug": "", "description": "", "manager": pm.pk, "active": "on"},
    )
    product = Product.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("products:edit", args=[product.pk])
    assert product.slug == "acme-cloud"
    response = client.post(
        reverse("products:version_new", args=[product.pk]),
        {
            "version-name": "1.0",
            "version-released_on": "2026-02-01",
            "version-status": "supported",
            "version-release_notes_url": "example.com/notes",
        },
    )
    assert response.status_code == 302
    assert Version.objects.get().release_notes_url == "https://example.com/notes"
    client.post(
        reverse("products:component_new", args=[product.pk]),
        {"component-name": "Exports", "component-active": "on"},
    )
    page = client.get(reverse("products:edit", args=[product.pk])).content.decode()
    assert "1.0" in page and "Exports" in page


def test_a_duplicate_version_is_a_form_error_with_what_was_typed(client, pm):
    version = factories.VersionFactory(name="2.0")
    client.force_login(pm)
    response = client.post(
        reverse("products:version_new", args=[version.product_id]),
        {"version-name": "2.0", "version-status": "supported", "version-released_on": ""},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "already has a version with this name" in body
    assert 'value="2.0"' in body


def test_agents_read_the_list_but_cannot_edit(client, agent):
    product = factories.ProductFactory(name="Acme")
    client.force_login(agent)
    page = client.get(reverse("products:list"))
    assert page.status_code == 200 and "Acme" in page.content.decode()
    assert client.get(reverse("products:edit", args=[product.pk])).status_code == 404
    assert client.post(reverse("products:delete", args=[product.pk])).status_code == 404
    assert Product.objects.exists()


def test_customers_and_visitors_are_kept_out(client):
    assert client.get(reverse("products:list")).status_code == 302
    client.force_login(factories.CustomerUserFactory())
    assert client.get(reverse("products:list")).status_code == 404


def test_options_follow_the_product_and_hide_end_of_life_from_customers(client, agent):
    product = factories.ProductFactory()
    factories.VersionFactory(product=product, name="9.9", status="end_of_life")
    factories.VersionFactory(product=product, name="10.0")
    factories.ComponentFactory(product=product, name="Exports")
    factories.VersionFactory(name="other-product")
    url = reverse("products:options") + f"?product={product.pk}"
    public = client.get(url).content.decode()
    assert "10.0" in public and "Exports" in public
    assert "9.9" not in public and "other-product" not in public
    client.force_login(agent)
    assert "9.9 (end of life)" in client.get(url).content.decode()
    assert "Choose a product first" in client.get(reverse("products:options")).content.decode()


def test_list_and_edit_pages_query_count_is_flat(client, pm, django_assert_max_num_queries):
    client.force_login(pm)
    for _ in range(2):
        product = factories.ProductFactory(manager=pm)
        for _ in range(3):
            factories.VersionFactory(product=product)
            factories.ComponentFactory(product=product)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("products:list")).status_code == 200
    for _ in range(10):
        factories.ProductFactory(manager=factories.ProductManagerFactory())
        factories.VersionFactory(product=product)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("products:list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("products:edit", args=[product.pk])).status_code == 200


def test_the_product_page_shows_each_versions_tickets(client, db):
    """Each version row counts its tickets, links to the queue of them and names the newest."""
    from tests import factories as f

    admin = f.AdminFactory()
    product = f.ProductFactory(name="Cloud")
    old, new = f.VersionFactory(product=product, name="1.0"), f.VersionFactory(product=product)
    ticket = f.TicketFactory(product=product, version=new, subject="Export crashes on 2.0")
    client.force_login(admin)
    page = client.get(f"/products/{product.pk}/").content.decode()
    assert f"?version={new.pk}" in page and f"1 ticket about {new.name}" in page
    assert f"#{ticket.pk} Export crashes on 2.0" in page
    assert f"?version={old.pk}" not in page
