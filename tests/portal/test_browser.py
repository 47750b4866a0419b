"""The portal as a person uses it, in headless Chromium: sign in by link, file a ticket with a
file, read the agent's answer, reply, mark it solved, reopen it.

Screenshots go to ``$PORTAL_SCREENSHOTS`` when set (docs/img is made from them), else a temp dir.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import factories
from tests.a11y import assert_accessible
from tests.portal.conftest import link_path
from tickets.models import Status, Ticket
from tickets.services import ticket_note, ticket_reply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("PORTAL_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_customer_signs_in_files_follows_replies_solves_and_reopens(
    live_server, browser, shots, tmp_path, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    agent = factories.AgentFactory(name="Sam Agent")
    email = "pat@example.org"
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    base = live_server.url

    # Ask for a sign-in link; the test reads it from the outbox, as the customer would from mail.
    page.goto(f"{base}/portal/sign-in/")
    page.screenshot(path=shots / "sign-in-desktop.png")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    assert_accessible(page)
    page.screenshot(path=shots / "sign-in-sent-desktop.png")

    page.goto(base + link_path("portal_sign_in", email))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="My tickets").wait_for()

    # File a ticket with an attachment.
    page.get_by_role("link", name="New request").first.click()
    attachment = tmp_path / "error-log.txt"
    attachment.write_text("Traceback: the export button does nothing\n")
    page.get_by_label("Subject").fill("Export button does nothing")
    page.get_by_label("Description").fill(
        "When I click Export on the reports page, nothing happens."
    )
    page.get_by_label("Product area (optional)").select_option("bug")
    page.get_by_label("Attachments (optional)").set_input_files(str(attachment))
    page.screenshot(path=shots / "new-request-desktop.png", full_page=True)
    page.get_by_role("button", name="Send request").click()
    page.get_by_role("heading", name="We got your request").wait_for()
    ticket = Ticket.objects.get(subject="Export button does nothing")
    assert page.get_by_text(ticket.reference, exact=True).is_visible()
    assert ticket.attachments.get().name == "error-log.txt"
    page.screenshot(path=shots / "submitted-desktop.png")

    # It is listed among the open tickets.
    page.get_by_role("link", name="All my tickets").click()
    row = page.get_by_role("link", name="Export button does nothing")
    assert row.is_visible()
    assert "We're on it" in row.inner_text()

    # An agent answers (and leaves an internal note the customer must not see).
    ticket_reply(ticket=ticket, body="Thanks Pat! Which browser are you using?", by=agent,
                 status=Status.PENDING)  # fmt: skip
    ticket_note(ticket=ticket, body="Probably the CSP bug", by=agent)
    page.reload()
    assert "Waiting for you" in row.inner_text()
    page.screenshot(path=shots / "my-tickets-desktop.png")
    row.click()
    page.get_by_text("Which browser are you using?").wait_for()
    assert page.get_by_text("Probably the CSP bug").count() == 0
    assert page.get_by_role("link", name="error-log.txt").is_visible()

    # Reply back, mark solved, reopen.
    page.get_by_label("Your reply").fill("Firefox 128 on Windows.")
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("Your reply was sent.").wait_for()
    assert page.get_by_text("Firefox 128 on Windows.").is_visible()
    page.screenshot(path=shots / "ticket-desktop.png", full_page=True)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN

    page.get_by_role("button", name="Mark as solved").click()
    page.get_by_text("Marked as solved").wait_for()
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    page.screenshot(path=shots / "ticket-solved-desktop.png", full_page=True)
    page.get_by_role("button", name="Reopen ticket").click()
    page.get_by_text("Reopened.").wait_for()
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN

    # The same pages on a 360 px wide phone.
    page.set_viewport_size(PHONE)
    page.screenshot(path=shots / "ticket-phone.png", full_page=True)
    page.goto(f"{base}/portal/")
    page.screenshot(path=shots / "my-tickets-phone.png", full_page=True)
    page.goto(f"{base}/portal/new/")
    page.screenshot(path=shots / "new-request-phone.png", full_page=True)
    page.goto(f"{base}/portal/account/")
    page.screenshot(path=shots / "account-phone.png", full_page=True)
    # Nothing overflows sideways on a phone.
    for path in ("/portal/", f"/portal/tickets/{ticket.pk}/", "/portal/new/"):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    context.close()


def test_signed_out_visitor_files_a_request_confirmed_by_link(live_server, browser, shots):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/portal/new/")
    page.screenshot(path=shots / "new-request-signed-out-phone.png", full_page=True)
    page.get_by_label("Your email address").fill("walkin@example.org")
    page.get_by_label("Subject").fill("Invoice address is wrong")
    page.get_by_label("Description").fill("Our invoice shows the old street.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="One more step: confirm your email").wait_for()
    assert not Ticket.objects.exists()
    page.screenshot(path=shots / "confirm-email-phone.png", full_page=True)

    page.goto(live_server.url + link_path("portal_confirm_submission", "walkin@example.org"))
    page.get_by_role("button", name="Confirm and send my request").click()
    page.get_by_role("heading", name="We got your request").wait_for()
    ticket = Ticket.objects.get()
    assert page.get_by_text(ticket.reference, exact=True).is_visible()
    page.screenshot(path=shots / "submitted-phone.png", full_page=True)
    context.close()
