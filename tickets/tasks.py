from __future__ import annotations

from celery import shared_task


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def send_outbound_email(self, email_id: int) -> None:
    """Send one queued mail; transient failures are recorded on the row and retried."""
    from tickets.mail.outbound import email_send

    email_send(email_id=email_id)


@shared_task(acks_late=True)
def sweep_outbound_email() -> int:
    """Beat: re-queue mail whose task was lost (broker down, worker killed)."""
    from tickets.mail.outbound import outbound_sweep

    return outbound_sweep()


# SLA tasks live in their sub-package; imported so the worker registers them.
from tickets.sla.tasks import sweep_sla  # noqa: E402, F401
