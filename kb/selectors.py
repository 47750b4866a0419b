"""Knowledge-base reads, with who may see what decided here once:

- a draft or archived article is never public; only the editor pages (agents) read them;
- an internal-only article reaches agents only — never a customer or a visitor, by any path
  (help center, search, suggestions, sitemap, API with a customer's token);
- anything out of reach is *not found*, whether it exists or not.
"""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from accounts.models import Role, User
from kb.models import (
    SEARCH_CONFIG,
    Article,
    ArticleFile,
    ArticleRevision,
    ArticleSend,
    ArticleStatus,
    Category,
    DeflectionSession,
    KbSettings,
    Section,
)
from support.errors import NotFound
from tickets.models import MessageKind, Ticket
from tickets.selectors import tickets_visible_to

SEARCH_LIMIT = 20
SUGGEST_LIMIT = 5
MAX_TERMS = 8


def is_agent(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_agent)


def sign_in_required() -> bool:
    row = KbSettings.objects.filter(pk=1).only("sign_in_required").first()
    return bool(row and row.sign_in_required)


def confirmation_articles_enabled() -> bool:
    row = KbSettings.objects.filter(pk=1).only("confirmation_articles").first()
    return bool(row and row.confirmation_articles)


def articles_readable_by(user: User | None) -> QuerySet[Article]:
    """Published articles the reader may see in the help center: internal-only ones to agents."""
    articles = Article.objects.published()
    if not is_agent(user):
        articles = articles.filter(internal=False)
    return articles


def in_language(articles: QuerySet[Article], language: str | None) -> QuerySet[Article]:
    """One version of each article for a reader of ``language``: theirs where it is translated,
    else the default language's (an article's translations share its slug)."""
    default = settings.LANGUAGE_CODE
    if not language or language == default:
        return articles.filter(language=default)
    translated = articles.filter(language=language).values("slug")
    return articles.filter(Q(language=language) | Q(language=default) & ~Q(slug__in=translated))


def translations_of(*, article: Article, user: User | None) -> list[Article]:
    """The article's other readable languages (same slug), for "also in" links."""
    return list(
        articles_readable_by(user)
        .filter(slug=article.slug)
        .exclude(pk=article.pk)
        .only("slug", "language", "title")
        .order_by("language")
    )


def article_file_get_for_reader(*, user: User | None, file_id) -> ArticleFile:
    """An article's image or attachment, for whoever may read the article (agents: any, drafts
    and internal-only included, for the editor's preview)."""
    try:
        parsed = uuid.UUID(str(file_id))
    except ValueError:
        raise NotFound(gettext("No such file.")) from None
    stored = ArticleFile.objects.select_related("article").filter(pk=parsed).first()
    if stored is None:
        raise NotFound(gettext("No such file."))
    if not is_agent(user) and not articles_readable_by(user).filter(pk=stored.article_id).exists():
        raise NotFound(gettext("No such file."))
    return stored


def article_get_for_reader(*, user: User | None, language: str, slug: str) -> Article:
    article = (
        articles_readable_by(user)
        .select_related("section__category")
        .filter(language=language, slug=slug)
        .first()
    )
    if article is None:
        raise NotFound(gettext("No such article."))
    return article


def places_in(articles: list[Article], language: str | None) -> list[Article]:
    """Show each article's section and category in ``language`` (names translated where they
    are, else the default's): two queries for any number of articles, none for a reader of the
    default language (it has no translations)."""
    if not language or language == settings.LANGUAGE_CODE:
        return articles
    prefetch_related_objects(articles, "section__translations", "section__category__translations")
    for article in articles:
        article.section.show_in(language)
        article.section.category.show_in(language)
    return articles


def categories_for_reader(*, user: User | None, language: str | None = None) -> list[Category]:
    """Categories with their sections and how many readable articles each holds (one per
    translation group, see ``in_language``); empty ones are left out."""
    readable = in_language(articles_readable_by(user), language)
    sections = Section.objects.annotate(
        article_count=Count("articles", filter=Q(articles__in=readable.values("pk")))
    ).filter(article_count__gt=0)
    categories = Category.objects.prefetch_related(
        "translations", Prefetch("sections", queryset=sections.prefetch_related("translations"))
    )
    shown = [c for c in categories if c.sections.all()]
    for category in shown:
        category.show_in(language)
        for section in category.sections.all():
            section.show_in(language)
    return shown


