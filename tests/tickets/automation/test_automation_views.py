"""The automations' admin section: create with errors, the test button, enable, copy, delete."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from support import clock
from tests import factories
from tickets import services
from tickets.automation.models import Automation, AutomationRun

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SOLVED_4D = {"all": [{"field": "hours_since_solved", "operator": "greater_than", "value": 96}]}
CLOSE = [{"action": "set_status", "value": "closed"}]


@pytest.fixture
def admin(client, db):
    user = factories.AdminFactory()
    client.force_login(user)
    return user


def test_create_with_errors_then_save_then_manage(client, admin):
    Automation.objects.all().delete()
    url = reverse("automation:new", args=["automations"])
    assert "hours_since_pending" in client.get(url).content.decode()
    bad = {"name": "Close", "conditions": json.dumps({"all": []}), "actions": json.dumps(CLOSE)}
    response = client.post(url, bad)
    assert response.status_code == 400
    assert "conditions.all: An automation needs at least one time condition" in (
        response.content.decode()
    )
    good = {**bad, "conditions": json.dumps(SOLVED_4D), "description": "Auto-close"}
    response = client.post(url, good)
    rule = Automation.objects.get()
    assert response.status_code == 302 and not rule.is_active and rule.description == "Auto-close"
    page = client.get(reverse("automation:overview")).content.decode()
    assert 'id="rules-automations"' in page and "Close" in page
    client.post(reverse("automation:action", args=["automations", rule.pk, "enable"]))
    rule.refresh_from_db()
    assert rule.is_active
    client.post(reverse("automation:action", args=["automations", rule.pk, "copy"]))
    copy = Automation.objects.exclude(pk=rule.pk).get()
    assert copy.name == "Close (copy)" and not copy.is_active and copy.conditions == SOLVED_4D
    client.post(reverse("automation:action", args=["automations", copy.pk, "delete"]))
    assert list(Automation.objects.all()) == [rule]


def test_the_test_button_reads_the_clock_and_saves_nothing(client, admin, customer, team, agent):
    with clock.travel(T0):
        ticket = services.ticket_create(requester=customer, subject="Printer", body="x", team=team)
        services.ticket_update(ticket=ticket, by=agent, changes={"status": "solved"})
    form = {
        "name": "Close",
        "conditions": json.dumps(SOLVED_4D),
        "actions": json.dumps(CLOSE),
        "ticket": str(ticket.pk),
    }
    url = reverse("automation:test", args=["automations"])
    with clock.travel(T0 + timedelta(hours=5)):
        early = client.post(url, form).content.decode()
    assert "Would not fire" in early and "hours_since_solved: 5.0" in early
    with clock.travel(T0 + timedelta(hours=100)):
        late = client.post(url, form).content.decode()
    assert "Would fire" in late and "status: solved → closed" in late
    ticket.refresh_from_db()
    assert ticket.status == "solved" and not AutomationRun.objects.exists()
    bad = client.post(url, {**form, "conditions": json.dumps({"all": []})}).content.decode()
    assert "at least one time condition" in bad
