"""Every write to the knowledge base. Keyword-only, typed, one transaction each; a refused change
raises a ``support.errors.DomainError`` with a sentence a person can read."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from pathlib import PurePath

from django.core.cache import cache
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from customers.models import Customer
from kb import events, markdown
from kb.models import (
    Article,
    ArticleFile,
    ArticleRevision,
    ArticleSend,
    ArticleStatus,
    ArticleView,
    ArticleVote,
    DeflectionSession,
    Language,
    SearchTerm,
    Section,
)
from kb.search import index_articles
from support import clock
from support.errors import AlreadyExists, InvalidChange, NotPermitted, ValidationFailed
from tickets.models import Message, Ticket
from tickets.services import check_attachments

EDITABLE = ("section", "title", "slug", "language", "summary", "body", "tags", "internal")


def require_editor(user: User) -> None:
    if not (user.is_active and user.is_agent):
        raise NotPermitted(_("Only agents and admins can edit the knowledge base."))


def _clean_tags(tags: str | Iterable[str]) -> str:
    items = tags.split(",") if isinstance(tags, str) else list(tags)
    seen: list[str] = []
    for item in items:
        tag = item.strip().lower()
        if tag and tag not in seen:
            seen.append(tag)
    return ", ".join(seen)


def _revision_add(*, article: Article, by: User | None, note: str = "") -> ArticleRevision:
    last = article.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return ArticleRevision.objects.create(
        article=article,
        number=last + 1,
        title=article.title,
        summary=article.summary,
        body=article.body,
        by=by,
        at=clock.now(),
        note=note,
    )


SLUG_PATTERN = r"^[-_]*[a-zA-Z0-9][-a-zA-Z0-9_]*$"  # what slugify leaves something of


def slug_for(slug: str, name: str, *, current: str, kind: str) -> str:
    """``slug`` as stored, or made from ``name`` when none is given. A name that leaves no
    letters or digits (中文, Ελληνικά, "???") keeps the current slug, or gets ``<kind>-<hex>``; a
    slug given without one is refused (the API's schema says so with :data:`SLUG_PATTERN`)."""
    if slug:
        made = slugify(slug)[:200]
        if not made:
            raise ValidationFailed(_("The slug needs letters or digits."), field="slug")
        return made
    return slugify(name)[:200] or current or f"{kind}-{secrets.token_hex(4)}"


@transaction.atomic
def article_save(
    *,
    by: User,
    article: Article | None = None,
    section: Section,
    title: str,
    body: str,
    slug: str = "",
    language: str = Language.ENGLISH,
    summary: str = "",
    tags: str | Iterable[str] = "",
    internal: bool = False,
    source_ticket: Ticket | None = None,
) -> Article:
    """Create an article (as a draft) or change one, and record a revision when its title,
    summary or body changed. A slug already used by another article in the same language is a
    form error on ``slug``. ``source_ticket``: the ticket a new article was started from."""
    require_editor(by)
    title = title.strip()
    if not title:
        raise ValidationFailed(_("An article needs a title."), field="title")
    if not (body or "").strip():
        raise ValidationFailed(_("An article needs a body."), field="body")
    if language not in Language.values:
        raise ValidationFailed(_("Unknown language."), field="language")
    slug = slug_for(slug, title, current=article.slug if article else "", kind="article")
    taken = Article.objects.filter(slug=slug, language=language)
    if article is not None:
        taken = taken.exclude(pk=article.pk)
    if taken.exists():
        raise AlreadyExists(
            _(
                "Another article in this language already uses the address “%(slug)s”. "
                "Choose another slug."
            )
            % {"slug": slug},
            field="slug",
        )
    creating = article is None
    if creating:
        article = Article(author=by, source_ticket=source_ticket)
        before = None
    else:
        article = Article.objects.select_for_update().get(pk=article.pk)
        before = (article.title, article.summary, article.body)
    article.section = section
    article.title = title
    article.slug = slug
    article.language = language
    article.summary = summary.strip()
    article.body = body
    article.body_html = markdown.render(body)
    article.tags = _clean_tags(tags)
    article.internal = internal
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError as exc:  # a concurrent save took the slug between check and write
        raise AlreadyExists(
            _("Another article in this language already uses this address."), field="slug"
        ) from exc
    index_articles([article.pk])
    if creating or before != (article.title, article.summary, article.body):
        revision = _revision_add(article=article, by=by, note=_("Created") if creating else "")
        if not creating and article.is_public:
            events.publish(
                events.ARTICLE_UPDATED,
                key=f"{article.pk}:r{revision.number}",
                article_id=article.pk,
                by_id=by.pk,
            )
    return article


def _status_set(*, article: Article, by: User, status: str) -> Article:
    require_editor(by)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status == status:
        raise InvalidChange(
            _("The article is already %(status)s.") % {"status": article.get_status_display()}
        )
    article.status = status
    if status == ArticleStatus.PUBLISHED:
        article.published_at = clock.now()
    article.save(update_fields=["status", "published_at", "updated_at"])
    # Internal-only articles are announced to nobody: webhooks may feed public places.
    if article.is_public:
        events.publish(
            events.ARTICLE_PUBLISHED,
            key=f"{article.pk}:{article.published_at.isoformat()}",
            article_id=article.pk,
            by_id=by.pk,
        )
    return article


@transaction.atomic
def article_publish(*, article: Article, by: User) -> Article:
    return _status_set(article=article, by=by, status=ArticleStatus.PUBLISHED)


@transaction.atomic
def article_archive(*, article: Article, by: User) -> Article:
    return _status_set(article=article, by=by, status=ArticleStatus.ARCHIVED)


@transaction.atomic
def article_unpublish(*, article: Article, by: User) -> Article:
    return _status_set(article=article, by=by, status=ArticleStatus.DRAFT)


@transaction.atomic
def article_restore(*, article: Article, revision: ArticleRevision, by: User) -> Article:
    """Bring back a revision's title, summary and body; recorded as a new revision, so the
    restore itself can be undone."""
    require_editor(by)
    if revision.article_id != article.pk:
        raise ValidationFailed(_("That revision belongs to another article."))
    article = Article.objects.select_for_update().get(pk=article.pk)
    if (article.title, article.summary, article.body) == (
        revision.title,
        revision.summary,
        revision.body,
    ):
        raise InvalidChange(
            _("The article already reads like revision %(n)s.") % {"n": revision.number}
        )
    article.title = revision.title
    article.summary = revision.summary
    article.body = revision.body
    article.body_html = markdown.render(revision.body)
    article.save(update_fields=["title", "summary", "body", "body_html", "updated_at"])
    index_articles([article.pk])
    restored = _revision_add(
        article=article, by=by, note=_("Restored revision %(n)s") % {"n": revision.number}
    )
    if article.is_public:
        events.publish(
            events.ARTICLE_UPDATED,
            key=f"{article.pk}:r{restored.number}",
            article_id=article.pk,
            by_id=by.pk,
        )
    return article


@transaction.atomic
def article_vote(*, article: Article, visitor: str, helpful: bool) -> ArticleVote:
    """One answer per visitor and article: a second answer replaces the first."""
    if not visitor or len(visitor) > 64:
        raise ValidationFailed(_("No visitor id."))
    vote, _created = ArticleVote.objects.update_or_create(
        article=article, visitor=visitor, defaults={"helpful": helpful, "at": clock.now()}
    )
    return vote


# Crawlers, link previews and preloading browsers are not readers.
BOT_AGENT = re.compile(
    r"bot|crawl|spider|slurp|preview|facebookexternalhit|headless|curl|wget|python-requests|"
    r"httpclient|monitor",
    re.IGNORECASE,
)
VIEW_SEEN_SECONDS = 24 * 3600


def article_view_record(*, article: Article, reader: str = "", user_agent: str = "") -> bool:
    """Count a view: once per reader (visitor cookie, or signed-in user) per article per day,
    and never for a crawler. A refresh or a bot's GET adds nothing. True when counted."""
    if not user_agent or BOT_AGENT.search(user_agent):
        return False
    day = clock.now().date()
    if reader:
        seen = f"kb:viewed:{article.pk}:{reader}:{day.isoformat()}"
        if not cache.add(seen, 1, timeout=VIEW_SEEN_SECONDS):
            return False
    updated = ArticleView.objects.filter(article=article, day=day).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                ArticleView.objects.create(article=article, day=day, count=1)
        except IntegrityError:  # another request made today's row first
            ArticleView.objects.filter(article=article, day=day).update(count=F("count") + 1)
    return True


def normalize_query(query: str) -> str:
    return " ".join(query.lower().split())[:200]


def search_record(*, query: str, language: str, found: int) -> None:
    """One help-center search (a submitted search, not each keystroke)."""
    query = normalize_query(query)
    if not query:
        return
    day = clock.now().date()
    changes = {"searches": F("searches") + 1, "empty": F("empty") + (0 if found else 1)}
    rows = SearchTerm.objects.filter(query=query, language=language, day=day)
    if rows.update(**changes):
        return
    try:
        with transaction.atomic():
            SearchTerm.objects.create(
                query=query, language=language, day=day, searches=1, empty=0 if found else 1
            )
    except IntegrityError:
        rows.update(**changes)


def search_click_record(*, query: str, language: str) -> None:
    """A result of today's search for ``query`` was opened."""
    query = normalize_query(query)
    if query:
        SearchTerm.objects.filter(query=query, language=language, day=clock.now().date()).update(
            clicks=F("clicks") + 1
        )


# --- deflection -------------------------------------------------------------------------------


def deflection_start(*, customer: Customer | None) -> DeflectionSession:
    return DeflectionSession.objects.create(customer=customer, started_at=clock.now())


def deflection_shown(
    *, session: DeflectionSession, query: str, articles: Iterable[Article]
) -> None:
    articles = list(articles)
    session.last_query = query[:200]
    session.save(update_fields=["last_query"])
    if articles:
        session.shown.add(*articles)


def deflection_opened(*, session: DeflectionSession, article: Article) -> None:
    """An article opened from the suggestions. Only articles that were shown count."""
    if not session.shown.filter(pk=article.pk).exists():
        return
    session.opened.add(article)
    if session.opened_at is None:
        DeflectionSession.objects.filter(pk=session.pk, opened_at__isnull=True).update(
            opened_at=clock.now()
        )


def deflection_submitted(*, session: DeflectionSession, ticket: Ticket | None) -> None:
    """The request was filed anyway (``ticket`` is None while a signed-out request waits for its
    e-mail confirmation): not a deflection; the articles shown stay recorded."""
    if session.submitted_at is not None:
        return
    session.submitted_at = clock.now()
    session.ticket = ticket
    session.save(update_fields=["submitted_at", "ticket"])


# --- articles sent by agents ------------------------------------------------------------------

ARTICLE_LINK = re.compile(r"/help/articles/(?P<lang>[a-z]{2})/(?P<slug>[-a-z0-9_]+)/?")


def article_sends_record(*, message: Message) -> list[ArticleSend]:
    """Record the help-center articles an agent's public reply links to (idempotent)."""
    if not message.is_public or message.author_user_id is None:
        return []
    keys = {(m["lang"], m["slug"]) for m in ARTICLE_LINK.finditer(message.body_text or "")}
    if not keys:
        return []
    sends = []
    for lang, slug in sorted(keys):
        article = Article.objects.filter(language=lang, slug=slug).first()
        if article is None:
            continue
        send, _created = ArticleSend.objects.get_or_create(
            article=article,
            message=message,
            defaults={
                "ticket_id": message.ticket_id,
                "by_id": message.author_user_id,
                "at": message.created_at,
            },
        )
        sends.append(send)
    return sends


# --- images and attachments -------------------------------------------------------------------

ARTICLE_FILES_MAX = 50


@transaction.atomic
def article_file_add(*, article: Article, upload: File, by: User) -> ArticleFile:
    """Attach a file to an article (same rules as ticket attachments: no programs or scripts,
    the size limit)."""
    require_editor(by)
    check_attachments([upload])
    if article.files.count() >= ARTICLE_FILES_MAX:
        raise ValidationFailed(
            _("An article can have at most %(n)d files.") % {"n": ARTICLE_FILES_MAX}, field="file"
        )
    name = PurePath(upload.name).name
    stored = ArticleFile(
        article=article,
        name=name[:255],
        size=upload.size,
        content_type=getattr(upload, "content_type", None) or "application/octet-stream",
        uploaded_by=by,
    )
    stored.file.save(name, upload, save=False)
    stored.save()
    return stored


@transaction.atomic
def article_file_delete(*, stored: ArticleFile, by: User) -> None:
    require_editor(by)
    stored.file.delete(save=False)
    stored.delete()
