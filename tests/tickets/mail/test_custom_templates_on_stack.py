"""Mail templates on the real processes (gunicorn, worker, beat; ``tests/stack.py``): an admin
edits the assignment mail by keyboard, sees the live preview follow the typing, gets an unknown
placeholder refused with nothing typed lost, saves; the next assignment mail, sent by the worker
over SMTP, uses it. axe on both pages; screenshots at 1366×768 and 390×844 (``SHOTS_DIR``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-mail-templates"))  # noqa: S108 - screenshots


def _shots(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}{suffix}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_admin_words_the_assignment_mail_and_the_worker_sends_it(browser, stack):
    team = factories.TeamFactory(name="Billing")
    admin = factories.AdminFactory(name="Ada Admin", email="ada@staff.example.com", teams=[team])
    sam = factories.AgentFactory(name="Sam Agent", email="sam@staff.example.com", teams=[team])
    ticket = factories.TicketFactory(team=team, subject="Printer on fire")
    stack.extra_env["NOTIFY_ASSIGNMENT"] = "true"
    base = stack.start()

    page = stack.sign_in(browser, admin, viewport=DESKTOP)
    page.goto(f"{base}/agent/")
    nav = page.get_by_role("navigation", name="Workspace")
    nav.get_by_role("link", name="Mail templates").click()
    page.get_by_role("heading", name="Mail templates", level=1).wait_for()
    assert_accessible(page)
    _shots(page, "mail-templates")
    page.get_by_role("link", name="Ticket assigned (to agents) in English: built-in").click()
    page.get_by_role("heading", name="Ticket assigned (to agents) · English").wait_for()

    subject = page.get_by_label("Subject")
    subject.focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("Yours now: {{ ticket_subject }} {{ oops }}")
    preview = page.locator("#mt-preview")
    preview.get_by_text("Unknown placeholder: {{ oops }}").wait_for()
    page.keyboard.press("Backspace")  # still unknown while typed out
    for _ in range(len(" {{ oops }")):
        page.keyboard.press("Backspace")
    preview.get_by_text("Subject: Yours now: Charged twice for invoice 9").wait_for()
    body = page.get_by_label("Body")
    body.fill("{{ assignee_name }}, {{ assigned_by }} gave you #{{ ticket_id }}. <b>Go!</b>")
    preview.get_by_text("Sam Agent, Ann Lead gave you #1042. <b>Go!</b>").first.wait_for()
    assert preview.locator("b").count() == 0  # the admin's text is never markup

    subject.fill("Yours now {{ nope }}")
    page.get_by_role("button", name="Save template").click()
    page.get_by_text("Unknown placeholder: {{ nope }}").first.wait_for()
    assert subject.input_value() == "Yours now {{ nope }}"
    assert "<b>Go!</b>" in body.input_value()
    assert_accessible(page)
    _shots(page, "mail-template-error")

    subject.fill("Yours now: {{ ticket_subject }}")
    page.get_by_role("button", name="Save template").click()
    page.get_by_text("Template saved").wait_for()
    _shots(page, "mail-template")

    page.goto(f"{base}/agent/tickets/{ticket.pk}/")
    page.get_by_label("Assignee").select_option(label="Sam Agent")
    (mail,) = stack.wait_for(
        lambda: stack.inbox.to("sam@staff.example.com"), timeout=20, what="the assignment mail"
    )
    assert mail["Subject"] == f"[#{ticket.pk}] Yours now: Printer on fire"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert f"Sam Agent, Ada Admin gave you #{ticket.pk}. <b>Go!</b>" in text

    other = stack.sign_in(browser, sam, viewport=PHONE)
    assert other.goto(f"{base}/agent/admin/mail-templates/").status == 403
