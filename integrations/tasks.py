from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def deliver_webhook(delivery_id: str) -> None:
    """One attempt at one delivery; failures are recorded on the row and retried by the sweep."""
    from integrations.services import webhook_deliver

    webhook_deliver(delivery_id=delivery_id)


@shared_task(acks_late=True)
def sweep_webhook_deliveries() -> int:
    """Beat, every minute: send due retries and deliveries whose task was lost."""
    from integrations.services import webhook_deliveries_sweep

    return webhook_deliveries_sweep()
