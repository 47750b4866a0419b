"""/api/v1/routing-rules and /api/v1/triggers: every endpoint, every role."""

import pytest

from tests import factories
from tickets.automation.models import RoutingRule, Trigger

pytestmark = pytest.mark.django_db

HIGH = [{"action": "set_priority", "value": "high"}]


@pytest.fixture
def admin(db):
    return factories.AdminFactory()


@pytest.fixture
def portal_user(db):
    return factories.CustomerUserFactory()


@pytest.mark.parametrize("resource", ["routing-rules", "triggers"])
def test_admin_creates_reads_changes_and_deletes(api, admin, resource):
    client = api(admin)
    created = client.post(
        f"/api/v1/{resource}",
        {"name": "VIP", "conditions": {"all": []}, "actions": HIGH},
        format="json",
    )
    assert created.status_code == 201, created.json()
    rule_id = created.json()["id"]
    assert created["Location"].endswith(f"/{resource}/{rule_id}")
    assert client.get(f"/api/v1/{resource}").json()[0]["name"] == "VIP"
    assert client.get(f"/api/v1/{resource}/{rule_id}").json()["actions"] == HIGH
    changed = client.patch(f"/api/v1/{resource}/{rule_id}", {"is_active": False}, format="json")
    assert changed.status_code == 200 and changed.json()["is_active"] is False
    assert client.delete(f"/api/v1/{resource}/{rule_id}").status_code == 204
    assert client.get(f"/api/v1/{resource}").json() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "actions": HIGH, "colour": 1}, "colour"),
        ({"name": "x", "actions": []}, "actions"),
        (
            {
                "name": "x",
                "actions": HIGH,
                "conditions": {"all": [{"field": "nope", "operator": "is", "value": 1}]},
            },
            "conditions.all[0].field",
        ),
        (
            {
                "name": "x",
                "actions": HIGH,
                "conditions": {"all": [{"field": "channel", "operator": "contains", "value": "a"}]},
            },
            "conditions.all[0].operator",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, admin, body, field):
    response = api(admin).post("/api/v1/triggers", body, format="json")
    assert response.status_code == 400
    assert field in str(response.json())


def test_a_trigger_whose_actions_make_its_conditions_hold_is_taken(api, admin):
    # It can't loop (a trigger fires once per change), so the schema's rules are all there is.
    body = {
        "name": "Always high",
        "conditions": {"all": [{"field": "priority", "operator": "changed"}]},
        "actions": HIGH,
    }
    response = api(admin).post("/api/v1/triggers", body, format="json")
    assert response.status_code == 201, response.json()
    assert Trigger.objects.get(pk=response.json()["id"]).actions == HIGH


def test_mail_to_an_invalid_address_is_refused(api, admin):
    mail = {"to": "address", "address": "nobody", "subject": "s", "body": "b"}
    body = {"name": "Mail", "actions": [{"action": "mail", "value": mail}]}
    response = api(admin).post("/api/v1/triggers", body, format="json")
    assert response.status_code == 400 and "actions[0].value.address" in str(response.json())


def test_reorder(api, admin):
    a = Trigger.objects.create(name="a", actions=HIGH, position=0)
    b = Trigger.objects.create(name="b", actions=HIGH, position=1)
    response = api(admin).post("/api/v1/triggers/reorder", {"ids": [b.pk, a.pk]}, format="json")
    assert response.status_code == 200
    assert [r["name"] for r in response.json()] == ["b", "a"]
    bad = api(admin).post("/api/v1/triggers/reorder", {"ids": [b.pk]}, format="json")
    assert bad.status_code == 409 and "ids" in bad.json()["error"]["fields"]


