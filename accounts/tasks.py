from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def purge_idempotency_keys() -> int:
    """Beat, hourly: forget stored Idempotency-Key responses past their replay window."""
    from accounts.idempotency import idempotency_keys_purge

    return idempotency_keys_purge()
