"""Ticket forms over the API: ``GET /api/v1/ticket-forms`` (customers see what they may choose,
as they read it), ``form_id`` on ``POST`` / ``PATCH /api/v1/tickets`` with field values by key,
and refusals as a 400 naming the field."""

from __future__ import annotations

import pytest

from tests import factories
from tests.tickets.form_setup import make_forms
from tickets.models import EventKind, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(db):
    return make_forms()


def test_agents_list_every_form_with_its_fields(api, agent, setup):
    setup.billing.active = False
    setup.billing.save()
    response = api(agent).get("/api/v1/ticket-forms")
    assert response.status_code == 200
    forms = response.json()["results"]
    assert [f["name"] for f in forms] == ["Bug report", "Billing question"]
    assert forms[0]["fields"] == [
        {"key": "product", "label": "Product", "help_text": "", "required": False},
        {"key": "version", "label": "Version", "help_text": "", "required": True},
        {"key": "browser", "label": "Browser", "help_text": "", "required": True},
    ]


def test_customers_list_the_forms_they_may_choose_as_they_read_them(api, setup):
    setup.billing.customer_visible = False
    setup.billing.save()
    user = factories.CustomerUserFactory()
    forms = api(user).get("/api/v1/ticket-forms").json()["results"]
    assert [f["id"] for f in forms] == [setup.bug.pk]
    assert forms[0]["fields"][2] == {
        "key": "browser",
        "label": "Your browser",
        "help_text": "The one you saw it in.",
        "required": True,
    }
    assert api(user).get(f"/api/v1/ticket-forms/{setup.billing.pk}").status_code == 404


def test_anonymous_callers_get_a_401(api, setup):
    assert api().get("/api/v1/ticket-forms").status_code in (401, 403)


def test_a_customer_files_through_a_form_with_fields_by_key(api, setup):
    user = factories.CustomerUserFactory()
    response = api(user).post(
        "/api/v1/tickets",
        {
            "subject": "Crash",
            "body": "On export",
            "form_id": setup.bug.pk,
            "product_id": setup.cloud.pk,
            "version_id": setup.v41.pk,
            "fields": {"browser": "firefox"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["form_id"], body["version_id"], body["fields"]) == (
        setup.bug.pk,
        setup.v41.pk,
        {"browser": "firefox"},
    )


@pytest.mark.parametrize(
    ("extra", "fields"),
    [
        (
            {"fields": {"browser": "firefox"}},
            {"version_id": ["Fill in Version to send the request."]},
        ),
        (
            {"version": True, "fields": {"browser": "ie"}},
            {"fields.browser": ["Browser: “Internet Explorer” is no longer offered."]},
        ),
        (
            {"version": True, "fields": {"browser": "opera"}},
            {"fields.browser": ["Browser: “opera” is not one of the choices."]},
        ),
    ],
)
def test_a_customer_is_refused_with_a_400_naming_the_field(api, setup, extra, fields):
    user = factories.CustomerUserFactory()
    data = {"subject": "Crash", "body": "On export", "form_id": setup.bug.pk}
    data["product_id"] = setup.cloud.pk
    if extra.pop("version", False):
        data["version_id"] = setup.v42.pk
    data.update(extra)
    response = api(user).post("/api/v1/tickets", data, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == fields
    assert not Ticket.objects.exists()


def test_a_form_that_does_not_exist_is_a_404_naming_the_field(api, setup):
    user = factories.CustomerUserFactory()
    data = {"subject": "Crash", "body": "On export", "form_id": 99999}
    response = api(user).post("/api/v1/tickets", data, format="json")
    assert response.status_code == 404  # an id naming nothing (docs/api.md, "Contract")
    assert response.json()["error"]["fields"] == {"form_id": ["No such ticket form."]}
    assert not Ticket.objects.exists()


def test_an_agent_changes_the_form_by_patch_and_it_is_an_event(api, agent, ticket, setup):
    response = api(agent).patch(
        f"/api/v1/tickets/{ticket.pk}", {"form_id": setup.billing.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["form_id"] == setup.billing.pk
    event = ticket.events.get(kind=EventKind.FIELD_CHANGED, field="form")
    assert (event.old, event.new) == ("", "Billing question")


def test_a_customer_cant_change_the_form(api, setup):
    user = factories.CustomerUserFactory()
    ticket = factories.TicketFactory(requester=user.customer)
    response = api(user).patch(
        f"/api/v1/tickets/{ticket.pk}", {"form_id": setup.bug.pk}, format="json"
    )
    assert response.status_code in (400, 403)
    ticket.refresh_from_db()
    assert ticket.form is None
