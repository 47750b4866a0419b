"""One rule for every administration page (``accounts.decorators.admin_required``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_an_agent_is_told_what_the_page_is_for_and_who_can_grant_the_role(client, agent):
    factories.AdminFactory(name="Ada Admin", email="ada@example.com")
    factories.AdminFactory(name="Gone Admin", email="gone@example.com", is_active=False)
    client.force_login(agent)
    response = client.get(reverse("webhooks"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "This page is for admins" in html
    assert "Webhooks: the addresses told about ticket events" in html
    assert "Ada Admin" in html and "ada@example.com" in html
    assert "gone@example.com" not in html  # a deactivated admin can't grant anything
    assert html.count("<h1") == 1


def test_customers_and_product_managers_get_the_workspace_404(client):
    for user in (factories.CustomerUserFactory(), factories.ProductManagerFactory()):
        client.force_login(user)
        for name in ("staff:users", "webhooks", "sla:overview", "status"):
            assert client.get(reverse(name)).status_code == 404, (user.role, name)


def test_visitors_are_sent_to_sign_in_and_admins_get_the_page(client):
    url = reverse("staff:branding")
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response.url
    client.force_login(factories.AdminFactory())
    assert client.get(url).status_code == 200
