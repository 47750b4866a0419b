"""Categories and sections: their writes (the API; Django admin edits them too), their names in
other languages, and the reads that keep a customer from learning the name of a section holding
only internal articles."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from kb.models import Category, CategoryTranslation, Language, Section, SectionTranslation
from kb.selectors import articles_readable_by, is_agent
from kb.services import require_editor, slug_for
from support.errors import AlreadyExists, ValidationFailed


def categories_visible_to(user: User | None) -> QuerySet[Category]:
    """Agents: all. Others: categories with at least one article they may read."""
    if is_agent(user):
        return Category.objects.all()
    readable = articles_readable_by(user).values("section__category_id")
    return Category.objects.filter(pk__in=readable)


def sections_visible_to(user: User | None) -> QuerySet[Section]:
    if is_agent(user):
        return Section.objects.all()
    return Section.objects.filter(pk__in=articles_readable_by(user).values("section_id"))


def _slug(value: str, name: str, *, current: str, kind: str) -> str:
    return slug_for(value, name, current=current, kind=kind)[:120]


@transaction.atomic
def category_save(
    *,
    by: User,
    category: Category | None = None,
    name: str,
    slug: str = "",
    description: str = "",
    position: int = 0,
) -> Category:
    require_editor(by)
    name = name.strip()
    if not name:
        raise ValidationFailed(_("A category needs a name."), field="name")
    slug = _slug(slug, name, current=category.slug if category else "", kind="category")
    taken = Category.objects.filter(slug=slug)
    if category is not None:
        taken = taken.exclude(pk=category.pk)
    if taken.exists():
        raise AlreadyExists(
            _("Another category already uses the address “%(slug)s”.") % {"slug": slug},
            field="slug",
        )
    category = category or Category()
    category.name, category.slug = name, slug
    category.description, category.position = description.strip(), position
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError as exc:
        raise AlreadyExists(_("Another category already uses this address."), field="slug") from exc
    return category


@transaction.atomic
def section_save(
    *,
    by: User,
    section: Section | None = None,
    category: Category,
    name: str,
    slug: str = "",
    description: str = "",
    position: int = 0,
) -> Section:
    require_editor(by)
    name = name.strip()
    if not name:
        raise ValidationFailed(_("A section needs a name."), field="name")
    slug = _slug(slug, name, current=section.slug if section else "", kind="section")
    taken = Section.objects.filter(category=category, slug=slug)
    if section is not None:
        taken = taken.exclude(pk=section.pk)
    if taken.exists():
        raise AlreadyExists(
            _("Another section of this category already uses the address “%(slug)s”.")
            % {"slug": slug},
            field="slug",
        )
    section = section or Section()
    section.category, section.name, section.slug = category, name, slug
    section.description, section.position = description.strip(), position
    section.save()
    return section


@transaction.atomic
def translations_set(
    *, by: User, of: Category | Section, translations: list[dict[str, str]]
) -> Category | Section:
    """Replace the names and descriptions ``of`` has in other languages than the default: a list
    of ``{"language", "name", "description"}``, one per language (a language left out loses its
    translation, so the help center shows the default name to its readers)."""
    require_editor(by)
    default = settings.LANGUAGE_CODE
    wanted: dict[str, tuple[str, str]] = {}
    for item in translations:
        language = (item.get("language") or "").strip()
        if language not in Language.values or language == default:
            raise ValidationFailed(
                _("Translations are for %(value)s.")
                % {"value": ", ".join(v for v in Language.values if v != default)},
                field="translations",
            )
        if language in wanted:
            raise ValidationFailed(
                _("Two translations into %(language)s.") % {"language": language},
                field="translations",
            )
        name = (item.get("name") or "").strip()
        if not name:
            raise ValidationFailed(
                _("The translation into %(language)s needs a name.") % {"language": language},
                field="translations",
            )
        wanted[language] = (name[:120], (item.get("description") or "").strip()[:300])
    model, key = (
        (CategoryTranslation, "category")
        if isinstance(of, Category)
        else (SectionTranslation, "section")
    )
    model.objects.filter(**{key: of}).exclude(language__in=wanted).delete()
    for language, (name, description) in wanted.items():
        model.objects.update_or_create(
            **{key: of, "language": language},
            defaults={"name": name, "description": description},
        )
    return of
