"""The report's organization type-ahead, in headless Chromium against a live server."""

from pathlib import Path

import pytest

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


SHOTS = Path("/tmp/shots-reports")  # noqa: S108 - screenshots only, looked at by hand


def test_agent_filters_the_report_by_typing_an_organization(page, live_server):
    team = factories.TeamFactory(name="Support")
    agent = factories.AgentFactory(teams=[team], name="Ann Agent")
    northwind = factories.OrganizationFactory(name="Northwind Traders")
    factories.OrganizationFactory(name="Northern Lights")
    contoso = factories.OrganizationFactory(name="Contoso")
    for org, count in ((northwind, 2), (contoso, 3)):
        requester = factories.CustomerFactory(organization=org)
        for _ in range(count):
            factories.TicketFactory(team=team, requester=requester)
    sign_in(page, live_server, agent)
    page.goto(f"{live_server.url}/reports/")
    assert page.locator(".stat-value").first.inner_text() == "5"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("form.filters").screenshot(path=str(SHOTS / "reports-org-empty.png"))
    org = page.locator("#r-org")
    org.press_sequentially("north")
    # htmx fills the datalist with the organizations whose name contains what was typed.
    options = page.locator("#r-org-options option")
    options.nth(1).wait_for(state="attached")
    assert [o.get_attribute("value") for o in options.all()] == [
        "Northern Lights",
        "Northwind Traders",
    ]
    page.locator("form.filters").screenshot(path=str(SHOTS / "reports-org-typed.png"))
    # Choosing an option puts its whole name in the input (headless Chromium can't click one).
    org.fill("Northwind Traders")
    page.click("text=Show")
    page.wait_for_load_state()
    assert "organization_name=Northwind+Traders" in page.url
    assert org.input_value() == "Northwind Traders"
    assert page.locator(".stat-value").first.inner_text() == "2"
    page.locator("form.filters").screenshot(path=str(SHOTS / "reports-org-selected.png"))
    page.screenshot(path=str(SHOTS / "reports-dashboard.png"))
    # A name that matches nothing: the error beside the field, and no numbers at all.
    org.fill("Northwind")
    with page.expect_response(lambda r: "organization_name=Northwind&" in r.url) as answer:
        page.click("text=Show")
    assert answer.value.status == 400
    page.wait_for_load_state()
    assert page.locator("#r-org-error").inner_text() == "No organization is named “Northwind”."
    assert page.locator(".stat-value").count() == 0
    page.locator("form.filters").screenshot(path=str(SHOTS / "reports-org-unknown.png"))
