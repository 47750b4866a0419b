"""In Chromium: a portal request lands in the team a routing rule names; an admin creates a
trigger that sets priority and mails the team, tests it, and it fires on the next request.
Screenshots go to ``$AUTOMATION_SCREENSHOTS`` when set, else a temp dir."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests import factories
from tests.a11y import assert_accessible, sideways_overflow
from tickets.automation import services
from tickets.automation.models import RoutingRule, Trigger
from tickets.mail.models import OutboundEmail
from tickets.models import EventKind, Ticket, TicketEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("AUTOMATION_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _signed_in(browser, live_server, user, viewport=DESKTOP):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport)
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def _file(page, base, subject):
    page.goto(f"{base}/portal/new/")
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("Description").fill("Please have a look.")
    page.get_by_role("button", name="Send request").click()
    page.get_by_role("heading", name="We got your request").wait_for()
    return Ticket.objects.get(subject=subject)


def test_routing_and_a_trigger_made_in_the_admin_page(browser, live_server, shots, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    general = factories.TeamFactory(name="General")
    billing = factories.TeamFactory(name="Billing")
    dana = factories.AgentFactory(teams=[billing], name="Dana Reyes", email="dana@example.com")
    admin = factories.AdminFactory(name="Ada Admin")
    services.default_team_set(general)
    services.rule_save(
        RoutingRule(),
        name="Invoices to Billing",
        conditions={"all": [{"field": "subject", "operator": "contains", "value": "invoice"}]},
        actions=[{"action": "set_team", "value": billing.pk}],
    )
    customer_user = factories.CustomerUserFactory()
    base = live_server.url

    # A portal request lands in the team the rule names; Dana (of Billing) can open it.
    portal = _signed_in(browser, live_server, customer_user)
    first = _file(portal, base, "Invoice shows the wrong VAT")
    assert first.team == billing

    # The admin creates a trigger in the page: new portal requests get priority high and the
    # team is mailed.
    page = _signed_in(browser, live_server, admin)
    page.goto(f"{base}/automation/")
    page.get_by_role("heading", name="Routing, triggers & automations").wait_for()
    page.screenshot(path=shots / "automation-overview-desktop.png", full_page=True)
    page.get_by_role("link", name="New trigger").click()
    page.get_by_label("Name").fill("Portal requests: high, tell the team")
    page.get_by_label("Active").check()
    conditions = {
        "all": [
            {"field": "event", "operator": "is", "value": "created"},
            {"field": "channel", "operator": "is", "value": "portal"},
        ]
    }
    actions = [
        {"action": "set_priority", "value": "high"},
        {
            "action": "mail",
            "value": {"to": "team", "subject": "New: {{ticket.subject}}", "body": "{{ticket.url}}"},
        },
    ]
    # A wrong operator first: the form names it.
    wrong = {"all": [{"field": "channel", "operator": "contains", "value": "portal"}]}
    page.locator("#id_conditions").fill(json.dumps(wrong))
    page.locator("#id_actions").fill(json.dumps(actions, indent=2))
    page.get_by_role("button", name="Save").click()
    page.get_by_text("conditions.all[0].operator").wait_for()
    page.locator("#id_conditions").fill(json.dumps(conditions, indent=2))
    # The test button on the first ticket: it would not fire (the ticket isn't new).
    page.get_by_label("Ticket number").fill(str(first.pk))
    page.get_by_role("button", name="Test").click()
    page.get_by_text("Would not fire").wait_for()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved “Portal requests: high, tell the team”").wait_for()
    page.screenshot(path=shots / "automation-trigger-desktop.png", full_page=True)
    trigger = Trigger.objects.get()
    assert trigger.is_active and trigger.conditions == conditions

    # It fires on the next portal request.
    second = _file(portal, base, "Second invoice is wrong too")
    assert (second.team, second.priority) == (billing, "high")
    event = TicketEvent.objects.get(ticket=second, kind=EventKind.PRIORITY_CHANGED)
    assert event.data["rule"]["name"] == trigger.name
    mail = OutboundEmail.objects.get(kind="trigger")
    assert mail.to == [dana.email] and mail.subject == "New: Second invoice is wrong too"

    # The agent's timeline names the trigger.
    agent_page = _signed_in(browser, live_server, dana)
    agent_page.goto(f"{base}/agent/tickets/{second.pk}/")
    agent_page.get_by_text("Trigger “Portal requests: high, tell the team”").first.wait_for()

    # Phone-sized screenshots.
    phone = _signed_in(browser, live_server, admin, viewport=PHONE)
    phone.goto(f"{base}/automation/")
    phone.screenshot(path=shots / "automation-overview-phone.png", full_page=True)
    phone.goto(f"{base}/automation/triggers/{trigger.pk}/")
    phone.screenshot(path=shots / "automation-trigger-phone.png", full_page=True)
    for opened in (portal, page, agent_page, phone):
        opened.context.close()


def test_a_trigger_that_takes_over_its_own_field_is_saved_with_a_warning(
    browser, live_server, shots
):
    admin = factories.AdminFactory(name="Ada Admin")
    page = _signed_in(browser, live_server, admin, viewport=PHONE)
    page.goto(f"{live_server.url}/automation/triggers/new/")
    # By keyboard: the name, then the conditions and actions as JSON, then Save.
    page.get_by_label("Name").focus()
    page.keyboard.type("Always high")
    page.locator("#id_conditions").fill(
        json.dumps({"all": [{"field": "priority", "operator": "changed"}]})
    )
    page.locator("#id_actions").fill(json.dumps([{"action": "set_priority", "value": "high"}]))
    page.get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Saved “Always high”").wait_for()
    warning = page.locator(".flash-warning")
    warning.wait_for()
    assert "it sets back" in warning.inner_text()
    assert Trigger.objects.get().name == "Always high"
    page.screenshot(path=shots / "automation-trigger-warning-phone.png", full_page=True)
    assert not sideways_overflow(page)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=shots / "automation-trigger-warning-desktop.png", full_page=True)
    assert_accessible(page)  # at 1366×768 and 390×844
    page.context.close()
