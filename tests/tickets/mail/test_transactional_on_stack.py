"""A sign-in link is not held up by a notification backlog, on the real processes (gunicorn, a
Celery worker and beat on the embedded broker) with mail over SMTP.

A thousand notification mails wait in the worker's mail queue; a customer asks for a sign-in
link in the browser; it arrives within 5 seconds while most of the backlog is still waiting —
transactional mail has a queue of its own (tickets/mail/outbound.py)."""

from __future__ import annotations

import time

import pytest
from kombu import Connection

from support import clock
from support.celery import app as celery_app
from tests.a11y import PHONE
from tickets.mail.models import OutboundEmail, OutboundStatus

pytestmark = [pytest.mark.browser]

BACKLOG = 1000


def _flood(stack) -> None:
    """Queue the backlog's send tasks into the stack's own broker, as its web process would."""
    rows = OutboundEmail.objects.bulk_create(
        OutboundEmail(
            kind="reply",
            to=[f"someone{n}@example.org"],
            subject=f"Update {n}",
            body_text="An update on your ticket.",
            from_email="support@localhost",
            message_id_header=f"<backlog-{n}@localhost>",
            status=OutboundStatus.PENDING,
            next_attempt_at=clock.now(),
        )
        for n in range(BACKLOG)
    )
    folders = {
        "data_folder_in": str(stack.var / "celery" / "queue"),
        "data_folder_out": str(stack.var / "celery" / "queue"),
        "control_folder": str(stack.var / "celery" / "control"),
        "store_processed": False,
    }
    with Connection("filesystem://", transport_options=folders) as connection:
        for row in rows:
            celery_app.send_task(
                "tickets.mail.tasks.send_outbound_email",
                args=(row.pk,),
                queue="mail",
                connection=connection,
            )


def test_a_sign_in_link_overtakes_a_thousand_notifications(browser, stack):
    base = stack.start()
    _flood(stack)
    stack.wait_for(
        lambda: len(stack.inbox.messages) >= 5, timeout=30, what="the backlog to start going out"
    )

    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{base}/portal/sign-in/")
    page.get_by_label("Email address").fill("pat@example.org")
    asked = time.monotonic()
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    stack.wait_for(lambda: stack.inbox.to("pat@example.org"), timeout=5, what="the sign-in link")
    waited = time.monotonic() - asked
    sent_before = len(stack.inbox.messages) - 1
    assert sent_before < BACKLOG / 2, f"the backlog was mostly sent first ({sent_before})"
    assert waited < 5
