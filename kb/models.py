"""Knowledge base: categories → sections → articles, their revisions, votes, views, the
deflection sessions of the portal's request form and the articles agents sent in replies."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class KbSettings(models.Model):
    """One row (admin → Knowledge base settings): whether the help center needs a sign-in, and
    whether the new-request confirmation mail suggests articles."""

    sign_in_required = models.BooleanField(
        _("sign-in required"),
        default=False,
        help_text=_("Only signed-in customers and agents can read the help center."),
    )
    confirmation_articles = models.BooleanField(
        _("articles in the confirmation mail"),
        default=False,
        help_text=_(
            "The mail confirming a new request lists up to three public articles matching its "
            "subject."
        ),
    )

    class Meta:
        verbose_name = _("knowledge base settings")
        verbose_name_plural = _("knowledge base settings")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="kb_settings_one_row")]

    def __str__(self) -> str:
        return "Knowledge base settings"


class Translated:
    """A category or section read in a language: ``label`` and ``blurb`` are its name and
    description in the language :meth:`show_in` was given (from its prefetched ``translations``),
    else the default language's (a translation with no description keeps the default one)."""

    shown: tuple[str, str] | None = None

    @property
    def label(self) -> str:
        return self.shown[0] if self.shown else self.name

    @property
    def blurb(self) -> str:
        return self.shown[1] if self.shown else self.description

    def show_in(self, language: str | None) -> None:
        self.shown = None
        for translation in self.translations.all():
            if translation.language == language:
                self.shown = (translation.name, translation.description or self.description)


class Category(Translated, models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Section(Translated, models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["category", "slug"], name="kb_section_slug_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category} › {self.name}"


class Language(models.TextChoices):
    """The languages an article can be written in (the help center's translations are to come)."""

    ENGLISH = "en", _("English")
    GERMAN = "de", _("German")
    SPANISH = "es", _("Spanish")


class TaxonomyTranslation(models.Model):
    """A category's or section's name and description in another language than the default."""

    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["language"]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    def clean(self) -> None:
        if self.language == settings.LANGUAGE_CODE:
            raise ValidationError(
                {"language": _("The name in the default language is the category's own name.")}
            )


class CategoryTranslation(TaxonomyTranslation):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="translations")

    class Meta(TaxonomyTranslation.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["category", "language"], name="kb_category_translation_unique"
            )
        ]


class SectionTranslation(TaxonomyTranslation):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="translations")

    class Meta(TaxonomyTranslation.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["section", "language"], name="kb_section_translation_unique"
            )
        ]


# PostgreSQL text-search configuration per article language.
SEARCH_CONFIG = {"en": "english", "de": "german", "es": "spanish"}


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        return self.filter(status=ArticleStatus.PUBLISHED)

    def public(self) -> ArticleQuerySet:
        """What a customer or visitor may read: published and not internal-only."""
        return self.published().filter(internal=False)


class Article(models.Model):
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("body (Markdown)"))
    # The body rendered and sanitized by the service that saved it (kb.markdown.render).
    body_html = models.TextField(editable=False, default="")
    tags = models.CharField(_("tags"), max_length=300, blank=True, help_text=_("Comma-separated"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    internal = models.BooleanField(
        _("internal only"), default=False, help_text=_("Only agents can read it.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # PostgreSQL: the article's words in its language's text-search configuration (title A,
    # summary and tags B, body C), written by the services (kb.search.index_articles) and read
    # by search and suggestions through a GIN index of published articles. Unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    # The ticket an agent started this article from ("Create article from this ticket").
    source_ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "language"], name="kb_article_slug_unique")
        ]
        indexes = [models.Index(fields=["status", "internal", "language"])]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]

    @property
    def is_public(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED and not self.internal


def article_file_path(instance: ArticleFile, filename: str) -> str:
    return f"kb/{instance.article_id}/{instance.id}/{filename}"


class ArticleFile(models.Model):
    """An image or attachment of an article, linked from its body (``/help/files/<id>/<name>``)
    and served like a ticket attachment: only to those who may read the article."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=article_file_path, max_length=255)
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=127, default="application/octet-stream")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type in {"image/png", "image/jpeg", "image/gif", "image/webp"}


class ArticleRevision(models.Model):
    """A saved state of an article: who saved what, when. Restoring writes a new revision."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article} r{self.number}"


class ArticleVote(models.Model):
    """One "was this helpful?" answer per visitor (a signed cookie id) and article; a second
    answer replaces the first."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    visitor = models.CharField(max_length=64)
    helpful = models.BooleanField()
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "visitor"], name="kb_vote_one_per_visitor")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {'yes' if self.helpful else 'no'}"


class ArticleView(models.Model):
    """Views of an article per day (one row per article and day, counted up)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="views")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "day"], name="kb_view_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} on {self.day}: {self.count}"


class SearchTerm(models.Model):
    """Help-center searches per query (lower-cased, spaces collapsed), language and day: how
    often it was searched, how often it found nothing, how often a result was opened. The
    knowledge report's content gaps are the frequent ones with no result or no click."""

    query = models.CharField(max_length=200)
    language = models.CharField(max_length=8)
    day = models.DateField()
    searches = models.PositiveIntegerField(default=0)
    empty = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["query", "language", "day"], name="kb_search_one_row_per_day"
            )
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.query!r} on {self.day}: {self.searches}"


class DeflectionSession(models.Model):
    """One visit to the portal's new-request form: the articles suggested while the subject was
    typed, the ones opened, and whether a request was filed after all. Opened without a
    submission is a deflected request."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    last_query = models.CharField(max_length=200, blank=True)
    shown = models.ManyToManyField(Article, related_name="+", blank=True)
    opened = models.ManyToManyField(Article, related_name="+", blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["started_at"])]

    def __str__(self) -> str:
        return f"Deflection session {self.token}"

    @property
    def deflected(self) -> bool:
        return self.opened_at is not None and self.submitted_at is None


class ArticleSend(models.Model):
    """An article an agent sent in a public reply (a link to it in the reply's text)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sends")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey("tickets.Message", on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "message"], name="kb_send_once_per_message")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} in message {self.message_id}"


class KbEvent(models.Model):
    """A knowledge-base change announced on the one event stream (``kb.events``): written in the
    change's transaction, dispatched after commit, swept again while ``dispatched_at`` is empty."""

    kind = models.CharField(max_length=64)
    key = models.CharField(max_length=200)  # names the change; handlers are idempotent by it
    data = models.JSONField(default=dict)
    at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(
                fields=["at"],
                name="kb_event_undispatched_idx",
                condition=Q(dispatched_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"

    def as_event(self) -> dict:
        return {**self.data, "kind": self.kind, "key": self.key}
