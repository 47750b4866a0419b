"""The free "product area" of feedback items becomes a component (issue 17), no data lost.

Each distinct area (compared without case and extra spaces) becomes one component of the
catch-all product "General" — or is matched to an existing component of that name — and every
item with that area points at it (and its product). The ``area`` text stays as it was, so
nothing typed is lost. Product managers can then move the components to the right products.

Run once on a database whose items were filed before products existed:
``python manage.py feedback_areas_to_components`` (idempotent: items with a component are left
alone). ``apps`` is Django's registry (or a migration's historical one).
"""

from __future__ import annotations


def areas_to_components(apps, schema_editor):
    FeedbackItem = apps.get_model("feedback", "FeedbackItem")
    Product = apps.get_model("products", "Product")
    Component = apps.get_model("products", "Component")
    items = FeedbackItem.objects.exclude(area="").filter(component__isnull=True)
    areas: dict[str, str] = {}
    for area in items.values_list("area", flat=True).order_by("area"):
        name = " ".join(area.split())
        if name:
            areas.setdefault(name.lower(), name)
    if not areas:
        return
    general = None
    for key, name in areas.items():
        component = Component.objects.filter(name__iexact=name).order_by("product_id", "pk").first()
        if component is None:
            if general is None:
                general, _ = Product.objects.get_or_create(
                    slug="general",
                    defaults={
                        "name": "General",
                        "description": "Areas not yet placed in a product.",
                    },
                )
            component = Component.objects.create(product=general, name=name[:100])
        for item in items.filter(area__iexact=name).only("pk", "area"):
            if " ".join(item.area.split()).lower() == key:
                FeedbackItem.objects.filter(pk=item.pk).update(
                    component_id=component.pk, product_id=component.product_id
                )
    # Areas that differed only by spaces.
    for item in items.filter(component__isnull=True).only("pk", "area"):
        name = " ".join(item.area.split())
        component = Component.objects.filter(name__iexact=name).order_by("product_id", "pk").first()
        if component is not None:
            FeedbackItem.objects.filter(pk=item.pk).update(
                component_id=component.pk, product_id=component.product_id
            )
