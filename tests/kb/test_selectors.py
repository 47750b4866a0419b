"""Visibility on every read path: drafts never public, internal-only never to customers or
visitors (help center, category, search, suggestions, sitemap)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from kb import selectors
from support.errors import NotFound
from tests import factories


@pytest.fixture
def articles(db):
    section = factories.KbSectionFactory()
    return {
        "public": factories.KbArticleFactory(
            section=section, title="Export your data", slug="export", body="export to csv"
        ),
        "internal": factories.KbArticleFactory(
            section=section,
            title="Export playbook",
            slug="export-internal",
            internal=True,
            body="export internal steps",
        ),
        "draft": factories.KbArticleFactory(
            section=section,
            title="Export draft",
            slug="export-draft",
            status="draft",
            body="export draft",
        ),
        "archived": factories.KbArticleFactory(
            section=section,
            title="Export old",
            slug="export-old",
            status="archived",
            body="export old",
        ),
    }


def readers():
    return {
        "visitor": AnonymousUser(),
        "customer": factories.CustomerUserFactory(),
    }


@pytest.mark.parametrize("who", ["visitor", "customer"])
def test_customers_and_visitors_read_only_public_published_articles(articles, who):
    user = readers()[who]
    assert list(selectors.articles_readable_by(user)) == [articles["public"]]
    for name in ("internal", "draft", "archived"):
        with pytest.raises(NotFound):
            selectors.article_get_for_reader(user=user, language="en", slug=articles[name].slug)
    found = selectors.search_for_reader(user=user, query="export")
    assert found == [articles["public"]]
    category, sections = selectors.category_get_for_reader(
        user=user, slug=articles["public"].section.category.slug
    )
    assert [a.slug for s in sections for a in s.readable] == ["export"]
    assert selectors.related_articles(article=articles["public"], user=user) == []


def test_agents_also_read_internal_articles_but_never_drafts(articles, agent):
    readable = set(selectors.articles_readable_by(agent))
    assert readable == {articles["public"], articles["internal"]}
    assert set(selectors.search_for_reader(user=agent, query="export")) == readable
    with pytest.raises(NotFound):
        selectors.article_get_for_reader(user=agent, language="en", slug="export-draft")


def test_suggestions_and_sitemap_are_public_only_whoever_asks(articles):
    assert selectors.suggestions(query="export") == [articles["public"]]
    assert list(selectors.sitemap_articles()) == [articles["public"]]


def test_an_inactive_agent_is_a_visitor(articles):
    former = factories.AgentFactory(is_active=False)
    assert list(selectors.articles_readable_by(former)) == [articles["public"]]


def test_search_needs_every_word_and_ranks_title_matches_first(db):
    section = factories.KbSectionFactory()
    body_only = factories.KbArticleFactory(
        section=section, title="Billing basics", body="how to export invoices", summary=""
    )
    in_title = factories.KbArticleFactory(
        section=section, title="Export invoices", body="steps", summary=""
    )
    factories.KbArticleFactory(section=section, title="Invoices", body="pdf", summary="")
    assert selectors.search_for_reader(user=None, query="export invoices") == [
        in_title,
        body_only,
    ]
    assert selectors.search_for_reader(user=None, query="  ") == []


def test_highlight_escapes_text_and_marks_terms():
    out = selectors.highlight("Use <b>export</b> to get a CSV export", ["export"])
    assert "<b>" not in out and "&lt;b" in out
    assert out.count("<mark>export</mark>") == 2


@pytest.mark.postgres
def test_postgres_search_is_language_aware(db):
    section = factories.KbSectionFactory()
    de = factories.KbArticleFactory(
        section=section, language="de", title="Rechnungen herunterladen", body="Alle Rechnungen"
    )
    en = factories.KbArticleFactory(section=section, title="Downloading invoices", body="x")
    # German stemming finds "Rechnung" in "Rechnungen"; English stemming finds "download".
    assert selectors.search_for_reader(user=None, query="Rechnung", language="de") == [de]
    assert selectors.search_for_reader(user=None, query="download") == [en]


def test_suggestions_match_any_meaningful_word_best_first(db):
    section = factories.KbSectionFactory()
    export = factories.KbArticleFactory(
        section=section, title="Export your data to CSV", body="Settings, Data, Export", summary=""
    )
    button = factories.KbArticleFactory(
        section=section, title="Find your way around", body="every button", summary=""
    )
    factories.KbArticleFactory(section=section, title="Dark mode", body="the theme", summary="")
    found = selectors.suggestions(query="I can't find the export button")
    assert found[0] == export or found[0] == button
    assert set(found) == {export, button}
    assert selectors.suggestions(query="the and for") == []
