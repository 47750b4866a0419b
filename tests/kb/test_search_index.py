"""The articles' stored search vectors on PostgreSQL (``kb.search``): written by the services in
the article's language, read by search and suggestions through the language's GIN index.

Run with ``DATABASE_URL=postgres://…`` (skipped on SQLite, whose search reads the text)."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb import selectors, services
from kb.models import Article
from tests import factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="PostgreSQL full-text search",
    ),
]


@pytest.fixture
def section():
    return factories.KbSectionFactory()


def _publish(admin, section, **fields):
    return services.article_publish(
        article=services.article_save(by=admin, section=section, **fields), by=admin
    )


def test_the_service_stores_the_vector_in_the_articles_language(admin_user, section):
    german = _publish(
        admin_user,
        section,
        title="Rechnungen herunterladen",
        slug="rechnungen",
        language="de",
        body="Öffnen Sie die Abrechnung.",
    )
    vector = Article.objects.values_list("search_vector", flat=True).get(pk=german.pk)
    assert "'rechnung':1A" in vector  # German stemming, the title weighted A
    found = selectors.search_for_reader(user=None, query="Rechnung")
    assert found == [german]


def test_a_restore_and_an_edit_index_the_new_text(admin_user, section):
    article = _publish(admin_user, section, title="Export data", slug="export", body="CSV files.")
    services.article_save(
        by=admin_user, article=article, section=section, title="Export data", slug="export",
        body="Spreadsheets only.",
    )  # fmt: skip
    assert selectors.search_for_reader(user=None, query="spreadsheets") == [article]
    assert selectors.search_for_reader(user=None, query="csv") == []
    services.article_restore(
        article=article, revision=article.revisions.get(number=1), by=admin_user
    )
    assert selectors.search_for_reader(user=None, query="csv") == [article]


def test_each_language_has_a_gin_index_of_published_vectors():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'kb_article_search_%'"
        )
        found = dict(cursor.fetchall())
    assert set(found) == {f"kb_article_search_{code}" for code in ("en", "de", "es")}
    for code in ("en", "de", "es"):
        definition = found[f"kb_article_search_{code}"]
        assert "USING gin (search_vector)" in definition
        assert "'published'" in definition and f"'{code}'" in definition


def test_only_a_bounded_unordered_slice_of_matches_is_ranked(admin_user, section):
    for n in range(3):
        _publish(admin_user, section, title=f"Invoice {n}", slug=f"invoice-{n}", body="Pay it.")
    with CaptureQueriesContext(connection) as captured:
        assert len(selectors.search_for_reader(user=None, query="invoice", language="en")) == 3
        assert len(selectors.suggestions(query="cannot pay the invoice", language="en")) == 3
    ranking = [q["sql"] for q in captured.captured_queries if "ts_rank" in q["sql"]]
    assert len(ranking) == 3  # search; suggestions with every word, then with any
    for sql in ranking:
        # The slice is what the index returns first: sorting it would read every match.
        inner = sql.split("IN (SELECT", 1)[1].split(")", 1)[0]
        assert f"LIMIT {selectors.RANK_SLICE})" in sql or f"LIMIT {selectors.FILL_SLICE})" in sql
        assert "ORDER BY" not in sql.split("IN (SELECT", 1)[1].split("LIMIT", 1)[0], inner


def test_an_internal_or_draft_article_is_not_found_through_the_index(admin_user, section):
    _publish(admin_user, section, title="Refund playbook", slug="refunds", body="x", internal=True)
    services.article_save(by=admin_user, section=section, title="Refund draft", body="y")
    assert selectors.search_for_reader(user=None, query="refund") == []
    assert selectors.suggestions(query="refund", language="en") == []
    assert [a.slug for a in selectors.search_for_reader(user=admin_user, query="refund")] == [
        "refunds"
    ]
