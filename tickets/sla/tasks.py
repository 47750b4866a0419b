"""Celery tasks for SLA: the beat sweep. Thin: the rules live in ``tickets.sla.sweep``."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def sweep_sla() -> dict[str, int]:
    """Beat, every minute: mark due SLA warnings and breaches once, escalate, notify."""
    from tickets.sla.sweep import sla_sweep

    return sla_sweep()
