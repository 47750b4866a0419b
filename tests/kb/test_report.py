"""The knowledge report: deflection, views, votes, searches and the content-gap worklist."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from kb import services
from kb.models import ArticleSend, ArticleVote, SearchTerm
from kb.report import knowledge_report
from support import clock
from tests import factories
from tickets.models import Status, Tag

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0"


def _deflection(article, *, opened: bool, submitted: bool):
    session = services.deflection_start(customer=None)
    services.deflection_shown(session=session, query="export", articles=[article])
    if opened:
        services.deflection_opened(session=session, article=article)
    if submitted:
        ticket = factories.TicketFactory()
        services.deflection_submitted(session=session, ticket=ticket)


def test_deflection_rate_counts_opened_and_not_submitted(db):
    article = factories.KbArticleFactory()
    _deflection(article, opened=True, submitted=False)  # deflected
    _deflection(article, opened=True, submitted=True)
    _deflection(article, opened=False, submitted=True)
    _deflection(article, opened=False, submitted=False)
    report = knowledge_report(days=30)
    assert (report.sessions, report.opened, report.deflected) == (4, 2, 1)
    assert report.deflection_rate == 0.25


def test_views_votes_and_top_lists(db):
    popular, other = factories.KbArticleFactory(title="Popular"), factories.KbArticleFactory()
    for reader in ("a", "b", "c"):
        services.article_view_record(article=popular, reader=reader, user_agent=BROWSER)
    services.article_view_record(article=other, reader="a", user_agent=BROWSER)
    services.article_vote(article=popular, visitor="a", helpful=True)
    services.article_vote(article=popular, visitor="b", helpful=False)
    report = knowledge_report(days=30)
    assert report.views == 4
    assert report.top_viewed[0]["title"] == "Popular" and report.top_viewed[0]["views"] == 3
    assert report.helpful_ratio == 0.5
    assert ArticleVote.objects.count() == 2


def test_failed_searches_and_unanswered_topics_are_the_worklist(client, db, agent):
    factories.KbArticleFactory(title="Export invoices", tags="billing")
    client.get(reverse("kb:search"), {"q": "Webhook  retries"})
    client.get(reverse("kb:search"), {"q": "webhook retries"})
    client.get(reverse("kb:search"), {"q": "export"})
    assert SearchTerm.objects.get(query="webhook retries").empty == 2
    # Solved without an article: two tickets tagged "sso", one tagged "billing" (covered by an
    # article's tag), and one that got an article sent.
    sso = Tag.objects.create(name="sso")
    billing = Tag.objects.create(name="billing")
    for _ in range(2):
        t = factories.TicketFactory(
            subject="SSO login loop", status=Status.SOLVED, solved_at=clock.now()
        )
        t.tags.add(sso)
    t = factories.TicketFactory(status=Status.SOLVED, solved_at=clock.now())
    t.tags.add(billing)
    helped = factories.TicketFactory(
        subject="SSO login loop", status=Status.SOLVED, solved_at=clock.now()
    )
    helped.tags.add(sso)
    ArticleSend.objects.create(
        article=factories.KbArticleFactory(), ticket=helped,
        message=factories.MessageFactory(ticket=helped), by=agent, at=clock.now(),
    )  # fmt: skip
    gaps = {(g.kind, g.topic): g.count for g in knowledge_report(days=30).gaps}
    assert gaps[("search", "webhook retries")] == 2
    assert gaps[("search", "export")] == 1  # found, but nobody opened a result
    assert gaps[("tag", "sso")] == 2
    assert ("tag", "billing") not in gaps
    assert gaps[("subject", "sso login loop")] == 2


def test_opening_a_search_result_counts_a_click(client, db):
    article = factories.KbArticleFactory(title="Export invoices")
    client.get(reverse("kb:search"), {"q": "export"})
    client.get(
        reverse("kb:article", args=[article.language, article.slug]),
        {"sq": "export"},
        headers={"user-agent": BROWSER},
    )
    assert SearchTerm.objects.get(query="export").clicks == 1
    assert not [g for g in knowledge_report(days=30).gaps if g.topic == "export"]


def test_a_refresh_and_a_crawler_do_not_inflate_views(client, db):
    article = factories.KbArticleFactory()
    url = reverse("kb:article", args=[article.language, article.slug])
    for _ in range(3):
        client.get(url, headers={"user-agent": BROWSER})
    client.get(url, headers={"user-agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"})
    assert knowledge_report(days=30).views == 1


def test_the_report_page_and_its_draft_action(client, agent):
    client.force_login(agent)
    client.get(reverse("kb:search"), {"q": "webhook retries"})
    html = client.get(reverse("kb_agent:report")).content.decode()
    assert "Knowledge report" in html and "webhook retries" in html
    assert "/agent/kb/new/?title=webhook+retries" in html
    draft = client.get(reverse("kb_agent:new"), {"title": "webhook retries"}).content.decode()
    assert 'value="webhook retries"' in draft


def test_the_csv_exports_are_safe_and_complete(client, agent):
    client.force_login(agent)
    client.get(reverse("kb:search"), {"q": "=cmd|calc"})
    response = client.get(reverse("kb_agent:report_csv", args=["gaps"]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["kind", "topic", "count", "detail"]
    assert rows[1][1].startswith("'=")
    summary = client.get(reverse("kb_agent:report_csv", args=["summary"])).content.decode()
    assert "deflection_rate" in summary
    assert client.get(reverse("kb_agent:report_csv", args=["nope"])).status_code == 404
    assert client.get(reverse("kb_agent:report"), {"days": "abc"}).status_code == 400


def test_customers_and_visitors_cannot_see_the_report(client):
    assert client.get(reverse("kb_agent:report")).status_code in (302, 403, 404)
    client.force_login(factories.CustomerUserFactory())
    assert client.get(reverse("kb_agent:report")).status_code in (302, 403, 404)
    assert client.get(reverse("kb_agent:report_csv", args=["gaps"])).status_code in (302, 403, 404)
