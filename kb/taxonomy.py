"""Categories and sections: their writes (the API; Django admin edits them too) and the reads
that keep a customer from learning the name of a section holding only internal articles."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.text import slugify

from accounts.models import User
from kb.models import Category, Section
from kb.selectors import articles_readable_by, is_agent
from kb.services import require_editor
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


def _slug(value: str, name: str) -> str:
    slug = slugify(value or name)[:120]
    if not slug:
        raise ValidationFailed("The slug needs letters or digits.", field="slug")
    return slug


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
        raise ValidationFailed("A category needs a name.", field="name")
    slug = _slug(slug, name)
    taken = Category.objects.filter(slug=slug)
    if category is not None:
        taken = taken.exclude(pk=category.pk)
    if taken.exists():
        raise AlreadyExists(f"Another category already uses the address “{slug}”.", field="slug")
    category = category or Category()
    category.name, category.slug = name, slug
    category.description, category.position = description.strip(), position
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError as exc:
        raise AlreadyExists("Another category already uses this address.", field="slug") from exc
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
        raise ValidationFailed("A section needs a name.", field="name")
    slug = _slug(slug, name)
    taken = Section.objects.filter(category=category, slug=slug)
    if section is not None:
        taken = taken.exclude(pk=section.pk)
    if taken.exists():
        raise AlreadyExists(
            f"Another section of this category already uses the address “{slug}”.", field="slug"
        )
    section = section or Section()
    section.category, section.name, section.slug = category, name, slug
    section.description, section.position = description.strip(), position
    section.save()
    return section
