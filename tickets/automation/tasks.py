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


@shared_task(acks_late=True, ignore_result=True)
def purge_automation_runs() -> int:
    """Beat, hourly: delete the runs that can no longer stop an automation acting twice, in
    bounded batches (see ``tickets.automation.purge``)."""
    from tickets.automation.purge import automation_runs_purge

    return automation_runs_purge()
