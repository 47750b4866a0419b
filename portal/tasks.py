from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def portal_cleanup() -> int:
    """Beat: drop unconfirmed held submissions and old sign-in links."""
    from portal.services import portal_cleanup as cleanup

    return cleanup()


@shared_task(acks_late=True)
def send_signin_link(email: str, next_path: str = "") -> None:
    """The sign-in link's work (a link row and a mail, or nothing for an agent's address), off
    the request: any address takes the portal the same time to answer."""
    from portal.services import signin_link_request

    signin_link_request(email=email, next_path=next_path)
