"""Ticket forms on pages: the admin's list and editor (admins only; a bad form comes back with
everything ticked), and the agent's New ticket page (choose a form, its fields appear; a bad
value is an error at the field with what was typed kept)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.tickets.form_setup import make_forms
from tickets.fields.models import TicketForm
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(db):
    return make_forms()


def test_only_admins_reach_the_form_pages(client, agent, setup):
    client.force_login(agent)
    assert client.get(reverse("fields:form_list")).status_code in (302, 403, 404)
    assert client.get(reverse("fields:form_edit", args=[setup.bug.pk])).status_code in (
        302,
        403,
        404,
    )
    client.force_login(factories.CustomerUserFactory())
    assert client.get(reverse("fields:form_new")).status_code in (302, 403, 404)


def test_the_list_shows_each_form_with_its_fields_and_use(client, setup):
    client.force_login(setup.admin)
    page = client.get(reverse("fields:form_list")).content.decode()
    assert "Bug report" in page and "Product, Version, Browser" in page
    assert "Billing question" in page and "Invoice number" in page


def test_an_admin_makes_a_form_with_fields_in_the_order_typed(client, setup):
    client.force_login(setup.admin)
    response = client.post(
        reverse("fields:form_new"),
        {
            "name": "Crash",
            "position": "5",
            "customer_visible": "on",
            "active": "on",
            "keys": ["product", "version", "component", "browser", "invoice"],
            "on_browser": "on",
            "order_browser": "1",
            "on_product": "on",
            "order_product": "2",
            "on_version": "on",
            "order_version": "3",
            "required_version": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    form = TicketForm.objects.get(name="Crash")
    assert [(i.key, i.required) for i in form.items.all()] == [
        ("browser", False),
        ("product", False),
        ("version", True),
    ]


def test_a_bad_form_comes_back_with_the_ticks_kept(client, setup):
    client.force_login(setup.admin)
    response = client.post(
        reverse("fields:form_new"),
        {
            "name": "Half",
            "position": "5",
            "keys": ["product", "version", "browser"],
            "on_version": "on",
            "required_version": "on",
            "order_version": "7",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Version needs Product before it on the form" in page
    assert 'value="Half"' in page
    assert 'name="on_version" id="on_version" checked' in page and 'value="7"' in page
    assert not TicketForm.objects.filter(name="Half").exists()


def test_deleting_a_used_form_is_refused_with_the_count(client, setup, customer):
    Ticket.objects.filter(pk=factories.TicketFactory().pk).update(form=setup.bug)
    client.force_login(setup.admin)
    response = client.post(reverse("fields:form_delete", args=[setup.bug.pk]), follow=True)
    assert "used by 1 ticket: archive it instead" in response.content.decode()
    assert TicketForm.objects.filter(pk=setup.bug.pk).exists()


NEW = "/agent/tickets/new/"


def _new(client, customer, data):
    base = {
        "requester_kind": "existing",
        "requester": customer.email,
        "subject": "Crash on export",
        "body": "Called: export crashes.",
        "message_kind": "reply",
        "priority": "normal",
        "type": "incident",
        "team": "",
        "assignee": "",
        "tags": "",
    }
    return client.post(NEW, {**base, **data})


def test_the_new_ticket_page_offers_forms_and_swaps_in_their_fields(client, agent, setup):
    client.force_login(agent)
    page = client.get(NEW).content.decode()
    assert 'id="nt-form"' in page and ">Bug report<" in page and ">Billing question<" in page
    fields = client.get(
        reverse("workspace:new_ticket_form_fields") + f"?form={setup.bug.pk}&field_browser=chrome"
    ).content.decode()
    assert 'name="field_browser"' in fields and 'value="chrome" selected' in fields
    assert "Internet Explorer" not in fields  # retired
    billing = client.get(
        reverse("workspace:new_ticket_form_fields") + f"?form={setup.billing.pk}"
    ).content.decode()
    assert 'name="field_invoice"' in billing and "field_browser" not in billing


def test_an_agent_files_through_a_form(client, agent, customer, setup):
    client.force_login(agent)
    response = _new(client, customer, {"form": setup.bug.pk, "field_browser": "firefox"})
    assert response.status_code == 302, response.content.decode()
    ticket = Ticket.objects.get()
    assert (ticket.form, ticket.fields) == (setup.bug, {"browser": "firefox"})


def test_a_bad_value_is_an_error_at_the_field_keeping_what_was_typed(
    client, agent, customer, setup
):
    client.force_login(agent)
    response = _new(client, customer, {"form": setup.billing.pk, "field_invoice": "1234"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Invoice number: “1234” doesn&#x27;t have the expected form." in page or (
        "Invoice number: “1234” doesn't have the expected form." in page
    )
    assert 'value="1234"' in page and "Called: export crashes." in page
    assert f'<option value="{setup.billing.pk}" selected>' in page
    assert not Ticket.objects.exists()


def test_an_unknown_form_is_an_error_at_the_form_choice(client, agent, customer, setup):
    client.force_login(agent)
    response = _new(client, customer, {"form": "99999"})
    assert response.status_code == 400
    assert "Choose a form from the list." in response.content.decode()


def test_an_agent_changes_the_form_in_the_ticket_header(client, agent, team, setup):
    ticket = factories.TicketFactory(team=team)
    client.force_login(agent)
    page = client.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    assert 'id="cf-form"' in page and ">Billing question<" in page
    url = reverse("workspace:ticket_field_edit", args=[ticket.pk, "form"])
    header = client.post(url, {"value": setup.billing.pk}, HTTP_HX_REQUEST="true")
    assert f'<option value="{setup.billing.pk}" selected>' in header.content.decode()
    ticket.refresh_from_db()
    assert ticket.form == setup.billing
    assert ticket.events.filter(field="form", new="Billing question").exists()
    bad = client.post(url, {"value": "99999"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Choose a form from the list." in bad
    client.post(url, {"value": ""}, HTTP_HX_REQUEST="true")
    ticket.refresh_from_db()
    assert ticket.form is None
