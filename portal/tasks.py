from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def portal_cleanup() -> int:
    """Beat: drop unconfirmed held submissions and old sign-in links."""
    from portal.services import portal_cleanup as cleanup

    return cleanup()
