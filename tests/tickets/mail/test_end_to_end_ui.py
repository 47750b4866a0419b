"""The email channel end to end, the way its users use it.

A customer's mail comes in through ``manage.py ingest_email`` (what Postfix pipes to); an agent
signs in with a real browser (Debian's Chromium through Playwright), opens the ticket from the
queue, sends a public reply from the composer and adds an internal note; the reply reaches a real
SMTP server (aiosmtpd) in the test process; the customer answers *that* mail, the answer built
from the headers the SMTP server received, and posts it to ``POST /inbound/email/`` the way an
HTTP mail gateway would; it lands on the same ticket, reopens it, and the agent sees it after a
reload. Screenshots go to ``$SHOTS_DIR`` (default ``/tmp/shots-e2e``).
"""

from __future__ import annotations

import os
import re
import urllib.request
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from pathlib import Path

import pytest
from django.core.management import call_command

from support import clock
from tests import factories
from tests.tickets.mail.conftest import build_mail
from tickets.mail import tokens
from tickets.mail.models import InboundEmail, InboundStatus, OutboundEmail, OutboundStatus
from tickets.models import Message, MessageKind, Status, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-e2e"))  # noqa: S108 - screenshots only
PDF = b"%PDF-1.4\n% refund confirmation for invoice 1042\n%%EOF\n"
SECRET = "s3cret-for-tests"  # noqa: S105 - the mail conftest sets INBOUND_EMAIL_SECRET to it


def _shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)


