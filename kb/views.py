"""The help center (``/help/``): public by default, or sign-in required (admin → Knowledge base
settings). Every read goes through ``kb.selectors``, which keeps drafts and internal-only
articles from customers and visitors."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kb import selectors, services
from kb.models import Language
from support import ratelimit
from support.errors import NotFound
from tickets.downloads import attachment_response

VISITOR_COOKIE = "kb_visitor"
VISITOR_SALT = "kb.visitor"
VISITOR_MAX_AGE = 365 * 24 * 3600
DEFLECTION_PARAM = "ds"
SEARCH_PARAM = "sq"  # on search results' links: the search that led to the article


def visitor_id(request: HttpRequest) -> str | None:
    """The visitor's id from the signed cookie (tampered or missing: none)."""
    try:
        return request.get_signed_cookie(VISITOR_COOKIE, salt=VISITOR_SALT, max_age=VISITOR_MAX_AGE)
    except (KeyError, signing.BadSignature):
        return None


def _set_visitor(response: HttpResponse, visitor: str) -> None:
    response.set_signed_cookie(
        VISITOR_COOKIE,
        visitor,
        salt=VISITOR_SALT,
        max_age=VISITOR_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=False,
    )


def _reader_key(request: HttpRequest) -> str:
    """Who reads, for counting a view once a day: the visitor cookie, the signed-in person, else
    the address and browser (hashed; nothing is stored but a day's cache key)."""
    visitor = visitor_id(request)
    if visitor:
        return f"v{visitor}"
    if request.user.is_authenticated:
        return f"u{request.user.pk}"
    raw = f"{request.META.get('REMOTE_ADDR', '')}|{request.headers.get('user-agent', '')}"
    return "a" + hashlib.sha256(raw.encode()).hexdigest()[:24]


def reader(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Lets anyone read, unless the admin setting asks for a sign-in."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if selectors.sign_in_required() and not request.user.is_authenticated:
            return redirect(f"{reverse('portal:sign-in')}?next={request.get_full_path()}")
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapped


@require_GET
@reader
def home(request: HttpRequest) -> HttpResponse:
    categories = selectors.categories_for_reader(user=request.user, language=get_language())
    return render(request, "kb/home.html", {"categories": categories, "nav": "help"})


@require_GET
@reader
def category(request: HttpRequest, slug: str) -> HttpResponse:
    cat, sections = selectors.category_get_for_reader(
        user=request.user, slug=slug, language=get_language()
    )
    return render(
        request, "kb/category.html", {"category": cat, "sections": sections, "nav": "help"}
    )


@require_GET
@reader
def article(request: HttpRequest, language: str, slug: str) -> HttpResponse:
    art = selectors.article_get_for_reader(user=request.user, language=language, slug=slug)
    selectors.places_in([art], get_language())
    services.article_view_record(
        article=art, reader=_reader_key(request), user_agent=request.headers.get("user-agent", "")
    )
    searched = request.GET.get(SEARCH_PARAM, "")
    if searched:
        services.search_click_record(query=searched[:200], language=get_language())
    session = selectors.deflection_get(token=request.GET.get(DEFLECTION_PARAM, ""))
    if session is not None:
        services.deflection_opened(session=session, article=art)
    visitor = visitor_id(request)
    vote = art.votes.filter(visitor=visitor).first() if visitor else None
    translations = selectors.translations_of(article=art, user=request.user)
    reader_language = get_language()
    context = {
        "article": art,
        "translations": translations,
        # Shown in another language than the reader's, and not translated into theirs: a note.
        "untranslated": art.language != reader_language
        and all(t.language != reader_language for t in translations),
        "reader_language": reader_language,
        "related": selectors.related_articles(
            article=art, user=request.user, language=get_language()
        ),
        "vote": vote,
        "nav": "help",
    }
    return render(request, "kb/article.html", context)


@require_POST
@reader
def vote(request: HttpRequest, language: str, slug: str) -> HttpResponse:
    art = selectors.article_get_for_reader(user=request.user, language=language, slug=slug)
    selectors.places_in([art], get_language())
    answer = request.POST.get("helpful")
    if answer not in ("yes", "no"):
        return HttpResponse(_("Answer yes or no."), status=400)
    visitor = visitor_id(request) or uuid.uuid4().hex
    cast = services.article_vote(article=art, visitor=visitor, helpful=answer == "yes")
    template = "kb/_vote.html" if request.htmx else "kb/article.html"
    context = {"article": art, "vote": cast, "just_voted": True, "nav": "help"}
    if not request.htmx:
        context["related"] = selectors.related_articles(
            article=art, user=request.user, language=get_language()
        )
    response = render(request, template, context)
    _set_visitor(response, visitor)
    return response


@require_GET
@reader
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    language = request.GET.get("lang", "")
    language = language if language in Language.values else None
    hits = []
    if query:
        found = selectors.search_for_reader(user=request.user, query=query, language=language)
        hits = selectors.search_hits(selectors.places_in(found, get_language()), query)
        if not request.htmx:
            services.search_record(query=query, language=get_language(), found=len(found))
    template = "kb/_search_results.html" if request.htmx else "kb/search.html"
    return render(request, template, {"q": query, "hits": hits, "nav": "help"})


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """The portal form's suggestions (htmx): public articles only, whoever asks, recorded as
    shown in the form's deflection session."""
    limited = ratelimit.hit(
        "kb:suggest",
        ratelimit.client_ip(request),
        limit=settings.KB_SUGGEST_RATE_PER_MINUTE,
        window=60,
        aligned=True,
    )
    if not limited.allowed:
        response = render(request, "kb/_suggest_limited.html", status=429)
        response["Retry-After"] = str(limited.retry_after or 60)
        return response
    query = " ".join(
        part for part in (request.GET.get("subject", ""), request.GET.get("body", "")[:200]) if part
    ).strip()[:300]
    articles = selectors.suggestions(query=query, language=get_language()) if query else []
    session = selectors.deflection_get(token=request.GET.get("kb_session", ""))
    if session is None and articles:
        # The form's first suggestions start its session; the token goes back into the form.
        user = request.user
        customer = (
            getattr(user, "customer", None) if user.is_authenticated and user.is_customer else None
        )
        session = services.deflection_start(customer=customer)
    if session is not None and query:
        services.deflection_shown(session=session, query=query, articles=articles)
    return render(
        request,
        "kb/_suggestions.html",
        {"articles": articles, "session": session, "q": query},
    )


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    if selectors.sign_in_required():
        articles = []
    else:
        articles = selectors.sitemap_articles()
    base = request.build_absolute_uri("/")[:-1]
    return render(
        request,
        "kb/sitemap.xml",
        {"articles": articles, "base": base},
        content_type="application/xml",
    )


@require_GET
@reader
def article_file(request: HttpRequest, file_id, name: str) -> HttpResponse:
    """An article's image (shown inline) or attachment (a download), served like a ticket
    attachment; an internal or unpublished article's files reach agents only."""
    stored = selectors.article_file_get_for_reader(user=request.user, file_id=file_id)
    public = stored.article.is_public
    return attachment_response(stored, inline=True, private=not public)
