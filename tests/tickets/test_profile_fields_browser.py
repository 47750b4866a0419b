"""Organization fields in Chromium (live server): an admin defines "Plan" on the field pages, an
agent sets it on the organization's page (htmx, in place; a bad value is an error beside the
field with what was typed kept) and sees it in the sidebar of that organization's ticket — each
page checked with axe at 1366×768 and 390×844, and the in-place edit done from the keyboard.

Screenshots go to ``$PROFILE_SCREENSHOTS`` when set (docs/img is made from them), else a temp
dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from customers.models import Organization, ProfileField
from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("PROFILE_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_admin_defines_plan_agent_sets_it_and_sees_it_beside_the_ticket(
    live_server, browser, shots
):
    team = factories.TeamFactory()
    org = factories.OrganizationFactory(name="Acme Robotics")
    contact = factories.CustomerFactory(organization=org, name="Jordan Lee")
    ticket = factories.TicketFactory(
        team=team, requester=contact, organization=org, subject="Export stops at 10,000 rows"
    )
    base = live_server.url

    # The admin defines "Plan", a choice field for organizations.
    admin = sign_in(browser, base, factories.AdminFactory(), DESKTOP)
    admin.goto(f"{base}/agent/settings/fields/")
    admin.get_by_role("link", name="Organization and customer fields").click()
    admin.get_by_role("link", name="New organization field").click()
    assert admin.get_by_label("Applies to").input_value() == "organization"
    admin.get_by_label("Label", exact=True).fill("Plan")
    admin.get_by_label("Key", exact=True).fill("plan")
    admin.get_by_label("Kind", exact=True).select_option(label="Single choice")
    admin.get_by_label("Choices").fill("free | Free\npro | Pro\nenterprise | Enterprise")
    admin.screenshot(path=shots / "org-fields-new-desktop.png", full_page=True)
    assert_accessible(admin)
    admin.get_by_role("button", name="Save field").click()
    admin.get_by_text("Saved the field “Plan”.").wait_for()
    assert admin.get_by_role("cell", name="organization.plan").is_visible()
    admin.screenshot(path=shots / "org-fields-list-desktop.png", full_page=True)
    assert_accessible(admin)
    field = ProfileField.objects.get()
    assert (field.applies_to, field.key, field.kind) == ("organization", "plan", "choice")
    # And a number field, to show a refused value.
    admin.goto(f"{base}/agent/settings/fields/people/new/?for=organization")
    admin.get_by_label("Label", exact=True).fill("Seats")
    admin.get_by_label("Key", exact=True).fill("seats")
    admin.get_by_label("Kind", exact=True).select_option(label="Number")
    admin.get_by_role("button", name="Save field").click()
    admin.get_by_text("Saved the field “Seats”.").wait_for()

    # The agent sets it on the organization's page, in place, from the keyboard.
    agent = sign_in(browser, base, factories.AgentFactory(teams=[team]), DESKTOP)
    agent.goto(f"{base}/agent/people/organizations/{org.pk}/")
    agent.evaluate("window.notReloaded = true")
    plan = agent.get_by_label("Plan", exact=True)
    plan.focus()
    plan.select_option("pro")
    agent.keyboard.press("Tab")  # to the field's Save button
    agent.keyboard.press("Enter")
    agent.get_by_role("status").filter(has_text="Saved.").wait_for()
    assert agent.evaluate("window.notReloaded") is True
    assert Organization.objects.get(pk=org.pk).fields == {"plan": "pro"}

    seats = agent.get_by_label("Seats", exact=True)
    seats.fill("twelve")
    seats.press("Enter")
    agent.get_by_text("Seats: “twelve” is not a whole number.").wait_for()
    assert agent.get_by_label("Seats", exact=True).input_value() == "twelve"
    assert agent.get_by_label("Seats", exact=True).get_attribute("aria-invalid") == "true"
    agent.screenshot(path=shots / "org-fields-organization-desktop.png", full_page=True)
    assert_accessible(agent)
    agent.get_by_label("Seats", exact=True).fill("12")
    agent.get_by_label("Seats", exact=True).press("Enter")
    agent.get_by_role("status").filter(has_text="Saved.").wait_for()
    assert Organization.objects.get(pk=org.pk).fields == {"plan": "pro", "seats": 12}

    # The ticket's sidebar shows the organization's plan and seats.
    agent.goto(f"{base}/agent/tickets/{ticket.pk}/")
    side = agent.locator("aside.ticket-side")
    side.get_by_text("Pro", exact=True).wait_for()
    assert side.locator("dt", has_text="Plan").is_visible()
    assert side.locator("dd", has_text="12").is_visible()
    agent.screenshot(path=shots / "org-fields-ticket-desktop.png", full_page=True)
    assert_accessible(agent)

    # On a phone the sidebar's values are still there.
    phone = sign_in(browser, base, factories.AgentFactory(teams=[team]), PHONE)
    phone.goto(f"{base}/agent/tickets/{ticket.pk}/")
    phone.locator("aside.ticket-side dd", has_text="Pro").scroll_into_view_if_needed()
    phone.screenshot(path=shots / "org-fields-ticket-phone.png", full_page=True)
    assert_accessible(phone, widths=(PHONE,))
