"""SLA policies on custom choice fields (``SlaPolicy.field_values``): matched when a ticket is
filed and again when the field changes; set from the policy page and the API, checked."""

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
def plans(db):
    factories.TicketFieldFactory(key="plan", kind="choice", choices=["free", "pro", "enterprise"])
    factories.TicketFieldFactory(key="os", kind="multi_choice", choices=["mac", "linux"])
    cal = factories.BusinessCalendarFactory(always_open=True)
    factories.SlaPolicyFactory(
        name="Default", is_default=True, calendar=cal, first_response_minutes=480
    )
    return factories.SlaPolicyFactory(
        name="Paid",
        position=1,
        calendar=cal,
        field_values={"plan": ["enterprise", "pro"]},
        first_response_minutes=30,
    )


def test_a_ticket_on_a_listed_choice_gets_the_policy_and_rematches_on_change(
    plans, customer, agent
):
    with clock.travel(T0):
        paid = services.ticket_create(
            requester=customer, subject="Down", body="x", fields={"plan": "pro"}
        )
        free = services.ticket_create(
            requester=customer, subject="Down", body="x", fields={"plan": "free"}
        )
    assert paid.sla.policy == plans
    assert paid.first_response_due_at == T0 + timedelta(minutes=30)
    assert free.sla.policy.name == "Default"
    with clock.travel(T0 + timedelta(minutes=5)):
        services.ticket_update(ticket=free, by=agent, changes={"fields": {"plan": "enterprise"}})
    free.refresh_from_db()
    assert free.sla.policy == plans


def test_a_multiple_choice_value_matches_when_one_of_them_is_listed(plans, customer):
    plans.field_values = {"os": ["linux"]}
    plans.save()
    with clock.travel(T0):
        both = services.ticket_create(
            requester=customer, subject="x", body="x", fields={"os": ["mac", "linux"]}
        )
        mac = services.ticket_create(
            requester=customer, subject="x", body="x", fields={"os": ["mac"]}
        )
    assert (both.sla.policy.name, mac.sla.policy.name) == ("Paid", "Default")


def test_the_policy_page_and_the_api_set_field_conditions(client, api, plans):
    admin = factories.AdminFactory()
    client.force_login(admin)
    page = client.get(reverse("sla:policy_edit", args=[plans.pk])).content.decode()
    assert '<option value="pro" selected>Pro</option>' in page
    assert '<option value="free">Free</option>' in page
    response = api(admin).patch(
        f"/api/v1/sla-policies/{plans.pk}", {"field_values": {"os": ["mac"]}}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["field_values"] == {"os": ["mac"]}
    assert SlaPolicy.objects.get(pk=plans.pk).field_values == {"os": ["mac"]}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"nope": ["x"]}, "no choice field “nope”"),
        ({"plan": ["gold"]}, "“gold” is not one of the choices"),
    ],
)
def test_a_bad_field_condition_is_400_naming_the_field(api, plans, values, message):
    admin = factories.AdminFactory()
    response = api(admin).patch(
        f"/api/v1/sla-policies/{plans.pk}", {"field_values": values}, format="json"
    )
    assert response.status_code == 400, response.json()
    body = response.json()
    assert message in str(body)
    assert f"field_values.{next(iter(values))}" in str(body)


def test_the_policy_form_saves_the_chosen_choices(client, plans):
    admin = factories.AdminFactory()
    client.force_login(admin)
    page = client.get(reverse("sla:policy_edit", args=[plans.pk]))
    form = page.context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value not in (None, "") and not isinstance(value, (list, bool))
    }
    data.update(
        name="Paid",
        position=1,
        is_active="on",
        calendar=plans.calendar_id,
        first_response_minutes=30,
        warning_percent=75,
        cf_plan=["free"],
    )
    response = client.post(reverse("sla:policy_edit", args=[plans.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    assert SlaPolicy.objects.get(pk=plans.pk).field_values == {"plan": ["free"]}


def test_the_schema_states_the_field_conditions_the_server_takes(api, plans):
    """``field_values`` in the served schema: each choice field's key with its choices' values,
    no other key (an open object let fuzzing draw keys the server refuses)."""
    factories.TicketFieldFactory(key="seats", kind="number")
    admin = factories.AdminFactory()
    schemas = api(admin).get("/api/schema/?format=json").json()["components"]["schemas"]
    for component in ("SlaPolicyInputRequest", "PatchedSlaPolicyInputRequest"):
        stated = schemas[component]["properties"]["field_values"]
        assert stated["additionalProperties"] is False
        assert set(stated["properties"]) == {"plan", "os"}
        assert stated["properties"]["plan"]["items"]["enum"] == ["free", "pro", "enterprise"]
    # Every value stated is taken; a key or value it doesn't state is the 400 above.
    every = {"plan": ["free", "pro", "enterprise"], "os": ["mac", "linux"]}
    response = api(admin).patch(
        f"/api/v1/sla-policies/{plans.pk}", {"field_values": every}, format="json"
    )
    assert response.status_code == 200, response.json()
    refused = api(admin).patch(
        f"/api/v1/sla-policies/{plans.pk}", {"field_values": {"seats": ["1"]}}, format="json"
    )
    assert refused.status_code == 400 and "field_values.seats" in str(refused.json())
