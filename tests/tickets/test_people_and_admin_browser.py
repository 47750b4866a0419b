"""Issue 18 in a browser, for the items no other browser test walks: the search box finds people
and organizations (by keyboard), an admin deactivates and reactivates an agent, changes a role,
resets a sign-in and changes a team's members, and an agent sent to an administration page is
told who can let them in. Every page at 1366×768 and 390×844: axe-core and nothing wider than
the window."""

from __future__ import annotations

import pytest

from tests.a11y import PHONE, assert_accessible, sideways_overflow
from tests.support.site_map import build_site
from tests.support.test_accessibility_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _checked(page) -> None:
    assert_accessible(page)
    assert sideways_overflow(page) == []


def test_the_search_box_finds_people_and_organizations_by_keyboard(live_server, page):
    build_site()
    sign_in(page, live_server.url, "agent")
    page.goto(f"{live_server.url}/agent/queues/all/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "global-search"
    page.keyboard.type("Example")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    people = page.get_by_role("region", name="People")
    organizations = page.get_by_role("region", name="Organizations")
    assert people.get_by_role("link", name="Jordan Lee").is_visible()
    assert organizations.get_by_role("link", name="Example Corp").is_visible()
    assert "contact" in organizations.inner_text()
    _checked(page)
    organizations.get_by_role("link", name="Example Corp").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Example Corp"
    assert page.get_by_role("link", name="Jordan Lee").count() >= 1
    page.set_viewport_size(PHONE)
    _checked(page)


def test_an_admin_deactivates_changes_a_role_resets_a_sign_in_and_edits_a_team(live_server, page):
    build_site()
    sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/agent/admin/users/")
    _checked(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Deactivate sam@example.com").click()
    assert page.get_by_role("status").get_by_text("Sam Away was deactivated.").is_visible()
    sam = page.locator(".staff-list li", has_text="sam@example.com")
    assert "deactivated" in sam.inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Reactivate sam@example.com").click()
    assert (
        "deactivated" not in page.locator(".staff-list li", has_text="sam@example.com").inner_text()
    )
    page.get_by_label("Role of sam@example.com", exact=True).select_option("admin")
    with page.expect_navigation():
        page.get_by_role("button", name="Change the role of sam@example.com").click()
    assert page.get_by_role("status").get_by_text("Sam Away is now Admin.").is_visible()
    assert page.get_by_label("Role of sam@example.com", exact=True).input_value() == "admin"
    with page.expect_navigation():
        page.get_by_role("button", name="Reset the sign-in of agent@example.com").click()
    assert page.get_by_role("status").get_by_text("signed out everywhere").is_visible()

    page.goto(f"{live_server.url}/agent/admin/teams/")
    team_link = page.locator(".people-list a").first
    team = team_link.inner_text()
    with page.expect_navigation():
        team_link.click()
    members = page.locator(".people-list")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Remove Sam Away from {team}").click()
    assert "Sam Away" not in members.inner_text()
    page.get_by_label("Add a member").select_option(label="Sam Away (sam@example.com)")
    with page.expect_navigation():
        page.get_by_role("button", name="Add", exact=True).click()
    assert "Sam Away" in page.locator(".people-list").inner_text()
    page.set_viewport_size(PHONE)
    _checked(page)


def test_an_agent_on_an_admin_page_is_told_who_can_grant_the_role(live_server, page):
    build_site()
    sign_in(page, live_server.url, "agent")
    for path in ("/agent/admin/users/", "/integrations/webhooks/", "/sla/"):
        response = page.goto(live_server.url + path)
        assert response.status == 403
        assert page.get_by_role("heading", level=1).inner_text() == "This page is for admins"
        assert page.get_by_text("Ada Admin").is_visible()
    page.get_by_role("link", name="Back to your queues").click()
    page.wait_for_url(f"{live_server.url}/agent/**")
    page.go_back()
    _checked(page)


def test_queue_filters_take_names_from_the_type_ahead(live_server, page):
    build_site()
    sign_in(page, live_server.url, "agent")
    page.goto(f"{live_server.url}/agent/queues/all/")
    page.get_by_text("Filter and save").click()
    requester = page.get_by_label("Requester")
    requester.press_sequentially("jorda")
    option = page.locator("#qf-requester-list option")
    option.first.wait_for(state="attached")
    value = option.first.get_attribute("value")
    assert value == "Jordan Lee <jordan@example.net>"
    requester.fill(value)
    page.get_by_label("Organization").press_sequentially("exampl")
    page.locator("#qf-organization-list option").first.wait_for(state="attached")
    assert page.locator("#qf-organization-list option").first.get_attribute("value") == (
        "Example Corp"
    )
    page.get_by_label("Organization").fill("Example Corp")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    assert "requester=Jordan+Lee" in page.url
    rows = page.locator("table.queue tbody tr")
    assert rows.count() >= 1
    for text in rows.all_inner_texts():
        assert "Jordan Lee" in text
    assert page.get_by_label("Requester").input_value() == value
    _checked(page)