def test_dry_run_changes_nothing(api, admin, ticket, team):
    other = factories.TeamFactory(name="Billing")
    RoutingRule.objects.create(
        name="To billing", actions=[{"action": "set_team", "value": other.pk}]
    )
    Trigger.objects.create(name="High", actions=HIGH)
    response = api(admin).post(
        "/api/v1/routing-rules/test", {"ticket_id": ticket.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["routing"][0]["matches"] and "Billing" in data["routing"][0]["changes"][0]
    assert data["triggers"][0]["changes"] == [f"priority: {ticket.priority} → high"]
    ticket.refresh_from_db()
    assert ticket.team == team
    missing = api(admin).post("/api/v1/triggers/test", {"ticket_id": 99999}, format="json")
    assert missing.status_code == 404 and "ticket_id" in missing.json()["error"]["fields"]


@pytest.mark.parametrize("resource", ["routing-rules", "triggers"])
def test_permissions(api, agent, portal_user, resource):
    rule = (RoutingRule if resource == "routing-rules" else Trigger).objects.create(
        name="r", actions=HIGH
    )
    body = {"name": "x", "actions": HIGH}
    # Anonymous: 401.
    assert api().get(f"/api/v1/{resource}").status_code == 401
    # Customers: 404, no hint.
    assert api(portal_user).get(f"/api/v1/{resource}").status_code == 404
    # Agents read, but don't write or test.
    assert api(agent).get(f"/api/v1/{resource}").status_code == 200
    assert api(agent).get(f"/api/v1/{resource}/{rule.pk}").status_code == 200
    assert api(agent).post(f"/api/v1/{resource}", body, format="json").status_code == 403
    assert api(agent).patch(f"/api/v1/{resource}/{rule.pk}", body, format="json").status_code == 403
    assert api(agent).delete(f"/api/v1/{resource}/{rule.pk}").status_code == 403
    reorder = api(agent).post(f"/api/v1/{resource}/reorder", {"ids": [rule.pk]}, format="json")
    assert reorder.status_code == 403
    test = api(agent).post(f"/api/v1/{resource}/test", {"ticket_id": 1}, format="json")
    assert test.status_code == 403
    assert api(agent).post(f"/api/v1/{resource}/{rule.pk}/copy").status_code == 403
    assert api(portal_user).post(f"/api/v1/{resource}/{rule.pk}/copy").status_code == 404


@pytest.mark.parametrize("resource", ["routing-rules", "triggers", "automations"])
def test_copy_is_last_and_off(api, admin, resource):
    rules = api(admin).get(f"/api/v1/{resource}").json()
    body = {"name": "Original", "actions": HIGH}
    if resource == "automations":
        body["conditions"] = {
            "all": [{"field": "hours_since_created", "operator": "greater_than", "value": 1}]
        }
    original = api(admin).post(f"/api/v1/{resource}", body, format="json").json()
    copied = api(admin).post(f"/api/v1/{resource}/{original['id']}/copy")
    assert copied.status_code == 201
    copy = copied.json()
    assert copied["Location"].endswith(f"/{resource}/{copy['id']}")
    assert copy["name"] == "Original (copy)" and copy["is_active"] is False
    assert copy["actions"] == HIGH and copy["position"] == len(rules) + 1
    assert api(admin).post(f"/api/v1/{resource}/99999/copy").status_code == 404


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"actions": [{"action": "set_team", "value": 999}]}, "actions[0].value"),
        ({"actions": [{"action": "add_followers", "value": [999]}]}, "actions[0].value"),
        (
            {
                "actions": HIGH,
                "conditions": {"all": [{"field": "team", "operator": "is", "value": 999}]},
            },
            "conditions.all[0].value",
        ),
    ],
)
def test_an_id_naming_nothing_is_a_404_naming_the_field(api, admin, rule, field):
    # As everywhere in the API: the schema can't know which ids exist (docs/api.md, "Contract").
    response = api(admin).post("/api/v1/triggers", {"name": "x", **rule}, format="json")
    assert response.status_code == 404, response.content
    assert field in response.json()["error"]["fields"]
    assert not Trigger.objects.exists()


def test_a_nul_character_in_a_condition_value_is_a_400_naming_it(api, admin):
    # PostgreSQL keeps no NUL in jsonb: refused up front, never a 500.
    body = {
        "name": "x",
        "actions": HIGH,
        "conditions": {"all": [{"field": "subject", "operator": "contains", "value": "a\x00"}]},
    }
    response = api(admin).post("/api/v1/triggers", body, format="json")
    assert response.status_code == 400, response.content
    assert "conditions.all[0].value" in response.json()["error"]["fields"]
    assert not Trigger.objects.exists()
