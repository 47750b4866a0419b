"""Admin pages: lists, default team, editor with errors, the test button, the sidebar count."""

import json

import pytest
from django.urls import reverse

from tests import factories
from tickets.automation.models import RoutingRule, RoutingSettings, Trigger

pytestmark = pytest.mark.django_db
HIGH = [{"action": "set_priority", "value": "high"}]


@pytest.fixture
def admin(client, db):
    user = factories.AdminFactory()
    client.force_login(user)
    return user


def test_only_admins(client, agent):
    url = reverse("automation:overview")
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(agent)
    assert client.get(url).status_code == 403
    assert client.get(reverse("automation:new", args=["triggers"])).status_code == 403


def test_overview_lists_rules_and_unrouted_tickets(client, admin, customer):
    RoutingRule.objects.create(name="By address", actions=HIGH)
    Trigger.objects.create(name="Notify", actions=HIGH, is_active=False)
    lost = factories.TicketFactory(requester=customer, team=None, subject="Lost ticket")
    page = client.get(reverse("automation:overview")).content.decode()
    assert "By address" in page and "Notify" in page and "Lost ticket" in page
    assert f"#{lost.pk}" in page
    assert 'title="Unrouted: open tickets without a team">1<' in page  # the sidebar count


def test_default_team(client, admin, team):
    client.post(reverse("automation:overview"), {"default_team": team.pk})
    assert RoutingSettings.objects.get().default_team == team


def test_create_with_errors_then_save(client, admin):
    url = reverse("automation:new", args=["triggers"])
    bad = {
        "name": "VIP",
        "is_active": "on",
        "conditions": json.dumps({"all": [{"field": "channel", "operator": "less_than"}]}),
        "actions": json.dumps(HIGH),
    }
    response = client.post(url, bad)
    assert response.status_code == 400
    assert "conditions.all[0].operator" in response.content.decode()
    broken = client.post(url, {**bad, "conditions": "{oops"})
    assert "Not valid JSON" in broken.content.decode()
    good = {**bad, "conditions": json.dumps({"all": []})}
    assert client.post(url, good).status_code == 302
    trigger = Trigger.objects.get(name="VIP")
    assert trigger.actions == HIGH and trigger.is_active


def test_a_trigger_that_takes_over_its_own_field_is_saved_with_a_warning(client, admin):
    url = reverse("automation:new", args=["triggers"])
    form = {
        "name": "Always high",
        "is_active": "on",
        "conditions": json.dumps({"all": [{"field": "priority", "operator": "changed"}]}),
        "actions": json.dumps(HIGH),
    }
    page = client.post(url, form, follow=True).content.decode()
    assert Trigger.objects.get(name="Always high").actions == HIGH
    assert "flash-warning" in page and "it sets back" in page
    # One condition its actions don't change, and the warning goes.
    other = {"field": "channel", "operator": "is", "value": "email"}
    conditions = {"all": [{"field": "priority", "operator": "changed"}, other]}
    form = {**form, "name": "High by mail", "conditions": json.dumps(conditions)}
    page = client.post(url, form, follow=True).content.decode()
    assert "Saved “High by mail”" in page and "flash-warning" not in page


def test_list_operations(client, admin):
    a = RoutingRule.objects.create(name="a", actions=HIGH, position=0)
    b = RoutingRule.objects.create(name="b", actions=HIGH, position=1)

    def do(rule, op):
        return client.post(reverse("automation:action", args=["routing", rule.pk, op]))

    assert do(b, "up").status_code == 302
    assert list(RoutingRule.objects.order_by("position").values_list("name", flat=True)) == [
        "b",
        "a",
    ]
    do(a, "disable")
    a.refresh_from_db()
    assert not a.is_active
    do(a, "enable")
    do(a, "copy")
    assert RoutingRule.objects.filter(name="a (copy)", is_active=False).exists()
    do(a, "delete")
    assert not RoutingRule.objects.filter(pk=a.pk).exists()


def test_the_test_button_changes_nothing(client, admin, ticket):
    data = {
        "name": "Try",
        "conditions": json.dumps({}),
        "actions": json.dumps(HIGH),
        "ticket": str(ticket.pk),
    }
    response = client.post(reverse("automation:test", args=["triggers"]), data)
    page = response.content.decode()
    assert "Would fire" in page and f"priority: {ticket.priority} → high" in page
    ticket.refresh_from_db()
    assert ticket.priority != "high"
    missing = client.post(reverse("automation:test", args=["triggers"]), {**data, "ticket": "x"})
    assert "Give the number of a ticket" in missing.content.decode()


MAIL_NOBODY = [
    {
        "action": "mail",
        "value": {"to": "address", "address": "nobody@", "subject": "s", "body": "b"},
    }
]
BAD_RULES = [
    # (conditions, actions, the field named, words of the sentence shown)
    ({"all": [{"field": "colour", "operator": "is", "value": "red"}]}, HIGH, "field", "colour"),
    (
        {"all": [{"field": "priority", "operator": "contains", "value": "high"}]},
        HIGH,
        "operator",
        "contains",
    ),
    ({}, MAIL_NOBODY, "actions[0].value.address", "nobody@"),
]


@pytest.mark.parametrize(("conditions", "actions", "field", "words"), BAD_RULES)
def test_each_refused_rule_is_a_clear_form_error_and_a_400_from_the_api(
    client, admin, api, conditions, actions, field, words
):
    form = {
        "name": "Bad",
        "conditions": json.dumps(conditions),
        "actions": json.dumps(actions),
    }
    page = client.post(reverse("automation:new", args=["triggers"]), form)
    assert page.status_code == 400
    text = page.content.decode()
    assert 'role="alert"' in text or "form-error" in text
    assert field in text and words in text
    response = api(admin).post(
        "/api/v1/triggers",
        {"name": "Bad", "conditions": conditions, "actions": actions},
        format="json",
    )
    assert response.status_code == 400
    assert field in json.dumps(response.json()) and words in json.dumps(response.json())
    assert not Trigger.objects.exists()


@pytest.mark.parametrize(("conditions", "actions", "field", "words"), BAD_RULES)
def test_automations_and_routing_refuse_the_same(admin, api, conditions, actions, field, words):
    hours = {"field": "hours_since_created", "operator": "greater_than", "value": 1}
    timed = {"all": [hours, *conditions.get("all", [])]}
    for path, body_conditions in (("automations", timed), ("routing-rules", conditions)):
        response = api(admin).post(
            f"/api/v1/{path}",
            {"name": "Bad", "conditions": body_conditions, "actions": actions},
            format="json",
        )
        if path == "routing-rules" and actions is MAIL_NOBODY:
            # Routing can't mail at all: refused before the address is read.
            assert response.status_code == 400 and "actions[0]" in json.dumps(response.json())
            continue
        assert response.status_code == 400, (path, response.json())
        assert words in json.dumps(response.json())
