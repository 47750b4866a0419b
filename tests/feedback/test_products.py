"""Feedback items belong to a product and a component: the old free "product area" becomes a
component (``manage.py feedback_areas_to_components``), a typed area still finds or adds one,
the list and the API filter by product."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from feedback.models import FeedbackItem
from feedback.services import feedback_item_create, feedback_item_update
from products.models import Component, Product
from support.errors import ValidationFailed
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm(db):
    return factories.ProductManagerFactory()


@pytest.fixture
def cloud(db):
    product = factories.ProductFactory(name="Cloud")
    factories.ComponentFactory(product=product, name="Exports")
    return product


def test_the_command_turns_every_area_into_a_component_without_losing_text(db):
    existing = factories.ComponentFactory(name="Exports")
    items = [
        FeedbackItem.objects.create(title=title, area=area)
        for title, area in (
            ("Faster CSV", "exports"),
            ("SAML", "Authentication"),
            ("OIDC", "authentication "),
            ("Dark mode", ""),
        )
    ]
    call_command("feedback_areas_to_components", stdout=StringIO())
    for item in items:
        item.refresh_from_db()
    csv, saml, oidc, dark = items
    assert (csv.component, csv.product) == (existing, existing.product)
    general = Product.objects.get(slug="general")
    assert saml.component == oidc.component
    assert (saml.component.name, saml.product) == ("Authentication", general)
    assert (oidc.area, dark.area) == ("authentication ", "")  # the text is kept as it was
    assert dark.component is None and dark.product is None
    assert Component.objects.filter(product=general).count() == 1


def test_an_area_finds_the_component_of_the_product_or_adds_one(pm, cloud):
    item = feedback_item_create(title="Faster CSV", area="exports", product=cloud, by=pm)
    assert (item.product, item.component.name, item.area) == (cloud, "Exports", "Exports")
    other = feedback_item_create(title="Widgets", area="Widgets", product=cloud, by=pm)
    assert other.component.product == cloud
    assert cloud.components.filter(name="Widgets").exists()


def test_a_component_of_another_product_is_refused(pm, cloud):
    stray = factories.ComponentFactory(name="Sign-in")
    with pytest.raises(ValidationFailed, match="not a component of Cloud"):
        feedback_item_create(title="X", product=cloud, component=stray, by=pm)


def test_changing_the_product_drops_a_component_of_the_old_one(pm, cloud):
    item = feedback_item_create(title="Faster CSV", area="Exports", product=cloud, by=pm)
    mobile = factories.ProductFactory(name="Mobile")
    feedback_item_update(item=item, by=pm, product=mobile)
    item.refresh_from_db()
    assert (item.product, item.component, item.area) == (mobile, None, "")


def test_the_list_filters_by_product(client, pm, cloud):
    feedback_item_create(title="Faster CSV", area="Exports", product=cloud, by=pm)
    feedback_item_create(title="Dark mode", by=pm)
    client.force_login(pm)
    page = client.get(reverse("feedback:item_list"), {"product": cloud.pk}).content.decode()
    assert "Faster CSV" in page and "Dark mode" not in page
    assert "Cloud · Exports" in page


def test_the_item_form_takes_a_product_and_component(client, pm, cloud):
    client.force_login(pm)
    response = client.post(
        reverse("feedback:item_create"),
        {"title": "Faster CSV", "kind": "feature_request", "product": cloud.pk, "area": "Exports"},
    )
    item = FeedbackItem.objects.get()
    assert response.status_code == 302
    assert (item.product, item.component.name) == (cloud, "Exports")


def test_api_filters_and_sets_product_and_component(api, pm, cloud):
    client = api(pm)
    component = cloud.components.get()
    created = client.post(
        "/api/v1/feedback-items",
        {"title": "Faster CSV", "component_id": component.pk},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["product_id"], body["component_id"], body["area"]) == (
        cloud.pk,
        component.pk,
        "Exports",
    )
    feedback_item_create(title="Dark mode", by=pm)
    listed = client.get(f"/api/v1/feedback-items?product={cloud.pk}").json()["results"]
    assert [row["title"] for row in listed] == ["Faster CSV"]
    stray = factories.ComponentFactory(name="Other")
    refused = client.patch(
        f"/api/v1/feedback-items/{body['id']}", {"component_id": stray.pk}, format="json"
    )
    assert refused.status_code == 400
    assert "component_id" in refused.json()["error"]["fields"]
