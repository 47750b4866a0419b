"""The report filter's errors in the reader's language (``reports.filter_form``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("locale", "params", "message"),
    [
        ("de", {"product": "987654"}, "Kein Produkt hat die ID „987654“."),
        ("de", {"version": "x1"}, "Keine Version hat die ID „x1“."),
        ("es", {"component": "x1"}, "Ningún componente tiene el ID «x1»."),
        ("es", {"organization_name": "Nadie"}, "Ninguna organización se llama «Nadie»."),
        ("en", {"product": "987654"}, "No product has the id “987654”."),
    ],
)
def test_a_bad_filter_is_said_in_the_readers_language(client, locale, params, message):
    factories.VersionFactory(product=factories.ProductFactory(name="Cloud"), name="4.1")
    client.force_login(factories.ProductManagerFactory(locale=locale))
    response = client.get(reverse("reports:dashboard"), params)
    assert response.status_code == 400
    assert message in response.content.decode()
