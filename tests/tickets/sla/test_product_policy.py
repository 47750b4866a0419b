"""SLA policies that apply to products: matched on create and again when the product changes;
set from the policy page and the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from support import clock
from tests import factories
from tickets import services
from tickets.sla.models import SlaPolicy

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def policies(db):
    cal = factories.BusinessCalendarFactory(always_open=True)
    factories.SlaPolicyFactory(
        name="Default", is_default=True, calendar=cal, first_response_minutes=480
    )
    cloud = factories.ProductFactory(name="Cloud")
    premium = factories.SlaPolicyFactory(
        name="Cloud", position=1, calendar=cal, products=[cloud.pk], first_response_minutes=30
    )
    return cloud, premium


def test_a_ticket_about_the_product_gets_its_policy(policies, customer, agent):
    cloud, premium = policies
    with clock.travel(T0):
        about = services.ticket_create(requester=customer, subject="Down", body="x", product=cloud)
        other = services.ticket_create(requester=customer, subject="Down", body="x")
    assert about.sla.policy == premium
    assert about.first_response_due_at == T0 + timedelta(minutes=30)
    assert other.sla.policy.name == "Default"
    with clock.travel(T0 + timedelta(minutes=5)):
        services.ticket_update(ticket=other, by=agent, changes={"product": cloud})
    other.refresh_from_db()
    assert other.sla.policy == premium


def test_the_policy_page_and_the_api_set_products(client, api, policies):
    cloud, premium = policies
    admin = factories.AdminFactory()
    mobile = factories.ProductFactory(name="Mobile")
    client.force_login(admin)
    page = client.get(reverse("sla:policy_edit", args=[premium.pk])).content.decode()
    assert f'<option value="{cloud.pk}" selected>Cloud</option>' in page
    response = api(admin).patch(
        f"/api/v1/sla-policies/{premium.pk}", {"product_ids": [mobile.pk]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["product_ids"] == [mobile.pk]
    assert SlaPolicy.objects.get(pk=premium.pk).products == [mobile.pk]
    missing = api(admin).patch(
        f"/api/v1/sla-policies/{premium.pk}", {"product_ids": [999999]}, format="json"
    )
    assert missing.status_code == 404  # an id naming nothing (docs/api.md, "Contract")
