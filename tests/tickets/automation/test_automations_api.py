"""/api/v1/automations: every endpoint, every role, the time conditions' errors, the dry run;
and the "apply SLA policy" action (triggers and automations)."""

from datetime import UTC, datetime, timedelta

import pytest

from support import clock
from tests import factories
from tickets import services
from tickets.automation import services as rule_services
from tickets.automation.models import Automation, AutomationRun, Trigger
from tickets.models import EventKind, TicketEvent
from tickets.sla.models import BusinessCalendar, SlaPolicy, TicketSla
from tickets.workspace.presentation import event_sentence

pytestmark = pytest.mark.django_db

CLOSE = [{"action": "set_status", "value": "closed"}]
SOLVED_4D = {"all": [{"field": "hours_since_solved", "operator": "greater_than", "value": 96}]}
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def admin(db):
    return factories.AdminFactory()


@pytest.fixture
def portal_user(db):
    return factories.CustomerUserFactory()


def test_admin_creates_reads_changes_copies_and_deletes(api, admin):
    client = api(admin)
    Automation.objects.all().delete()  # the shipped examples
    created = client.post(
        "/api/v1/automations",
        {"name": "Auto-close", "conditions": SOLVED_4D, "actions": CLOSE, "is_active": True},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created["Location"].endswith(f"/automations/{pk}")
    listed = client.get("/api/v1/automations").json()
    assert [a["name"] for a in listed] == ["Auto-close"] and listed[0]["description"] == ""
    assert client.get(f"/api/v1/automations/{pk}").json()["conditions"] == SOLVED_4D
    changed = client.patch(
        f"/api/v1/automations/{pk}", {"is_active": False, "description": "d"}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["is_active"] is False and changed.json()["description"] == "d"
    other = client.post(
        "/api/v1/automations", {"name": "B", "conditions": SOLVED_4D, "actions": CLOSE}, "json"
    ).json()
    reordered = client.post("/api/v1/automations/reorder", {"ids": [other["id"], pk]}, "json")
    assert [a["name"] for a in reordered.json()] == ["B", "Auto-close"]
    assert client.delete(f"/api/v1/automations/{pk}").status_code == 204
    assert [a["name"] for a in client.get("/api/v1/automations").json()] == ["B"]


@pytest.mark.parametrize(
    ("conditions", "field", "words"),
    [
        ({}, "conditions.all", "time condition"),
        (
            {"all": [{"field": "status", "operator": "is", "value": "solved"}]},
            "conditions.all",
            "time condition",
        ),
        (
            {"all": [{"field": "hours_since_solved", "operator": "is", "value": 4}]},
            "conditions.all[0].operator",
            "greater_than",
        ),
        (
            {"all": [{"field": "hours_since_solved", "operator": "greater_than", "value": "4"}]},
            "conditions.all[0].value",
            "number of hours",
        ),
        (
            {"all": [{"field": "hours_since_solved", "operator": "greater_than", "value": -1}]},
            "conditions.all[0].value",
            "number of hours",
        ),
        (
            {
                "all": [{"field": "hours_since_created", "operator": "greater_than", "value": 1}],
                "any": [{"field": "hours_since_solved", "operator": "greater_than", "value": 1}],
            },
            "conditions.any[0].field",
            "not in any",
        ),
        (
            {
                "all": [
                    {"field": "hours_since_created", "operator": "greater_than", "value": 1},
                    {"field": "priority", "operator": "changed_to", "value": "high"},
                ]
            },
            "conditions.all[1].operator",
            "not on a change",
        ),
        (
            {
                "all": [
                    {"field": "hours_since_created", "operator": "greater_than", "value": 1},
                    {"field": "actor", "operator": "is", "value": "agent"},
                ]
            },
            "conditions.all[1].field",
            "Unknown field",
        ),
    ],
)
def test_bad_conditions_are_a_400_naming_the_field(api, admin, conditions, field, words):
    body = {"name": "x", "conditions": conditions, "actions": CLOSE}
    response = api(admin).post("/api/v1/automations", body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert field in error["fields"], error
    assert words in str(error)


def test_time_fields_are_refused_in_triggers(api, admin):
    body = {"name": "x", "conditions": SOLVED_4D, "actions": CLOSE}
    response = api(admin).post("/api/v1/triggers", body, format="json")
    assert response.status_code == 400 and "conditions.all[0].field" in str(response.json())


def test_dry_run_says_what_would_change_and_changes_nothing(api, admin, customer, team, agent):
    rule = Automation.objects.create(
        name="Auto-close", conditions=SOLVED_4D, actions=CLOSE, is_active=True
    )
    with clock.travel(T0):
        ticket = services.ticket_create(requester=customer, subject="P", body="x", team=team)
        services.ticket_update(ticket=ticket, by=agent, changes={"status": "solved"})
    client = api(admin)
    with clock.travel(T0 + timedelta(hours=10)):
        early = client.post("/api/v1/automations/test", {"ticket_id": ticket.pk}, format="json")
    outcome = next(a for a in early.json()["automations"] if a["id"] == rule.pk)
    assert outcome["matches"] is False and outcome["hours"] == {"hours_since_solved": 10.0}
    with clock.travel(T0 + timedelta(hours=100)):
        late = client.post("/api/v1/automations/test", {"ticket_id": ticket.pk}, format="json")
    outcome = next(a for a in late.json()["automations"] if a["id"] == rule.pk)
    assert outcome["matches"] is True and outcome["changes"] == ["status: solved → closed"]
    assert outcome["done"] is False
    ticket.refresh_from_db()
    assert ticket.status == "solved" and not AutomationRun.objects.exists()


def test_permissions(api, agent, portal_user):
    rule = Automation.objects.create(name="r", conditions=SOLVED_4D, actions=CLOSE)
    body = {"name": "x", "conditions": SOLVED_4D, "actions": CLOSE}
    assert api().get("/api/v1/automations").status_code == 401
    assert api(portal_user).get("/api/v1/automations").status_code == 404
    assert api(agent).get("/api/v1/automations").status_code == 200
    assert api(agent).get(f"/api/v1/automations/{rule.pk}").status_code == 200
    assert api(agent).post("/api/v1/automations", body, format="json").status_code == 403
    assert api(agent).patch(f"/api/v1/automations/{rule.pk}", body, "json").status_code == 403
    assert api(agent).delete(f"/api/v1/automations/{rule.pk}").status_code == 403
    test = api(agent).post("/api/v1/automations/test", {"ticket_id": 1}, format="json")
    assert test.status_code == 403


# --- apply SLA policy ---------------------------------------------------------------------


@pytest.fixture
def policies(db):
    calendar = BusinessCalendar.objects.create(name="24/7", always_open=True)
    standard = SlaPolicy.objects.create(
        name="Standard", is_default=True, calendar=calendar, first_response_minutes=480
    )
    gold = SlaPolicy.objects.create(
        name="Gold", position=1, calendar=calendar, first_response_minutes=60, priorities=["low"]
    )
    return standard, gold


def test_a_trigger_applies_an_sla_policy_that_stays(api, admin, policies, customer, team, agent):
    standard, gold = policies
    response = api(admin).post(
        "/api/v1/triggers",
        {
            "name": "VIP gets Gold",
            "conditions": {"all": [{"field": "tags", "operator": "contains", "value": "vip"}]},
            "actions": [{"action": "set_sla_policy", "value": gold.pk}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    with clock.travel(T0):
        ticket = services.ticket_create(
            requester=customer, subject="Help", body="x", team=team, tags=["vip"]
        )
    sla = TicketSla.objects.get(ticket=ticket)
    assert (sla.policy, sla.pinned) == (gold, True)
    ticket.refresh_from_db()
    assert ticket.first_response_due_at == T0 + timedelta(minutes=60)
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.SLA_POLICY_SET)
    assert (
        event_sentence(event) == "Trigger “VIP gets Gold” changed SLA policy from Standard to Gold"
    )
    # Matching fields change: the applied policy stays.
    services.ticket_update(ticket=ticket, by=agent, changes={"priority": "high"})
    assert TicketSla.objects.get(ticket=ticket).policy == gold


def test_an_unknown_sla_policy_is_a_404(api, admin):
    body = {"name": "x", "actions": [{"action": "set_sla_policy", "value": 999}]}
    response = api(admin).post("/api/v1/triggers", body, format="json")
    assert response.status_code == 404 and "actions[0].value" in str(response.json())
    assert not Trigger.objects.exists()


def test_a_pinned_policy_shows_on_the_ticket_and_the_sla_pages(
    client, admin, policies, customer, team, agent
):
    standard, gold = policies
    rule_services.rule_save(
        Trigger(),
        name="VIP gets Gold",
        conditions={"all": [{"field": "tags", "operator": "contains", "value": "vip"}]},
        actions=[{"action": "set_sla_policy", "value": gold.pk}],
    )
    plain = services.ticket_create(requester=customer, subject="Plain", body="x", team=team)
    vip = services.ticket_create(
        requester=customer, subject="Gold ticket", body="x", team=team, tags=["vip"]
    )
    client.force_login(admin)
    page = client.get(f"/agent/tickets/{vip.pk}/").content.decode()
    assert "SLA policy: Gold" in page and "pinned by a rule" in page
    page = client.get(f"/agent/tickets/{plain.pk}/").content.decode()
    assert "SLA policy: Standard" in page and "pinned by a rule" not in page
    overview = client.get("/sla/").content.decode()
    assert "pinned on 1 open ticket" in overview
    # Due within the hour: at risk, with its pinned policy named.
    with clock.travel(clock.now() + timedelta(minutes=55)):
        risky = client.get("/sla/at-risk/").content.decode()
    assert "Gold ticket" in risky and ">pinned</span>" in risky
