"""The whole catalog, kept per process (``support.localcache``): the ticket header, the portal
form and the queue filters read it on every page instead of three queries. Every change to a
product, version or component reloads it, in every process."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save

from products.models import Component, Product, Version
from support.localcache import ProcessCache


@dataclass(frozen=True)
class Catalog:
    products: tuple[Product, ...]
    versions: dict[int, tuple[Version, ...]]  # by product id, newest first
    components: dict[int, tuple[Component, ...]]  # by product id, by name

    def product(self, product_id: int | None) -> Product | None:
        return next((p for p in self.products if p.pk == product_id), None)

    def versions_of(self, product_id: int | None, *, offered_only: bool = False) -> list[Version]:
        versions = self.versions.get(product_id or 0, ())
        if offered_only:
            return [v for v in versions if v.status != "end_of_life"]
        return list(versions)

    def components_of(
        self, product_id: int | None, *, offered_only: bool = False
    ) -> list[Component]:
        components = self.components.get(product_id or 0, ())
        return [c for c in components if c.active or not offered_only]

    def offered_products(self) -> list[Product]:
        return [p for p in self.products if p.active]

    def product_for_address(self, addresses: set[str]) -> Product | None:
        """The active product whose support address is one of ``addresses`` (lower case)."""
        for product in self.products:
            if product.active and product.support_email.lower() in addresses:
                return copy.copy(product)  # the caller's own instance, not the process's copy
        return None


def _load() -> Catalog:
    versions: dict[int, list[Version]] = {}
    components: dict[int, list[Component]] = {}
    for version in Version.objects.all():
        versions.setdefault(version.product_id, []).append(version)
    for component in Component.objects.all():
        components.setdefault(component.product_id, []).append(component)
    return Catalog(
        products=tuple(Product.objects.all()),
        versions={k: tuple(v) for k, v in versions.items()},
        components={k: tuple(v) for k, v in components.items()},
    )


catalog: ProcessCache[Catalog] = ProcessCache("product-catalog", _load)


def _changed(sender, **kwargs) -> None:
    catalog.invalidate()


for model in (Product, Version, Component):
    post_save.connect(_changed, sender=model, dispatch_uid=f"catalog-save-{model.__name__}")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"catalog-delete-{model.__name__}")
