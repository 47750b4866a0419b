"""``/api/v1/products``, ``product-versions`` and ``product-components``: reading for agents and
product managers, writes for admins and product managers, the same refusals as the pages."""

from __future__ import annotations

import pytest
import requests

from accounts.tokens import api_token_create
from products.models import Product, Version
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm(db):
    return factories.ProductManagerFactory()


def test_product_manager_builds_a_product_with_versions_and_components(api, pm):
    client = api(pm)
    created = client.post(
        "/api/v1/products", {"name": "Acme Cloud", "manager_id": pm.pk}, format="json"
    )
    assert created.status_code == 201, created.json()
    product = created.json()
    assert product["slug"] == "acme-cloud"
    assert created["Location"] == f"/api/v1/products/{product['id']}"
    for name, day in (("1.0", "2026-01-10"), ("2.0", "2026-06-01")):
        version = client.post(
            "/api/v1/product-versions",
            {"product_id": product["id"], "name": name, "released_on": day},
            format="json",
        )
        assert version.status_code == 201, version.json()
    component = client.post(
        "/api/v1/product-components",
        {"product_id": product["id"], "name": "Exports"},
        format="json",
    )
    assert component.status_code == 201, component.json()
    read = client.get(f"/api/v1/products/{product['id']}").json()
    assert [v["name"] for v in read["versions"]] == ["2.0", "1.0"]
    assert [c["name"] for c in read["components"]] == ["Exports"]

    changed = client.patch(
        f"/api/v1/product-versions/{read['versions'][1]['id']}",
        {"status": "deprecated"},
        format="json",
    )
    assert changed.json()["status"] == "deprecated"
    listed = client.get(f"/api/v1/product-versions?product={product['id']}&status=deprecated")
    assert [v["name"] for v in listed.json()["results"]] == ["1.0"]


def test_agents_read_but_cannot_write(api, agent):
    product = factories.ProductFactory()
    client = api(agent)
    assert client.get("/api/v1/products").json()["results"][0]["id"] == product.pk
    refused = client.post("/api/v1/products", {"name": "Mine"}, format="json")
    assert refused.status_code == 403
    assert client.delete(f"/api/v1/products/{product.pk}").status_code == 403


def test_customers_do_not_see_the_catalog(api):
    factories.ProductFactory()
    user = factories.CustomerUserFactory()
    assert api(user).get("/api/v1/products").status_code == 404
    assert api().get("/api/v1/products").status_code == 401


def test_bad_input_names_the_field(api, pm):
    client = api(pm)
    product = factories.ProductFactory(name="Acme")
    duplicate = client.post("/api/v1/products", {"name": "acme"}, format="json")
    assert duplicate.status_code == 409
    assert "already exists" in str(duplicate.json())
    unknown = client.post(
        "/api/v1/product-versions", {"product_id": 999999, "name": "1"}, format="json"
    )
    assert unknown.status_code == 404
    assert "product_id" in str(unknown.json())
    extra = client.post("/api/v1/products", {"name": "B", "colour": "red"}, format="json")
    assert extra.status_code == 400
    assert "colour" in str(extra.json())
    version = factories.VersionFactory(product=product)
    moved = client.patch(
        f"/api/v1/product-versions/{version.pk}",
        {"product_id": factories.ProductFactory().pk},
        format="json",
    )
    # Another product than the stored one: a conflict with what is stored (the schema can't
    # know it), 409 naming the field; its own product_id, sent back as read, is taken.
    assert moved.status_code == 409 and "product_id" in moved.json()["error"]["fields"]
    same = client.patch(
        f"/api/v1/product-versions/{version.pk}",
        {"product_id": product.pk, "name": "2.0"},
        format="json",
    )
    assert same.status_code == 200 and same.json()["name"] == "2.0"


def test_delete_an_unused_version(api, pm):
    version = factories.VersionFactory()
    assert api(pm).delete(f"/api/v1/product-versions/{version.pk}").status_code == 204
    assert not Version.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_catalog_over_real_http(live_server):
    pm = factories.ProductManagerFactory()
    _, raw = api_token_create(user=pm, name="catalog sync")
    headers = {"Authorization": f"Bearer {raw}"}
    created = requests.post(
        f"{live_server.url}/api/v1/products",
        json={"name": "Acme Mobile", "description": "The phone app"},
        headers=headers,
        timeout=10,
    )
    assert created.status_code == 201, created.text
    listed = requests.get(
        f"{live_server.url}/api/v1/products?q=mobile", headers=headers, timeout=10
    )
    assert [p["slug"] for p in listed.json()["results"]] == ["acme-mobile"]
    assert Product.objects.get().description == "The phone app"


@pytest.mark.parametrize(
    ("link", "taken"),
    [
        ("https://example.com/releases/2.1", True),
        ("http://127.0.0.1:8000/notes?v=2#top", True),
        ("", True),
        ("https://example.com:99999/", False),
        ("https://user:pw@example.com/", False),
        ("ftp://example.com/", False),
        (" https://example.com/", False),
        ("https://a.b", False),
    ],
)
def test_a_release_notes_link_is_taken_exactly_as_the_schema_pattern_says(api, pm, link, taken):
    import re

    product = factories.ProductFactory(manager=pm)
    schema = api(pm).get("/api/schema/?format=json").json()
    prop = schema["components"]["schemas"]["VersionInputRequest"]["properties"]["release_notes_url"]
    pattern = prop["anyOf"][0]["pattern"]
    assert bool(link == "" or re.search(pattern, link)) is taken
    response = api(pm).post(
        "/api/v1/product-versions",
        {"product_id": product.pk, "name": "2.1", "release_notes_url": link},
        format="json",
    )
    assert response.status_code == (201 if taken else 400), response.json()
