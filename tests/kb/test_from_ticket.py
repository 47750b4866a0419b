""" "Create article from this ticket": a draft quoting the agent's reply; the article page lists
the tickets it was used in (only those the agent can see)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kb.models import Article, ArticleSend
from support import clock
from tests import factories
from tickets.services import ticket_note, ticket_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(agent, customer):
    ticket = factories.TicketFactory(
        requester=customer, team=agent.teams.first(), subject="Export to CSV fails"
    )
    ticket_reply(ticket=ticket, body="Open Reports, choose CSV, then Export.", by=agent)
    ticket_note(ticket=ticket, body="SECRET internal workaround", by=agent)
    return ticket


def test_the_ticket_page_offers_to_create_an_article(client, agent, answered):
    client.force_login(agent)
    html = client.get(reverse("workspace:ticket", args=[answered.pk])).content.decode()
    assert f"/agent/kb/new/?from_ticket={answered.pk}" in html


def test_the_draft_quotes_the_agents_reply_and_never_a_note(client, agent, answered):
    client.force_login(agent)
    page = client.get(reverse("kb_agent:new"), {"from_ticket": answered.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="Export to CSV fails"' in html
    assert "Open Reports, choose CSV, then Export." in html
    assert "SECRET" not in html
    assert f'name="from_ticket" value="{answered.pk}"' in html


def test_saving_records_the_source_ticket_and_the_article_lists_it(client, agent, answered):
    section = factories.KbSectionFactory()
    client.force_login(agent)
    response = client.post(
        reverse("kb_agent:new"),
        {
            "title": "Exporting to CSV",
            "section": section.pk,
            "language": "en",
            "body": "Open Reports, choose CSV, then Export.",
            "from_ticket": answered.pk,
        },
    )
    article = Article.objects.get(slug="exporting-to-csv")
    assert response.status_code == 302
    assert article.status == "draft" and article.source_ticket == answered
    html = client.get(reverse("kb_agent:edit", args=[article.pk])).content.decode()
    assert "Used in tickets" in html and f"#{answered.pk} Export to CSV fails" in html
    assert "started from it" in html


def test_the_article_page_lists_tickets_it_was_sent_in_only_when_visible(
    client, agent, other_agent, answered
):
    article = factories.KbArticleFactory()
    hidden = factories.TicketFactory(subject="Another team's secret ticket")
    for ticket in (answered, hidden):
        ArticleSend.objects.create(
            article=article,
            ticket=ticket,
            message=factories.MessageFactory(ticket=ticket),
            by=agent,
            at=clock.now(),
        )
    client.force_login(agent)
    html = client.get(reverse("kb_agent:edit", args=[article.pk])).content.decode()
    assert "Export to CSV fails" in html and "sent in a reply" in html
    assert "Another team's secret ticket" not in html


def test_a_ticket_the_agent_cannot_see_is_not_found(client, agent):
    hidden = factories.TicketFactory(subject="Not yours")
    client.force_login(agent)
    assert client.get(reverse("kb_agent:new"), {"from_ticket": hidden.pk}).status_code == 404
    assert client.get(reverse("kb_agent:new"), {"from_ticket": "x"}).status_code == 404


def test_a_customer_cannot_start_an_article(client, answered):
    portal_customer_user = factories.CustomerUserFactory()
    client.force_login(portal_customer_user)
    response = client.get(reverse("kb_agent:new"), {"from_ticket": answered.pk})
    assert response.status_code in (302, 403, 404)
