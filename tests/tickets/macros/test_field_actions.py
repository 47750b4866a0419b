"""Macros that set custom fields, from the macro page: a list per choice field (with "Clear
it"), a text box for the others; what is saved goes through ``macro_clean_actions``, and an
unknown choice is an error on the page with what was typed kept."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tickets.macros.models import Macro

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields(db):
    factories.TicketFieldFactory(key="browser", kind="choice", choices=["safari", "chrome"])
    factories.TicketFieldFactory(key="seats", kind="number")
    factories.TicketFieldFactory(key="vip", kind="checkbox")


def test_the_macro_page_sets_and_clears_fields(client, agent, fields):
    client.force_login(agent)
    page = client.get(reverse("macros:list")).content.decode()
    assert '<select id="m-field-browser" name="field.browser">' in page
    assert '<option value="safari">Safari</option>' in page
    assert 'id="m-field-seats" type="text" name="field.seats"' in page
    response = client.post(
        reverse("macros:save"),
        {
            "title": "Safari seats",
            "field.browser": "safari",
            "field.seats": "12",
            "field.vip": "__clear__",
        },
    )
    assert response.status_code == 302
    macro = Macro.objects.get()
    assert macro.actions == {"fields": {"browser": "safari", "seats": 12, "vip": None}}
    edit = client.get(reverse("macros:list") + f"?edit={macro.pk}").content.decode()
    assert '<option value="safari" selected>Safari</option>' in edit
    assert 'name="field.seats" value="12"' in edit
    assert '<option value="__clear__" selected>Clear it</option>' in edit


def test_a_bad_value_is_an_error_keeping_the_form(client, agent, fields):
    client.force_login(agent)
    response = client.post(
        reverse("macros:save"), {"title": "Seats", "field.seats": "a dozen", "note": "hi"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not a whole number" in page
    assert 'name="field.seats" value="a dozen"' in page
    assert not Macro.objects.exists()