def category_get_for_reader(
    *, user: User | None, slug: str, language: str | None = None
) -> tuple[Category, list[Section]]:
    category = Category.objects.prefetch_related("translations").filter(slug=slug).first()
    if category is None:
        raise NotFound(gettext("No such category."))
    category.show_in(language)
    articles = in_language(articles_readable_by(user), language).only(
        "title", "slug", "language", "summary", "section_id"
    )
    sections = [
        s
        for s in category.sections.prefetch_related(
            "translations", Prefetch("articles", queryset=articles, to_attr="readable")
        )
        if s.readable
    ]
    if not sections:
        raise NotFound(gettext("No such category."))
    for section in sections:
        section.show_in(language)
    return category, sections


def related_articles(
    *, article: Article, user: User | None, limit: int = 5, language: str | None = None
) -> list[Article]:
    """Same section first, then articles sharing a tag; readable ones only, one version of each
    in the reader's ``language`` (else the article's own), never the article or its translations."""
    readable = in_language(articles_readable_by(user), language or article.language).exclude(
        slug=article.slug
    )
    tag_q = Q()
    for tag in article.tag_list:
        tag_q |= Q(tags__icontains=tag)
    picked = list(readable.filter(section_id=article.section_id)[:limit])
    if len(picked) < limit and tag_q:
        picked += list(
            readable.filter(tag_q).exclude(pk__in=[a.pk for a in picked])[: limit - len(picked)]
        )
    return picked


def sitemap_articles() -> QuerySet[Article]:
    """Public articles only, whatever the sitemap's reader is."""
    return Article.objects.public().only("slug", "language", "updated_at").order_by("pk")


# --- search -----------------------------------------------------------------------------------

WORD = re.compile(r"\w+", re.UNICODE)


def search_terms(query: str) -> list[str]:
    return [t for t in WORD.findall(query.lower()) if len(t) > 1][:MAX_TERMS]


# Words too common to suggest an article by (the subject "I can't find the export button"
# should suggest by "find", "export", "button").
STOPWORDS = frozenset(
    """a an and are as at be but by can can't cannot could do does for from has have how i if in
    into is it its me my no not of on or our please so that the their there this to us was we
    what when where which why will with you your
    der die das und ist nicht ein eine ich wie mit für von zu auf den dem
    el la los las un una y es no en de del por para con que como mi""".split()
)


def _search(
    articles: QuerySet[Article],
    query: str,
    *,
    language: str | None,
    limit: int,
    match_all: bool = True,
    languages: list[str] | None = None,
):
    """Every term must match (search), or any term, ranked by how many match (suggestions)."""
    terms = search_terms(query)
    if not match_all:
        terms = [t for t in terms if t not in STOPWORDS]
    if not terms:
        return []
    if language:
        articles = articles.filter(language=language)
    if connection.vendor == "postgresql":
        return _search_postgres(
            articles,
            query,
            terms,
            language=language,
            limit=limit,
            match_all=match_all,
            languages=languages,
        )

    # SQLite (the embedded default): terms in the title, summary, tags or body; title and
    # summary matches rank first.
    def term_q(term: str) -> Q:
        return (
            Q(title__icontains=term)
            | Q(summary__icontains=term)
            | Q(tags__icontains=term)
            | Q(body__icontains=term)
        )

    if match_all:
        for term in terms:
            articles = articles.filter(term_q(term))
    else:
        any_term = Q()
        for term in terms:
            any_term |= term_q(term)
        articles = articles.filter(any_term)
    found = list(articles.select_related("section__category")[: limit * 10])

    def score(a: Article) -> tuple:
        title, summary = a.title.lower(), a.summary.lower()
        text = f"{title} {summary} {a.tags.lower()} {a.body.lower()}"
        return (
            -sum(t in text for t in terms) * 10
            - sum(t in title for t in terms) * 3
            - sum(t in summary for t in terms),
            a.title,
        )

    return sorted(found, key=score)[:limit]


