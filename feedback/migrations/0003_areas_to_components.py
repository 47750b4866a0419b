"""The free "product area" of feedback items becomes a component (issue 17), no data lost.

Each distinct area (compared without case and extra spaces) becomes one component of the
catch-all product "General" — or is matched to an existing component of that name — and every
item with that area points at it (and its product). The ``area`` text stays as it was, so
nothing typed is lost and going back needs no data. Product managers can then move the
components to the right products.
"""

from django.db import migrations


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
                    defaults={"name": "General", "description": "Areas not yet placed in a product."},
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


def components_to_areas(apps, schema_editor):
    """Going back: the area text was never changed; drop the links (the product's and
    components' rows are left to the products app's own migrations)."""
    FeedbackItem = apps.get_model("feedback", "FeedbackItem")
    FeedbackItem.objects.update(component=None, product=None)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0002_item_product"),
        ("products", "0002_support_email"),
    ]

    operations = [migrations.RunPython(areas_to_components, components_to_areas)]
