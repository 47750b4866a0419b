"""Celery tasks of automations: the beat sweep. Thin: the rules live in
``tickets.automation.sweep``."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def sweep_automations() -> dict[str, int]:
    """Beat, every ``AUTOMATION_SWEEP_SECONDS``: each active automation acts on the tickets it
    matches, once per matching period (safe to run twice or at once: see the sweep)."""
    from tickets.automation.sweep import automations_sweep

    return automations_sweep()