# At most this many matches of one language are ranked: a word in thousands of articles costs
# the same as one in a few hundred (the slice is what the GIN index returns first).
RANK_SLICE = 300
FILL_SLICE = 100  # suggestions' "any word" pass, after the articles with every word


def _ranked(
    articles: QuerySet[Article], search_query, limit: int, *, slice_size: int = RANK_SLICE
) -> list[tuple[float, str, int]]:
    """(rank, title, id) of the best ``limit`` matches among a bounded slice of them: ids and
    ranks alone, a narrow query the planner answers from the language's GIN index (with the
    page's joins and wide columns it preferred the status index and filtered every row)."""
    from django.contrib.postgres.search import SearchRank

    matching = articles.filter(search_vector=search_query)
    slice_ids = matching.order_by().values("pk")[:slice_size]  # unordered: as the index gives them
    return [
        (rank, title, pk)
        for pk, rank, title in Article.objects.filter(pk__in=slice_ids)
        .annotate(rank=SearchRank(F("search_vector"), search_query))
        .order_by("-rank", "title")
        .values_list("pk", "rank", "title")[:limit]
    ]


def _search_postgres(
    articles: QuerySet[Article],
    query: str,
    terms: list[str],
    *,
    language: str | None,
    limit: int,
    match_all: bool,
    languages: list[str] | None = None,
):
    """Each language's articles against the query parsed in that language's configuration,
    read from the stored vectors through the GIN index of published articles (``kb.search``):
    nothing is parsed but the query; at most ``RANK_SLICE`` matches per language are ranked, and
    the page's articles are read by id afterwards."""
    from django.contrib.postgres.search import SearchQuery

    languages = [language] if language else (languages or list(SEARCH_CONFIG))
    ranked: list[tuple[float, str, int]] = []
    for lang in languages:
        config = SEARCH_CONFIG[lang]
        if match_all:
            queries = [SearchQuery(query, search_type="websearch", config=config)]
        else:
            # Articles with every word first (few, and the best); any word only if they are
            # not enough. Terms are \w+ words, so the raw queries cannot be malformed.
            queries = [
                SearchQuery(" & ".join(terms), search_type="raw", config=config),
                SearchQuery(" | ".join(terms), search_type="raw", config=config),
            ]
        seen: set[int] = set()
        for n, search_query in enumerate(queries):
            ranked_here = _ranked(
                articles.filter(language=lang).exclude(pk__in=seen),
                search_query,
                limit,
                slice_size=FILL_SLICE if n else RANK_SLICE,
            )
            seen.update(pk for *_, pk in ranked_here)
            ranked += ranked_here
            if len(seen) >= limit:
                break
    ranked.sort(key=lambda r: (-r[0], r[1]))
    ranked = ranked[:limit]
    found = Article.objects.select_related("section__category").defer("search_vector")
    by_id = found.in_bulk([pk for *_, pk in ranked])
    page = []
    for rank, _title, pk in ranked:
        article = by_id[pk]
        article.rank = rank
        page.append(article)
    return page


def search_for_reader(
    *, user: User | None, query: str, language: str | None = None, limit: int = SEARCH_LIMIT
) -> list[Article]:
    return _search(articles_readable_by(user), query, language=language, limit=limit)


def suggestions(
    *, query: str, language: str | None = None, limit: int = SUGGEST_LIMIT
) -> list[Article]:
    """Deflection suggestions in the portal's request form: public articles only, whoever asks,
    one version per article in the reader's language (or the default)."""
    articles = Article.objects.public()
    languages = None
    if language is not None:
        articles = in_language(articles, language)
        # Only the reader's language and the default one can be among them.
        wanted = dict.fromkeys([language, settings.LANGUAGE_CODE])
        languages = [code for code in wanted if code in SEARCH_CONFIG]
    return _search(
        articles, query, language=None, limit=limit, match_all=False, languages=languages
    )


