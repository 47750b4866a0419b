"""The mail pages in a real browser (Debian's Chromium through Playwright), with screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import factories
from tests.a11y import assert_accessible
from tests.tickets.mail.conftest import build_mail
from tickets.mail.inbound import inbound_process, inbound_store
from tickets.mail.models import OutboundEmail, OutboundStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-mail"))  # noqa: S108 - screenshots only


def _store(raw: bytes):
    row, _ = inbound_store(raw=raw)
    inbound_process(inbound_id=row.pk)
    row.refresh_from_db()
    return row


def _login(page, live_server, email):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _shoot(page, name):
    assert_accessible(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def test_admin_retries_a_failed_mail_in_the_browser(live_server, browser, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin = factories.AdminFactory(email="admin@example.com")
    _store(build_mail(subject="Invoice question", body="Where is my invoice?\n\n-- \nAda"))
    _store(b"To: support@localhost\r\nSubject: Who sent this?\r\nMessage-ID: <nf@x>\r\n\r\nhi")
    _store(build_mail(sender="MAILER-DAEMON@mx.example.net", subject="Undelivered Mail"))
    page = browser.new_page()
    _login(page, live_server, admin.email)
    page.goto(f"{live_server.url}/mail/inbound/")
    assert "no sender address" in page.content()
    _shoot(page, "inbound-failed")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.click("text=Retry")
    page.wait_for_load_state()
    assert "processed again: Failed" in page.content()
    page.goto(f"{live_server.url}/mail/inbound/?status=")
    _shoot(page, "inbound-all")
    page.click("text=Invoice question")
    page.wait_for_load_state()
    assert "Where is my invoice?" in page.content()
    page.click("text=Raw source")
    _shoot(page, "inbound-original")


def test_delivery_partial_resend_in_the_browser(live_server, browser, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    team = factories.TeamFactory()
    agent = factories.AgentFactory(email="agent@example.com", teams=[team])
    ticket = factories.TicketFactory(team=team)
    for n, (status, error) in enumerate(
        [(OutboundStatus.SENT, ""), (OutboundStatus.FAILED, "550 5.1.1 mailbox unknown")]
    ):
        OutboundEmail.objects.create(
            kind="reply",
            ticket=ticket,
            from_email="support@localhost",
            to=[ticket.requester.email],
            subject="s",
            body_text="b",
            message_id_header=f"<b{n}@localhost>",
            status=status,
            last_error=error,
        )
    page = browser.new_page()
    _login(page, live_server, agent.email)
    # The partial is included by the ticket page; here it is shown inside a minimal host page.
    page.goto(f"{live_server.url}/")
    page.evaluate(
        """url => fetch(url).then(r => r.text()).then(html => {
            const main = document.querySelector('main');
            main.innerHTML = '<div class="panel">' + html + '</div>';
            htmx.process(main);
        })""",
        f"/mail/tickets/{ticket.pk}/delivery/",
    )
    page.wait_for_selector(".mail-delivery")
    _shoot(page, "delivery-partial")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.click("text=Resend")
    page.wait_for_function("() => !document.body.innerText.includes('Resend')")
    assert "mailbox unknown" not in page.inner_text(".mail-delivery")
    _shoot(page, "delivery-partial-resent")
