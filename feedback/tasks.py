from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def send_due_csat_surveys() -> int:
    """Beat: queue the mail of every CSAT survey that has come due."""
    from feedback.services import csat_send_due

    return csat_send_due()