def highlight(text: str, terms: list[str], *, width: int = 180) -> SafeString:
    """An escaped excerpt of ``text`` around the first term, each term wrapped in ``<mark>``."""
    plain = re.sub(r"[#*_`>\[\]()|-]+", " ", text)
    plain = re.sub(r"\s+", " ", plain).strip()
    lower = plain.lower()
    positions = [lower.find(t) for t in terms if lower.find(t) >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    excerpt = plain[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(plain) else ""
    escaped = html.escape(excerpt)
    if terms:
        pattern = re.compile("|".join(re.escape(html.escape(t)) for t in terms), re.IGNORECASE)
        escaped = pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped)
    return mark_safe(prefix + escaped + suffix)  # noqa: S308 - built from escaped text only


@dataclass
class SearchHit:
    article: Article
    title: SafeString
    excerpt: SafeString


def search_hits(articles: list[Article], query: str) -> list[SearchHit]:
    terms = search_terms(query)
    return [
        SearchHit(
            article=a,
            title=highlight(a.title, terms, width=400),
            excerpt=highlight(f"{a.summary} {a.body}", terms),
        )
        for a in articles
    ]


# --- editor (agents) --------------------------------------------------------------------------


def articles_for_editor(*, status: str = "", query: str = "") -> QuerySet[Article]:
    articles = Article.objects.select_related("section__category", "author").order_by(
        "-updated_at", "-pk"
    )
    if status in ArticleStatus.values:
        articles = articles.filter(status=status)
    for term in search_terms(query):
        articles = articles.filter(Q(title__icontains=term) | Q(slug__icontains=term))
    return articles


def article_get_for_editor(*, user: User, article_id: int) -> Article:
    if not is_agent(user):
        raise NotFound(gettext("No such article."))
    article = (
        Article.objects.select_related("section__category", "author").filter(pk=article_id).first()
    )
    if article is None:
        raise NotFound(gettext("No such article."))
    return article


def draft_from_ticket(*, ticket: Ticket) -> dict:
    """The editor's starting point for "Create article from this ticket": the subject as title,
    the agent's latest public reply as the body (never an internal note), the ticket's tags."""
    reply = (
        ticket.messages.filter(kind=MessageKind.REPLY, author_user__isnull=False)
        .exclude(author_user__role=Role.CUSTOMER)
        .order_by("-created_at", "-id")
        .only("body_text")
        .first()
    )
    tags = [t for t in ticket.tags.values_list("name", flat=True) if ":" not in t]
    return {
        "title": ticket.subject[:200],
        "body": reply.body_text if reply is not None else "",
        "tags": ", ".join(sorted(tags)),
    }


def tickets_using(*, article: Article, agent: User, limit: int = 50) -> list[dict]:
    """The tickets the article was sent in (and the one it was started from) that the agent can
    see, newest first: what the article page lists under "Used in tickets"."""
    visible = tickets_visible_to(agent)
    sends = (
        ArticleSend.objects.filter(article=article, ticket__in=visible)
        .select_related("ticket", "by")
        .order_by("-at", "-id")[:limit]
    )
    rows: dict[int, dict] = {}
    for send in sends:
        rows.setdefault(
            send.ticket_id,
            {"ticket": send.ticket, "at": send.at, "by": send.by, "how": "sent"},
        )
    source = article.source_ticket_id
    if source and source not in rows:
        ticket = visible.filter(pk=source).first()
        if ticket is not None:
            rows[source] = {"ticket": ticket, "at": article.created_at, "by": article.author,
                            "how": "source"}  # fmt: skip
    return sorted(rows.values(), key=lambda r: r["at"], reverse=True)


def revision_get(*, article: Article, number: int) -> ArticleRevision:
    revision = article.revisions.select_related("by").filter(number=number).first()
    if revision is None:
        raise NotFound(gettext("No such revision."))
    return revision


def deflection_get(*, token: str) -> DeflectionSession | None:
    try:
        parsed = uuid.UUID(str(token))
    except ValueError:
        return None
    return DeflectionSession.objects.filter(token=parsed).first()
