"""The portal's request form with ticket forms: the customer chooses "Bug report" or "Billing
question" (htmx swaps the fields), sees the chosen form's fields under their customer labels,
and a missing or bad value is a form error with nothing typed lost."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.portal.conftest import link_path
from tests.tickets.form_setup import make_forms
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(db):
    return make_forms()


@pytest.fixture
def signed_in(client):
    client.force_login(factories.CustomerUserFactory())
    return client


def test_the_first_form_is_chosen_and_shows_its_fields_as_customers_read_them(signed_in, setup):
    page = signed_in.get(reverse("portal:new")).content.decode()
    assert 'name="form"' in page and ">Bug report<" in page and ">Billing question<" in page
    assert "Bug report: Something doesn&#x27;t work." in page
    assert "Your browser *" in page and "The one you saw it in." in page
    assert "Version *" in page and 'name="version"' in page
    assert "field_invoice" not in page


def test_choosing_another_form_swaps_the_fields_keeping_shared_values(signed_in, setup):
    url = reverse("portal:form-fields")
    billing = signed_in.get(f"{url}?form={setup.billing.pk}&field_invoice=INV-77").content
    billing = billing.decode()
    assert 'id="form-fields"' in billing and 'name="field_invoice"' in billing
    assert 'value="INV-77"' in billing and "field_browser" not in billing
    assert 'name="product"' not in billing
    bug = signed_in.get(f"{url}?form={setup.bug.pk}&field_browser=chrome").content.decode()
    assert 'value="chrome" selected' in bug and 'name="product"' in bug


def test_a_customer_files_a_bug_through_the_form(signed_in, setup):
    response = signed_in.post(
        reverse("portal:new"),
        {
            "form": setup.bug.pk,
            "subject": "Export crashes",
            "body": "Every time",
            "product": setup.cloud.pk,
            "version": setup.v42.pk,
            "field_browser": "chrome",
        },
    )
    assert response.status_code == 302, response.content.decode()
    ticket = Ticket.objects.get()
    assert (ticket.form, ticket.version, ticket.fields) == (
        setup.bug,
        setup.v42,
        {"browser": "chrome"},
    )


def test_a_missing_required_version_is_a_form_error_keeping_what_was_typed(signed_in, setup):
    response = signed_in.post(
        reverse("portal:new"),
        {
            "form": setup.bug.pk,
            "subject": "Export crashes",
            "body": "Every time I export",
            "product": setup.cloud.pk,
            "field_browser": "chrome",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Fill in Version to send the request." in page
    assert 'value="Export crashes"' in page and "Every time I export" in page
    assert 'value="chrome" selected' in page
    assert not Ticket.objects.exists()


def test_a_bad_invoice_number_is_named_on_the_billing_form(signed_in, setup):
    response = signed_in.post(
        reverse("portal:new"),
        {
            "form": setup.billing.pk,
            "subject": "Charged twice",
            "body": "See invoice",
            "field_invoice": "12",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "doesn&#x27;t have the expected form" in page and 'value="12"' in page
    assert f'<option value="{setup.billing.pk}" selected>' in page


def test_a_signed_out_request_keeps_its_form_until_confirmed(client, setup):
    response = client.post(
        reverse("portal:new"),
        {
            "email": "pat@example.com",
            "form": setup.billing.pk,
            "subject": "Charged twice",
            "body": "See invoice",
            "field_invoice": "INV-1234",
        },
    )
    assert response.status_code == 200, response.content.decode()
    client.post(link_path("portal_confirm_submission", "pat@example.com"))
    ticket = Ticket.objects.get()
    assert (ticket.form, ticket.fields) == (setup.billing, {"invoice": "INV-1234"})


def test_without_forms_the_page_asks_for_every_field_customers_fill_in(signed_in, setup):
    setup.bug.delete()
    setup.billing.delete()
    page = signed_in.get(reverse("portal:new")).content.decode()
    assert 'name="form"' not in page
    assert 'name="field_browser"' in page and 'name="field_invoice"' in page


def test_a_form_for_agents_only_is_never_shown_in_the_portal(client, setup):
    setup.billing.customer_visible = False
    setup.billing.save()
    url = reverse("portal:form-fields")
    page = client.get(f"{url}?form={setup.billing.pk}").content.decode()  # signed out
    assert "field_invoice" not in page and 'name="field_browser"' in page
    assert "Billing question" not in client.get(reverse("portal:new")).content.decode()
