"""The flows a person clicks through, in headless Chromium against a live server."""

import pytest

from feedback.models import CsatSurvey, ItemStatus, TicketFeedbackLink
from feedback.services import csat_link, feedback_item_create, feedback_link_create
from support import clock
from tests import factories
from tests.a11y import assert_accessible
from tickets.mail.models import OutboundEmail
from tickets.models import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_pm_ships_an_item_and_notifies_its_customers(page, live_server):
    pm = factories.ProductManagerFactory()
    agent = factories.AgentFactory(teams=[team := factories.TeamFactory()])
    item = feedback_item_create(title="Single sign-on", area="Auth", by=pm)
    for _ in range(3):
        ticket = factories.TicketFactory(team=team)
        feedback_link_create(ticket=ticket, item=item, by=agent, quote="We need SAML")
    sign_in(page, live_server, pm)
    page.goto(f"{live_server.url}/feedback/")
    page.click("text=Single sign-on")
    assert page.locator(".stat-value").first.inner_text() == "3"
    page.select_option("#s-status", "shipped")
    page.fill("#s-note", "Available for every workspace.")
    page.click("text=Save status")
    page.wait_for_load_state()
    page.fill("#n-message", "SSO is live: Settings → Security.")
    page.click("text=Notify customers")
    page.wait_for_load_state()
    assert "3 customers will be told" in page.content()
    item.refresh_from_db()
    assert item.status == ItemStatus.SHIPPED
    assert OutboundEmail.objects.filter(kind="feedback_status").count() == 3


def test_agent_links_a_ticket_by_searching(page, live_server):
    team = factories.TeamFactory()
    agent = factories.AgentFactory(teams=[team])
    pm = factories.ProductManagerFactory()
    feedback_item_create(title="Dark mode", area="Interface", by=pm)
    ticket = factories.TicketFactory(team=team)
    sign_in(page, live_server, agent)
    page.goto(f"{live_server.url}/feedback/tickets/{ticket.pk}/links/")
    page.select_option("select[name=importance]", "important")
    page.fill(f"#fb-search-{ticket.pk}", "dark")
    page.locator(".fb-result-list button").first.click()
    page.locator(".fb-link").first.wait_for()
    link = TicketFeedbackLink.objects.get()
    assert link.importance == "important"
    assert link.quote  # prefilled with the customer's words


def test_customer_rates_from_the_mail_link(page, live_server, settings):
    settings.CSAT_DELAY_MINUTES = 0
    team = factories.TeamFactory()
    ticket = factories.TicketFactory(team=team, status=Status.SOLVED, solved_at=clock.now())
    survey = CsatSurvey.objects.create(
        ticket=ticket, customer=ticket.requester, token="tok", due_at=clock.now()
    )
    url = csat_link(survey, "bad").split("/feedback/", 1)[1]
    page.goto(f"{live_server.url}/feedback/{url}")
    survey.refresh_from_db()
    assert survey.rating == ""  # opening the link votes nothing
    page.fill("textarea[name=comment]", "Took too long")
    page.click("text=Confirm my rating")
    page.wait_for_load_state()
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == ("bad", "Took too long")
    assert_accessible(page)  # the thank-you page
