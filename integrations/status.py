"""Webhook deliveries on the status page and in /metrics (``support.status``)."""

from __future__ import annotations

from django.db.models import Count, Min
from django.urls import reverse

from integrations.models import DeliveryStatus, WebhookDelivery
from support.status import Reading, age_seconds, describe_age


def webhook_readings() -> list[Reading]:
    counts = dict(
        WebhookDelivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.FAILED]
        )
        .values_list("status")
        .annotate(n=Count("id"))
    )
    oldest = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).aggregate(
        at=Min("created_at")
    )["at"]
    age = age_seconds(oldest)
    readings = [
        Reading(
            "switchboard_webhook_deliveries",
            "Webhook deliveries by status (pending, sending, failed).",
            float(counts.get(status, 0)),
            f"Webhook deliveries {status}: {counts.get(status, 0)}",
            labels={"status": status},
            warn=status == DeliveryStatus.FAILED and counts.get(status, 0) > 0,
            link=reverse("webhooks")
            if status == DeliveryStatus.FAILED and counts.get(status)
            else "",
        )
        for status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.FAILED)
    ]
    readings.append(
        Reading(
            "switchboard_webhook_oldest_pending_age_seconds",
            "Age of the oldest webhook delivery not made yet.",
            age,
            f"Oldest undelivered webhook: {describe_age(age) if oldest else 'none'}",
            warn=age > 3600,
        )
    )
    return readings
