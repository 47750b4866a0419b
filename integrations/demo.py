"""Demo data: one webhook subscription, left inactive until a receiver is running."""

from __future__ import annotations

import random

from accounts.models import User
from integrations.models import WebhookEventType, WebhookSubscription
from integrations.services import webhook_subscription_create


def seed(*, rng: random.Random) -> None:
    if WebhookSubscription.objects.filter(name="Demo CRM").exists():
        return
    owner = User.objects.filter(email="admin@example.com").first()
    webhook_subscription_create(
        name="Demo CRM",
        url="http://localhost:9000/hooks",
        event_types=WebhookEventType.values,
        owner=owner,
        is_active=False,
    )
