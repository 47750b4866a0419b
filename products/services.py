"""Writes to the product catalog. Admins and product managers keep it; a product, version or
component that tickets or feedback use can't be deleted (archive it instead: it stays on what
names it and is offered for nothing new)."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.utils.text import slugify
from django.utils.translation import gettext

from accounts.models import User
from products.models import Component, Product, Version
from support.errors import AlreadyExists, InvalidChange, NotPermitted, ValidationFailed


def may_manage_catalog(user: User) -> bool:
    return user.is_active and (user.is_admin or user.is_product_manager)


def _require_manager(by: User) -> None:
    if not may_manage_catalog(by):
        raise NotPermitted(
            gettext("Only admins and product managers can change the product catalog.")
        )


def _full_clean(obj: models.Model, *, exclude: list[str] | None = None) -> None:
    """The model's own checks (lengths, URL, unique names) as one readable sentence per field."""
    try:
        obj.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        unique_messages = {
            constraint.get_violation_error_message()
            for constraint in obj._meta.constraints
            if isinstance(constraint, models.UniqueConstraint)
        }
        for field, errors in exc.error_dict.items():
            # A name or slug another row holds is a conflict with what is stored (409).
            taken = any(
                error.code == "unique" or error.message in unique_messages for error in errors
            )
            raise (AlreadyExists if taken else ValidationFailed)(
                " ".join(message for error in errors for message in error.messages),
                field=None if field == "__all__" else field,
            ) from None


def usage_of(obj: models.Model, *, own: tuple[type[models.Model], ...] = ()) -> dict[str, int]:
    """How many rows of other tables point at ``obj`` ("tickets": 12), found through the
    reverse relations, so this app names no app above it."""
    counts: dict[str, int] = {}
    for relation in obj._meta.related_objects:
        model = relation.related_model
        if model in own or not relation.one_to_many:
            continue
        count = model._default_manager.filter(**{relation.field.name: obj}).count()
        if count:
            label = str(model._meta.verbose_name_plural)
            counts[label] = counts.get(label, 0) + count
    return counts


def _refuse_if_used(obj: models.Model, what: str, own: tuple[type[models.Model], ...] = ()):
    used = usage_of(obj, own=own)
    if used:
        uses = ", ".join(
            f"{n} {label if n != 1 else label.removesuffix('s')}"
            for label, n in sorted(used.items())
        )
        raise InvalidChange(
            gettext("%(what)s is used by %(uses)s: archive it instead, or move those first.")
            % {"what": what, "uses": uses}
        )


# --- products --------------------------------------------------------------------------------


@transaction.atomic
def product_save(*, product: Product, by: User) -> Product:
    """Create or change a product; its slug is made from the name when left empty."""
    _require_manager(by)
    product.name = product.name.strip()
    if not product.name:
        raise ValidationFailed(gettext("A product needs a name."), field="name")
    product.slug = (product.slug or "").strip() or slugify(product.name)[:60]
    if not product.slug:  # a name without letters or digits slugify keeps (中文, "???")
        stored = Product.objects.filter(pk=product.pk).values_list("slug", flat=True).first()
        product.slug = stored or f"product-{secrets.token_hex(4)}"
    product.support_email = (product.support_email or "").strip().lower()
    if product.manager_id is not None and not (
        product.manager.is_product_manager or product.manager.is_admin
    ):
        raise ValidationFailed(
            gettext("The owner must be a product manager or an admin."), field="manager"
        )
    _full_clean(product)
    product.save()
    return product


@transaction.atomic
def product_delete(*, product: Product, by: User) -> None:
    _require_manager(by)
    _refuse_if_used(product, f"The product “{product.name}”", own=(Version, Component))
    for version in product.versions.all():
        _refuse_if_used(version, f"Its version {version.name}")
    for component in product.components.all():
        _refuse_if_used(component, f"Its component “{component.name}”")
    product.delete()


# --- versions --------------------------------------------------------------------------------


@transaction.atomic
def version_save(*, version: Version, by: User) -> Version:
    _require_manager(by)
    version.name = version.name.strip()
    if not version.name:
        raise ValidationFailed(gettext("A version needs a name."), field="name")
    _full_clean(version)
    version.save()
    return version


@transaction.atomic
def version_delete(*, version: Version, by: User) -> None:
    _require_manager(by)
    _refuse_if_used(version, f"The version {version.name}")
    version.delete()


# --- components ------------------------------------------------------------------------------


@transaction.atomic
def component_save(*, component: Component, by: User) -> Component:
    _require_manager(by)
    component.name = component.name.strip()
    if not component.name:
        raise ValidationFailed(gettext("A component needs a name."), field="name")
    _full_clean(component)
    component.save()
    return component


@transaction.atomic
def component_delete(*, component: Component, by: User) -> None:
    _require_manager(by)
    _refuse_if_used(component, f"The component “{component.name}”")
    component.delete()


# --- a free "product area" as a component ---------------------------------------------------

GENERAL_SLUG = "general"


def component_for_area(*, name: str, product: Product | None = None) -> Component:
    """The component a free-text product area means: the one of that name in ``product`` (any
    case), else in any product when none is given, else a new one — under ``product``, or under
    the catch-all product "General" (made when first needed). Feedback items typed with an area
    go through here, as the migration of the old areas did."""
    name = " ".join(name.split())[:100]
    if not name:
        raise ValidationFailed(gettext("A component needs a name."), field="component")
    found = Component.objects.filter(name__iexact=name)
    if product is not None:
        found = found.filter(product=product)
    component = found.order_by("product_id", "pk").first()
    if component is not None:
        return component
    if product is None:
        product, _ = Product.objects.get_or_create(
            slug=GENERAL_SLUG,
            defaults={"name": "General", "description": "Areas not yet placed in a product."},
        )
    return Component.objects.create(product=product, name=name)


# --- what a ticket may name ------------------------------------------------------------------


def check_product_choice(
    *,
    product: Product | None,
    version: Version | None,
    component: Component | None,
    for_new: bool = False,
) -> None:
    """A version and a component belong to the product named beside them (and need one); for a
    new ticket an archived product or component, or a version at its end of life, is refused."""
    if product is None and (version is not None or component is not None):
        raise ValidationFailed(
            gettext("Choose a product first."),
            field="version" if version is not None else "component",
        )
    if version is not None and version.product_id != product.pk:
        raise ValidationFailed(
            gettext("Version %(name)s is not a version of %(name2)s.")
            % {"name": version.name, "name2": product.name},
            field="version",
        )
    if component is not None and component.product_id != product.pk:
        raise ValidationFailed(
            gettext("“%(name)s” is not a component of %(name2)s.")
            % {"name": component.name, "name2": product.name},
            field="component",
        )
    if not for_new:
        return
    if product is not None and not product.active:
        raise ValidationFailed(
            gettext("%(name)s is archived.") % {"name": product.name}, field="product"
        )
    if version is not None and version.status == "end_of_life":
        raise ValidationFailed(
            gettext("Version %(name)s has reached its end of life.") % {"name": version.name},
            field="version",
        )
    if component is not None and not component.active:
        raise ValidationFailed(
            gettext("“%(name)s” is archived.") % {"name": component.name}, field="component"
        )
