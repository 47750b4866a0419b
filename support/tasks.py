"""The event stream's two tasks (``support.events``): dispatch committed events, sweep lost ones;
and the password-reset mail, made off the request so any address takes the same time to answer."""

from __future__ import annotations

from celery import shared_task

from support import events


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def dispatch_events(self, table: str, event_ids: list[int]) -> None:
    """Hand committed events of one table (its label, ``tickets.ticketevent``) to every handler
    subscribed to their kinds: one event, or a batch whose failing events are retried alone.
    Idempotent: an event already dispatched is skipped."""
    events.dispatch_pending(table, event_ids)


@shared_task(acks_late=True)
def sweep_undispatched_events() -> int:
    """Beat: re-queue events whose dispatch task was lost (broker down, worker killed)."""
    return events.sweep_undispatched()


@shared_task(acks_late=True)
def send_password_reset(email: str, domain: str, use_https: bool) -> None:
    """Queue the reset mail for ``email`` when it is an active account's (nothing otherwise)."""
    from support.auth_views import password_reset_mail

    password_reset_mail(email=email, domain=domain, use_https=use_https)
