"""Reads of the catalog: what a page or form offers."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from products.models import Component, Product, Version


def products_for_admin() -> QuerySet[Product]:
    """Every product with its owner and its number of versions and components (one query)."""
    return Product.objects.select_related("manager").annotate(
        version_count=Count("versions", distinct=True),
        component_count=Count("components", distinct=True),
    )


def product_catalog(*, offered_only: bool = False) -> list[Product]:
    """Products with their versions and components prefetched (three queries): what a form
    offers. ``offered_only``: what may go on a new request (active, not at end of life)."""
    products = Product.objects.all()
    versions = Version.objects.all()
    components = Component.objects.all()
    if offered_only:
        products, versions, components = products.active(), versions.offered(), components.active()
    return list(
        products.prefetch_related(
            Prefetch("versions", queryset=versions), Prefetch("components", queryset=components)
        )
    )


def product_options(*, product_id: int | None, offered_only: bool) -> tuple[list, list]:
    """The versions and components of one product (empty lists for none): what the version
    and component lists show once a product is chosen."""
    if not product_id:
        return [], []
    versions = Version.objects.filter(product_id=product_id)
    components = Component.objects.filter(product_id=product_id)
    if offered_only:
        versions = versions.offered().filter(product__active=True)
        components = components.active().filter(product__active=True)
    return list(versions), list(components)