def _post_inbound(live_server, raw: bytes) -> int:
    """What an HTTP mail gateway does: POST the raw message with the shared secret."""
    request = urllib.request.Request(  # noqa: S310 - the live test server
        f"{live_server.url}/inbound/email/",
        data=raw,
        method="POST",
        headers={"Content-Type": "message/rfc822", "X-Switchboard-Secret": SECRET},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.status


def _customer_answer(received, *, body: str) -> bytes:
    """What a mail client makes of "Reply" on ``received``: the customer's own Message-ID,
    In-Reply-To and References from the mail, ``Re:`` subject, sent to its Reply-To."""
    answer = EmailMessage()
    answer["From"] = received["To"]
    answer["To"] = received["Reply-To"] or received["From"]
    subject = str(received["Subject"])
    answer["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    answer["Date"] = format_datetime(clock.now())
    answer["Message-ID"] = make_msgid(domain="example.org")
    answer["In-Reply-To"] = received["Message-ID"]
    answer["References"] = f"{received['References']} {received['Message-ID']}".strip()
    quoted = received.get_body(("plain",)).get_content()
    answer.set_content(
        f"{body}\n\nOn {received['Date']}, {received['From']} wrote:\n"
        + "\n".join(f"> {line}" for line in quoted.splitlines())
    )
    return bytes(answer)


def _addresses(header) -> list[str]:
    return [addr.lower() for _name, addr in getaddresses([str(header or "")])]


@pytest.mark.parametrize("then", ["pending", "solved"])
def test_mail_in_reply_in_the_browser_customer_answer_lands_on_the_ticket(
    live_server, browser, smtp_server, settings, tmp_path, then
):
    settings.SITE_URL = live_server.url  # links in mail point at the test server
    team = factories.TeamFactory(name="Billing", email="billing@example.com")
    agent = factories.AgentFactory(teams=[team], name="Dana Reyes", email="dana@example.com")

    # 1. The customer writes to the team's address; Postfix pipes it to ingest_email.
    first_id = make_msgid(domain="mail.example.org")
    path = tmp_path / "first.eml"
    path.write_bytes(
        build_mail(
            sender="Ada Lovelace <ada@example.org>",
            to="Billing <billing@example.com>",
            subject="Invoice 1042 charged twice",
            body="Hello,\n\nmy card was charged twice for invoice 1042.\n\nAda",
            message_id=first_id,
        )
    )
    call_command("ingest_email", str(path))
    row = InboundEmail.objects.get(message_id_header=first_id)
    assert row.status == InboundStatus.PROCESSED, row.error
    ticket = Ticket.objects.get(pk=row.ticket_id)
    assert ticket.team == team
    assert ticket.requester.email == "ada@example.org"
    assert ticket.channel == "email"
    # The confirmation is automatic mail, and says so.
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["ada@example.org"]]
    confirmation = smtp_server.messages()[0]
    assert confirmation["Auto-Submitted"] == "auto-replied"
    assert confirmation["In-Reply-To"] == first_id
    smtp_server.envelopes.clear()

    # 2. The agent signs in and opens the ticket from the queue.
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", agent.email)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/agent/queues/mine/"))
    page.click(".sidenav-list >> text=Unassigned in my teams")
    page.wait_for_url(re.compile(r"/agent/queues/unassigned/"))
    row_link = page.locator("td.subject a", has_text="Invoice 1042 charged twice")
    assert row_link.count() == 1
    _shoot(page, f"{then}-1-queue")
    row_link.click()
    page.wait_for_url(re.compile(rf"/agent/tickets/{ticket.pk}/(\?from=.*)?$"))
    assert page.locator(".msg-customer", has_text="charged twice for invoice 1042").count() == 1

    # A public reply from the composer, setting the status as it goes.
    page.check("input[name=kind][value=reply]")
    page.fill("#composer-body", "Hi Ada,\n\nwe refunded the second charge; it shows in 3 days.")
    page.set_input_files(
        "#composer-files",
        files=[{"name": "refund-1042.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.click(f"#composer button[value={then}]")
    page.wait_for_selector("text=Reply sent.")
    assert page.locator(".msg-agent", has_text="we refunded the second charge").count() == 1
    ticket.refresh_from_db()
    assert ticket.status == then

    # 3. Exactly one mail reached the SMTP server for the reply: to Ada, from the team address.
    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == ["ada@example.org"]
    assert envelope.mail_from == "billing@example.com"
    sent = smtp_server.messages()[0]
    assert parseaddr(str(sent["From"]))[1] == "billing@example.com"
    assert "Dana Reyes" in str(sent["From"])
    assert _addresses(sent["To"]) == ["ada@example.org"]
    assert sent["Cc"] is None
    assert sent["Subject"] == f"Re: Invoice 1042 charged twice [#{ticket.pk}]"
    assert "Auto-Submitted" not in sent  # a person wrote it
    assert "X-Auto-Response-Suppress" not in sent
    assert tokens.ticket_id_from_message_id(sent["Message-ID"]) == ticket.pk
    assert tokens.ticket_id_from_address(sent["Reply-To"]) == ticket.pk
    assert parseaddr(str(sent["Reply-To"]))[1].endswith("@example.com")
    # Threaded under the customer's first mail and our confirmation.
    assert sent["In-Reply-To"] == confirmation["Message-ID"]
    references = str(sent["References"]).split()
    assert references[0] == first_id
    assert confirmation["Message-ID"] in references
    text = sent.get_body(("plain",)).get_content()
    assert "we refunded the second charge" in text
    assert "charged twice for invoice 1042" in text  # recent history under the reply
    attached = [(p.get_filename(), p.get_content()) for p in sent.iter_attachments()]
    assert attached == [("refund-1042.pdf", PDF)]
    reply_row = OutboundEmail.objects.get(kind="reply", ticket=ticket)
    assert reply_row.status == OutboundStatus.SENT
    assert reply_row.message_id_header == sent["Message-ID"]

    # An internal note in the same session: on the ticket, never mailed.
    page.check("input[name=kind][value=note]")
    page.fill("#composer-body", "Refund 77-0042 issued in the payment console; double charge bug.")
    page.click("#composer button[value='']")
    page.wait_for_selector("text=Note added.")
    assert page.locator(".msg-note", has_text="Refund 77-0042").count() == 1
    assert ticket.messages.filter(kind=MessageKind.NOTE).count() == 1
    assert len(smtp_server.envelopes) == 1  # still only the reply
    assert not OutboundEmail.objects.filter(ticket=ticket).exclude(kind__in=["new_ticket", "reply"])
    _shoot(page, f"{then}-2-ticket-after-reply-and-note")

    # 4. Ada answers the mail she got, from her mail client; the gateway POSTs it to us.
    smtp_server.envelopes.clear()
    answer = _customer_answer(sent, body="Thanks, I see the refund pending on my card now.")
    assert _post_inbound(live_server, answer) == 202
    answer_row = InboundEmail.objects.exclude(pk=row.pk).get()
    assert answer_row.source == "http"
    assert answer_row.status == InboundStatus.PROCESSED, answer_row.error
    assert answer_row.ticket_id == ticket.pk
    assert Ticket.objects.count() == 1
    latest = ticket.messages.order_by("-created_at", "-id").first()
    assert latest.author_customer == ticket.requester
    assert latest.kind == MessageKind.REPLY
    assert latest.body_text == "Thanks, I see the refund pending on my card now."  # quote trimmed
    assert not latest.needs_review
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN  # reopened
    # The team hears about it (nobody has the ticket); Ada gets no automatic mail.
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["dana@example.com"]]
    notice = smtp_server.messages()[0]
    assert notice["Auto-Submitted"] == "auto-generated"
    # Its "Open the ticket" link, followed from the agent's mail client, opens the ticket.
    links = re.findall(r'href="([^"]+)"', notice.get_body(("html",)).get_content())
    assert f"{live_server.url}/agent/tickets/{ticket.pk}/" in links
    from_mail = context.new_page()
    from_mail.goto(f"{live_server.url}/agent/tickets/{ticket.pk}/")
    assert from_mail.locator(".msg-customer", has_text="I see the refund pending").count() == 1
    from_mail.close()

    # The agent still has the ticket open: within a poll it says a message came, and the
    # Reload link shows it in the timeline, with the ticket open again.
    page.wait_for_selector(".presence-new", timeout=15_000)
    assert "1 new message" in page.inner_text(".presence-new")
    _shoot(page, f"{then}-3-new-message-notice")
    page.click(".presence-new >> text=Reload")
    page.wait_for_selector(".msg-customer >> text=I see the refund pending")
    customer_msgs = page.locator(".msg-customer")
    assert customer_msgs.count() == 2
    assert "I see the refund pending" in customer_msgs.nth(1).inner_text()
    assert "wrote:" not in customer_msgs.nth(1).inner_text()  # the quoted mail is trimmed
    assert page.locator("#f-status").input_value() == Status.OPEN
    if then == Status.SOLVED:  # the survey the solve scheduled waits for the next solve
        assert "Survey on hold" in page.inner_text(".csat-summary")
    order = [
        page.locator(sel).bounding_box()["y"]
        for sel in (
            ".msg-customer >> nth=0",
            ".msg-agent",
            ".msg-note",
            ".msg-customer >> nth=1",
        )
    ]
    assert order == sorted(order), "the timeline is in the order things happened"
    _shoot(page, f"{then}-4-ticket-after-customer-answer")

    # The original, quoted history included, is one click away.
    customer_msgs.nth(1).locator("text=view original mail").click()
    page.wait_for_url(re.compile(rf"/mail/inbound/{answer_row.pk}/$"))
    assert "refunded the second charge" in page.inner_text("pre.mail-text")
    _shoot(page, f"{then}-5-original-mail")
    page.click(f".mail-meta >> text=#{ticket.pk}")  # and back to the ticket
    page.wait_for_url(re.compile(rf"/agent/tickets/{ticket.pk}/$"))

    # The conversation goes on: a second reply threads under Ada's answer, copies nobody
    # (not our own reply address she wrote to), and quotes her answer but never the note.
    smtp_server.envelopes.clear()
    page.fill("#composer-body", "Glad to hear it. Anything else, just reply.")
    page.click("#composer button[value=solved]")
    page.wait_for_selector("text=Reply sent.")
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["ada@example.org"]]
    second = smtp_server.messages()[0]
    assert second["In-Reply-To"] == answer_row.message_id_header
    references = str(second["References"]).split()
    assert references[0] == first_id
    assert {sent["Message-ID"], answer_row.message_id_header} <= set(references)
    assert second["Cc"] is None
    assert "Auto-Submitted" not in second
    assert "I see the refund pending" in second.get_body(("plain",)).get_content()
    for mail in [confirmation, sent, notice, second]:
        for part in mail.walk():
            if part.get_content_maintype() == "text":
                assert "77-0042" not in part.get_content(), "the internal note was mailed"
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED

    # The same answer delivered again (the gateway retried) changes nothing.
    assert _post_inbound(live_server, answer) == 200
    assert Message.objects.filter(ticket=ticket).count() == 5
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    context.close()
