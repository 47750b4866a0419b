"""A customer's refused request in their language on the portal; the API says it in English."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.tickets.form_setup import make_forms
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_a_missing_field_is_spanish_on_the_portal_and_english_in_the_api(client, api):
    setup = make_forms()
    user = factories.CustomerUserFactory()
    user.customer.locale = "es"
    user.customer.save()
    client.force_login(user)
    response = client.post(
        reverse("portal:new"),
        {
            "form": setup.bug.pk,
            "subject": "La exportación falla",
            "body": "Cada vez que exporto",
            "product": setup.cloud.pk,
            "field_browser": "chrome",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Rellene " in page and " para enviar la solicitud." in page
    assert "to send the request" not in page
    answer = api(user).post(
        "/api/v1/tickets",
        {
            "subject": "Crash",
            "body": "On export",
            "form_id": setup.bug.pk,
            "product_id": setup.cloud.pk,
            "fields": {"browser": "firefox"},
        },
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == {
        "version_id": ["Fill in Version to send the request."]
    }
    assert not Ticket.objects.exists()
