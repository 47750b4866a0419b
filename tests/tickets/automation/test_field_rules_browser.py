"""In Chromium (live server; triggers run inside the change's transaction, so no worker is
needed): an admin builds the trigger "if field browser is Safari, add tag safari and set
priority high" with the editor's ticket-field helper, by keyboard; a customer files through the
portal's form with browser Safari; the agent sees the tag and the priority. axe at 1366×768 and
390×844. Screenshots go to ``$FIELDRULES_SCREENSHOTS`` when set, else a temp dir."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible
from tests.browser import sign_in
from tickets.automation import services as rule_services
from tickets.automation.models import Trigger
from tickets.fields.models import FieldKind, TicketField, TicketForm
from tickets.fields.services import field_save
from tickets.fields.ticket_forms import form_save
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("FIELDRULES_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_trigger_on_the_browser_field_tags_and_raises_a_portal_request(
    live_server, browser, shots
):
    admin = factories.AdminFactory(name="Ada Admin")
    support = factories.TeamFactory(name="Support")
    rule_services.default_team_set(support)
    field_save(
        field=TicketField(
            key="browser",
            kind=FieldKind.CHOICE,
            label="Browser",
            customer_label="Your browser",
            customer_visible=True,
            customer_editable=True,
        ),
        choices=[
            {"value": "firefox", "label": "Firefox"},
            {"value": "safari", "label": "Safari"},
        ],
        by=admin,
    )
    form_save(
        form=TicketForm(name="Bug report", position=1),
        items=[{"key": "browser", "required": True}],
        by=admin,
    )
    base = live_server.url

    # The admin: a new trigger, the condition picked with the helper, by keyboard.
    page = sign_in(browser, base, admin, DESKTOP)
    page.goto(f"{base}/automation/triggers/new/")
    page.get_by_label("Name").fill("Safari bugs")
    page.get_by_label("Active").check()
    page.locator("#id_conditions").fill("{}")
    page.get_by_label("Field", exact=True).focus()
    page.keyboard.press("Tab")  # the operator: "is" comes first
    assert page.evaluate("document.activeElement.id") == "rf-operator"
    page.get_by_role("combobox", name="Value", exact=True).select_option(label="Safari")
    page.locator("#rf-add-condition").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Added the condition on Browser").wait_for()
    assert json.loads(page.locator("#id_conditions").input_value()) == {
        "all": [{"field": "field.browser", "operator": "is", "value": "safari"}]
    }
    page.locator("#id_actions").fill(
        json.dumps(
            [
                {"action": "add_tags", "value": "safari"},
                {"action": "set_priority", "value": "high"},
            ]
        )
    )
    page.screenshot(path=shots / "fieldrules-trigger-desktop.png", full_page=True)
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved “Safari bugs”").wait_for()
    trigger = Trigger.objects.get()
    assert trigger.is_active
    assert trigger.conditions["all"][0]["field"] == "field.browser"

    # The customer files a bug through the portal form, with Safari.
    customer = sign_in(browser, base, factories.CustomerUserFactory(), PHONE)
    customer.goto(f"{base}/portal/new/")
    customer.get_by_label("Subject").fill("The editor is blank")
    customer.get_by_label("Description").fill("Since this morning.")
    customer.get_by_label("Your browser *").select_option(label="Safari")
    customer.get_by_role("button", name="Send request").click()
    customer.wait_for_url(re.compile(r"/submitted/"))
    ticket = Ticket.objects.get(subject="The editor is blank")
    assert ticket.fields == {"browser": "safari"}
    assert (ticket.priority, list(ticket.tags.values_list("name", flat=True))) == (
        "high",
        ["safari"],
    )

    # The agent sees the tag, the priority and the trigger in the timeline.
    agent = sign_in(browser, base, factories.AgentFactory(teams=[support]), DESKTOP)
    agent.goto(f"{base}/agent/tickets/{ticket.pk}/")
    agent.get_by_text("Trigger “Safari bugs”").first.wait_for()
    assert agent.get_by_role("button", name="Remove tag safari").is_visible()
    assert agent.get_by_label("Priority").first.input_value() == "high"
    agent.screenshot(path=shots / "fieldrules-ticket-desktop.png", full_page=True)
    assert_accessible(agent)
    agent.set_viewport_size(PHONE)
    agent.screenshot(path=shots / "fieldrules-ticket-phone.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/automation/triggers/{trigger.pk}/")
    page.screenshot(path=shots / "fieldrules-trigger-phone.png", full_page=True)
    for opened in (page, customer, agent):
        opened.context.close()
