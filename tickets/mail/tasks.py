"""Celery tasks of the mail channel: thin, keyed by ids, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


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


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(ConnectionError, OperationalError),
    retry_backoff=True,
    max_retries=5,
)
def process_inbound_email(self, inbound_id: int) -> str | None:
    """Turn one stored inbound message into a ticket or message (or a recorded rejection).
    A transient failure (a unique-constraint race, a lost connection) leaves the row received
    and is retried with backoff; the inbound sweep picks it up if this task is lost."""
    from tickets.mail.inbound import Transient, inbound_process

    try:
        row = inbound_process(inbound_id=inbound_id)
    except Transient as exc:
        if self.request.is_eager:
            return "received"  # tests and eager setups: the sweep retries it
        raise self.retry(exc=exc, countdown=min(300, 5 * 2**self.request.retries)) from exc
    return row.status if row else None


@shared_task(acks_late=True)
def sweep_inbound_email() -> int:
    """Beat: re-queue inbound mail whose processing task was lost."""
    from tickets.mail.inbound import inbound_sweep

    return inbound_sweep()


@shared_task(acks_late=True)
def poll_imap() -> int:
    """Beat: fetch new mail from every configured IMAP mailbox."""
    from tickets.mail.imap import poll_all

    return poll_all()
