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
    assert client.get(url).status_code == 404
    assert client.get(reverse("automation:new", args=["triggers"])).status_code == 404


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
