"""Custom fields on the pages and over the API: the admin's field pages, the header edit, the
portal form, ``fields`` on /api/v1/tickets and ``?field.<key>=``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tickets import services
from tickets.fields.models import FieldChoice, FieldKind, TicketField
from tickets.fields.services import field_save
from tickets.models import EventKind, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return factories.AdminFactory()


@pytest.fixture
def browser_field(admin):
    return field_save(
        field=TicketField(
            key="browser",
            kind=FieldKind.CHOICE,
            label="Browser",
            customer_label="Your browser",
            customer_visible=True,
            customer_editable=True,
        ),
        choices=[{"value": "firefox", "label": "Firefox"}, {"value": "chrome", "label": "Chrome"}],
        by=admin,
    )


@pytest.fixture
def plan_field(admin):
    return field_save(field=TicketField(key="plan", kind=FieldKind.TEXT, label="Plan"), by=admin)


def test_admin_defines_a_choice_field_and_renames_a_choice(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("fields:new"),
        {
            "key": "browser",
            "label": "Browser",
            "kind": "choice",
            "position": "1",
            "active": "on",
            "choices_text": "firefox | Firefox\nchrome | Chrome",
        },
    )
    assert response.status_code == 302, response.content.decode()
    field = TicketField.objects.get()
    client.post(
        reverse("fields:edit", args=[field.pk]),
        {
            "label": "Browser",
            "position": "1",
            "active": "on",
            "choices_text": "firefox | Mozilla Firefox\n-chrome | Chrome",
        },
    )
    choices = {c.value: (c.label, c.retired) for c in FieldChoice.objects.all()}
    assert choices == {"firefox": ("Mozilla Firefox", False), "chrome": ("Chrome", True)}
    page = client.get(reverse("fields:list")).content.decode()
    assert "Mozilla Firefox" in page


def test_a_bad_pattern_is_a_form_error_keeping_the_input(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("fields:new"),
        {"key": "ref", "label": "Reference", "kind": "pattern", "pattern": "(", "position": "1"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "The pattern is not valid" in body and 'value="Reference"' in body


def test_agents_cannot_open_the_field_pages(client, agent):
    client.force_login(agent)
    assert client.get(reverse("fields:list")).status_code == 403


def test_header_edit_of_a_field(client, agent, ticket, browser_field):
    client.force_login(agent)
    url = reverse("workspace:ticket_field_edit", args=[ticket.pk, "browser"])
    header = client.post(url, {"value": "chrome"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="cf-browser"' in header and '<option value="chrome" selected>' in header
    ticket.refresh_from_db()
    assert ticket.fields == {"browser": "chrome"}
    refused = client.post(url, {"value": "lynx"}, HTTP_HX_REQUEST="true").content.decode()
    assert "“lynx” is not one of the choices" in refused
    assert (
        client.post(
            reverse("workspace:ticket_field_edit", args=[ticket.pk, "nope"]), {"value": "x"}
        ).status_code
        == 404
    )
    page = client.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    assert "set Browser to Chrome" in page


def test_portal_form_shows_the_fields_customers_fill_in(client, browser_field, plan_field):
    user = factories.CustomerUserFactory()
    client.force_login(user)
    page = client.get(reverse("portal:new")).content.decode()
    assert "Your browser" in page and "Plan" not in page
    response = client.post(
        reverse("portal:new"),
        {"subject": "Broken", "body": "It breaks", "field_browser": "firefox"},
    )
    assert response.status_code == 302, response.content.decode()
    assert Ticket.objects.get().fields == {"browser": "firefox"}


def test_portal_required_field_is_a_form_error_keeping_the_text(client, browser_field, admin):
    browser_field.required_on_submit = True
    field_save(field=browser_field, by=admin)
    client.force_login(factories.CustomerUserFactory())
    response = client.post(reverse("portal:new"), {"subject": "Broken", "body": "It breaks"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Fill in Browser to send the request." in body and "It breaks" in body


def test_api_sets_reads_and_filters_fields(api, agent, team, browser_field, plan_field):
    customer = factories.CustomerFactory()
    client = api(agent)
    created = client.post(
        "/api/v1/tickets",
        {
            "subject": "Broken",
            "body": "x",
            "requester_id": customer.pk,
            "team_id": team.pk,
            "fields": {"browser": "chrome", "plan": "Gold"},
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["fields"] == {"browser": "chrome", "plan": "Gold"}
    other = factories.TicketFactory(team=team)
    services.ticket_update(ticket=other, by=agent, changes={"fields": {"browser": "firefox"}})
    listed = client.get("/api/v1/tickets?field.browser=chrome").json()["results"]
    assert [row["id"] for row in listed] == [created.json()["id"]]
    bad = client.get("/api/v1/tickets?field.colour=red")
    assert bad.status_code == 400 and "field.colour" in bad.json()["error"]["fields"]
    patched = client.patch(
        f"/api/v1/tickets/{other.pk}", {"fields": {"browser": "opera"}}, format="json"
    )
    assert patched.status_code == 400
    assert patched.json()["error"]["fields"] == {
        "fields.browser": ["Browser: “opera” is not one of the choices."]
    }


def test_customers_see_and_set_only_their_fields(api, browser_field, plan_field, agent):
    user = factories.CustomerUserFactory()
    ticket = factories.TicketFactory(requester=user.customer)
    services.ticket_update(
        ticket=ticket, by=agent, changes={"fields": {"browser": "chrome", "plan": "Gold"}}
    )
    client = api(user)
    assert client.get(f"/api/v1/tickets/{ticket.pk}").json()["fields"] == {"browser": "chrome"}
    assert client.get("/api/v1/tickets?field.plan=Gold").status_code == 400
    refused = client.patch(
        f"/api/v1/tickets/{ticket.pk}", {"fields": {"plan": "Free"}}, format="json"
    )
    assert refused.status_code == 403
    done = client.patch(
        f"/api/v1/tickets/{ticket.pk}", {"fields": {"browser": "firefox"}}, format="json"
    )
    assert done.status_code == 200, done.json()
    assert ticket.events.filter(kind=EventKind.FIELD_CHANGED).count() == 3
