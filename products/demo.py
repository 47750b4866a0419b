"""Demo catalog: three products with versions in every status and a few components each.

Idempotent: products are found by slug, versions and components by name. Owned by the demo
product manager when there is one, else the admin.
"""

from __future__ import annotations

import random
from datetime import date

from accounts.models import Role, User

from .models import Component, Product, Version, VersionStatus

CATALOG = [
    (
        "Switchboard Cloud",
        "cloud",
        "The hosted help desk.",
        [
            ("4.2", date(2026, 10, 6), VersionStatus.SUPPORTED),
            ("4.1", date(2026, 7, 14), VersionStatus.SUPPORTED),
            ("4.0", date(2026, 3, 2), VersionStatus.DEPRECATED),
            ("3.9", date(2025, 11, 20), VersionStatus.END_OF_LIFE),
        ],
        ["Billing", "Exports", "Authentication", "Mail channel", "Reports"],
    ),
    (
        "Switchboard Mobile",
        "mobile",
        "The iOS and Android apps for agents.",
        [
            ("2.3", date(2026, 9, 1), VersionStatus.SUPPORTED),
            ("2.2", date(2026, 5, 18), VersionStatus.DEPRECATED),
        ],
        ["Notifications", "Offline mode", "Sign-in"],
    ),
    (
        "Switchboard API",
        "api",
        "The REST API and webhooks.",
        [
            ("v1", date(2025, 6, 1), VersionStatus.SUPPORTED),
            ("v2 beta", None, VersionStatus.SUPPORTED),
        ],
        ["Webhooks", "Rate limits", "Tickets endpoint"],
    ),
]


def seed(*, rng: random.Random) -> None:
    owner = (
        User.objects.filter(role=Role.PRODUCT_MANAGER).order_by("pk").first()
        or User.objects.filter(role=Role.ADMIN).order_by("pk").first()
    )
    for name, slug, description, versions, components in CATALOG:
        product, _ = Product.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "manager": owner}
        )
        for version, released_on, status in versions:
            Version.objects.get_or_create(
                product=product,
                name=version,
                defaults={
                    "released_on": released_on,
                    "status": status,
                    "release_notes_url": f"https://example.com/{slug}/releases/{version}"
                    if released_on
                    else "",
                },
            )
        for component in components:
            Component.objects.get_or_create(product=product, name=component)
