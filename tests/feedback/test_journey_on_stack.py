"""Product feedback on the real processes (gunicorn, a Celery worker and beat on the embedded
broker), in Chromium, with mail over SMTP: an agent links a customer's ticket to a feature
request; the product manager sees the demand, ships it and tells the customers, who get the
news by mail."""

from __future__ import annotations

import re

import pytest

from feedback.models import ItemStatus, TicketFeedbackLink
from feedback.services import feedback_item_create
from tests import factories
from tests.a11y import assert_accessible
from tickets import services

pytestmark = [pytest.mark.browser]

WITHIN = 20


def test_agent_links_demand_pm_ships_and_customers_hear_by_mail(browser, stack):
    team = factories.TeamFactory(name="Support")
    agent = factories.AgentFactory(name="Sam Agent", email="sam@staff.example.com", teams=[team])
    pm = factories.ProductManagerFactory(name="Priya PM", email="priya@staff.example.com")
    item = feedback_item_create(title="Dark mode", area="Interface", by=pm)
    ticket = services.ticket_create(
        requester=factories.CustomerFactory(name="Ada", email="ada@example.org"),
        subject="Please add a dark theme",
        body="My eyes hurt at night.",
        team=team,
    )
    base = stack.start()

    # The agent links the ticket to the request from the ticket's feedback page.
    desk = stack.sign_in(browser, agent)
    desk.goto(f"{base}/feedback/tickets/{ticket.pk}/links/")
    desk.fill(f"#fb-search-{ticket.pk}", "dark")
    desk.locator(".fb-result-list button").first.click()
    desk.locator(".fb-link").first.wait_for()
    assert TicketFeedbackLink.objects.get().item == item

    # The product manager sees the demand, ships it and tells the customers.
    office = stack.sign_in(browser, pm)
    office.goto(f"{base}/feedback/")
    office.get_by_role("link", name="Dark mode").click()
    office.wait_for_url(re.compile(rf"/feedback/items/{item.pk}/$"))
    assert office.locator(".stat-value").first.inner_text() == "1"
    assert_accessible(office)
    office.select_option("#s-status", "shipped")
    office.fill("#s-note", "Settings → Appearance.")
    office.click("text=Save status")
    office.wait_for_load_state()
    office.fill("#n-message", "Dark mode is live: Settings → Appearance.")
    office.click("text=Notify customers")
    office.get_by_text("1 customer will be told").wait_for()
    item.refresh_from_db()
    assert item.status == ItemStatus.SHIPPED

    news = stack.wait_for(
        lambda: stack.inbox.to("ada@example.org"), timeout=WITHIN, what="the customer's news"
    )[0]
    assert "Dark mode is live" in news.get_body(preferencelist=("plain",)).get_content()
