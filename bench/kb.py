"""The knowledge base's benchmarks (issue 16), registered from ``bench.scenarios``: the help
center's search and the request form's suggestions over 10,000 articles in English, German and
Spanish (``bench.kb_dataset``, made on first use), as a visitor asks for them.

The harness raises the suggestions' rate limit (``bench/__main__.py``): the bench measures the
answer, not the 429 a visitor would get after 60 requests a minute.
"""

from __future__ import annotations

from urllib.parse import urlencode

from bench.context import Context
from bench.core import Request, page


def _ready(ctx: Context) -> None:
    from bench.kb_dataset import articles_ensure

    if not getattr(ctx, "_kb_ready", False):
        articles_ensure()
        ctx._kb_ready = True


def _search(ctx: Context, q: str, language: str) -> Request:
    _ready(ctx)
    return Request("/help/search/?" + urlencode({"q": q}), headers={"Accept-Language": language})


def _suggest(ctx: Context, subject: str, language: str) -> Request:
    _ready(ctx)
    return Request(
        "/help/suggest/?" + urlencode({"subject": subject, "kb_session": ""}),
        headers={"Accept-Language": language, "HX-Request": "true"},
    )


@page("Help-center search, a common word (10,000 articles, 3 languages)", target="p50 ≤ 100 ms")
def kb_search_common(ctx: Context) -> Request:
    return _search(ctx, "invoice", "en")


@page("Help-center search, two words, German reader", target="p50 ≤ 100 ms")
def kb_search_german(ctx: Context) -> Request:
    return _search(ctx, "Rechnung herunterladen", "de")


@page("Help-center search, a word in no article", target="p50 ≤ 100 ms")
def kb_search_nothing(ctx: Context) -> Request:
    return _search(ctx, "zyzzogeton", "en")


@page("Suggestions, a subject of six words (English)", target="p50 ≤ 50 ms")
def kb_suggest_english(ctx: Context) -> Request:
    return _suggest(ctx, "I cannot download the invoice for my plan", "en")


@page("Suggestions, a Spanish subject, Spanish reader", target="p50 ≤ 50 ms")
def kb_suggest_spanish(ctx: Context) -> Request:
    return _suggest(ctx, "No puedo restablecer la contraseña de mi cuenta", "es")
