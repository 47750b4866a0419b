"""The articles' stored search vectors (PostgreSQL).

Each article's words are parsed once, when a service saves it, in its own language's text-search
configuration (``SEARCH_CONFIG``: English, German or Spanish stemming and stop words), weighted
title A, summary and tags B, body C, and stored in ``Article.search_vector``. A partial GIN index
per language over published articles' vectors (``kb_article_search_<language>``, migration 0001;
a language added to ``SEARCH_CONFIG`` needs its own) answers the help center's search and the
request form's suggestions without parsing any article at query time. SQLite has none of this:
its search reads the text (``kb.selectors``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet

from kb.models import SEARCH_CONFIG, Article


def _config_sql() -> str:
    cases = " ".join(
        f"WHEN '{language}' THEN '{config}'::regconfig"
        for language, config in SEARCH_CONFIG.items()
    )
    return f"CASE language {cases} ELSE 'simple'::regconfig END"


def vector_sql() -> str:
    """The SQL expression of an ``kb_article`` row's vector (also the migration's backfill)."""
    config = _config_sql()
    return (
        f"setweight(to_tsvector({config}, coalesce(title, '')), 'A') || "
        f"setweight(to_tsvector({config}, coalesce(summary, '') || ' ' || coalesce(tags, '')), "
        "'B') || "
        f"setweight(to_tsvector({config}, coalesce(body, '')), 'C')"
    )


def index_articles(articles: QuerySet[Article] | Iterable[int]) -> None:
    """Store the vectors of these articles (a queryset or ids): one UPDATE."""
    if connection.vendor != "postgresql":
        return
    if isinstance(articles, QuerySet):
        ids = list(articles.values_list("pk", flat=True))
    else:
        ids = list(articles)
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE kb_article SET search_vector = {vector_sql()} WHERE id = ANY(%s)",  # noqa: S608 - no user input in the SQL
            [ids],
        )
