"""Product data on the real processes (gunicorn, a Celery worker and beat) with Chromium.

A customer files a request in the portal choosing the product and then its version (the
version list follows the product over htmx); a routing rule on the product puts it in the
product's team; the agent of that team opens it, sees product and version in the header and
changes the version, which the timeline tells in a sentence.
"""

from __future__ import annotations

import re

import pytest

from products.models import VersionStatus
from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible
from tickets.automation import services as automation
from tickets.automation.models import RoutingRule
from tickets.models import EventKind, Ticket

pytestmark = [pytest.mark.browser]

WITHIN = 20  # seconds


def test_a_request_about_a_version_is_routed_by_product_and_the_agent_changes_it(browser, stack):
    general = factories.TeamFactory(name="General")
    mobile_team = factories.TeamFactory(name="Mobile team")
    agent = factories.AgentFactory(name="Mo Reyes", teams=[mobile_team])
    factories.ProductFactory(name="Cloud")
    mobile = factories.ProductFactory(name="Mobile app")
    factories.VersionFactory(product=mobile, name="2.2", status=VersionStatus.DEPRECATED)
    factories.VersionFactory(product=mobile, name="2.3")
    factories.VersionFactory(product=mobile, name="1.0", status=VersionStatus.END_OF_LIFE)
    automation.default_team_set(general)
    automation.rule_save(
        RoutingRule(),
        name="Mobile app to the mobile team",
        conditions={"all": [{"field": "product", "operator": "is", "value": mobile.pk}]},
        actions=[{"action": "set_team", "value": mobile_team.pk}],
    )
    customer = factories.CustomerUserFactory()
    base = stack.start()

    # The customer picks the product; the version list follows it (no end-of-life version).
    portal = stack.sign_in(browser, customer, viewport=PHONE)
    portal.wait_for_url(re.compile(r"/portal/"))
    portal.goto(f"{base}/portal/new/")
    portal.get_by_label("Subject").fill("The app crashes when I open a ticket")
    portal.get_by_label("Description").fill("Since the update, every time.")
    version = portal.get_by_label("Version (optional)")
    assert version.locator("option").all_inner_texts() == ["Not sure"]
    portal.get_by_label("Product (optional)").select_option(label="Mobile app")
    portal.wait_for_function(
        "() => document.querySelectorAll('#id_version option').length > 1", timeout=WITHIN * 1000
    )
    options = portal.get_by_label("Version (optional)").locator("option").all_inner_texts()
    assert options == ["Not sure", "2.3", "2.2"]
    assert_accessible(portal)
    portal.get_by_label("Version (optional)").select_option(label="2.2")
    portal.get_by_role("button", name="Send request").click()
    portal.get_by_role("heading", name="We got your request").wait_for()

    ticket = Ticket.objects.get(subject="The app crashes when I open a ticket")
    assert (ticket.product, ticket.version.name) == (mobile, "2.2")
    assert ticket.team == mobile_team  # routed by its product

    # The agent sees product and version in the header and moves it to 2.3.
    desk = stack.sign_in(browser, agent, viewport=DESKTOP)
    desk.goto(f"{base}/agent/tickets/{ticket.pk}/")
    assert desk.locator("#f-product option:checked").inner_text() == "Mobile app"
    assert desk.locator("#f-version option:checked").inner_text().startswith("2.2")
    with desk.expect_response(re.compile(r"/edit/version/")):
        desk.select_option("#f-version", label="2.3")
    desk.get_by_text("changed the version from 2.2 to 2.3").wait_for(timeout=WITHIN * 1000)
    assert_accessible(desk)
    ticket.refresh_from_db()
    assert ticket.version.name == "2.3"
    event = ticket.events.get(kind=EventKind.VERSION_CHANGED)
    assert (event.actor, event.old, event.new) == (agent, "2.2", "2.3")
