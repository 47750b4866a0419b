"""The IMAP poller against a real IMAP server: pymap's in-memory backend, over STARTTLS with a
certificate made for the test. The stored message is appended by a real imaplib client."""

from __future__ import annotations

import imaplib
import ssl

import pytest

from tests.tickets.mail.conftest import build_mail, run_on_commit
from tickets.mail import imap
from tickets.mail.models import InboundEmail
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _client(mailbox, context) -> imaplib.IMAP4:
    return imap.connect(mailbox, ssl_context=context)


def test_poller_fetches_stores_and_flags_seen_on_a_real_server(imap_server):
    mailbox, context = imap_server.mailbox, imap_server.context
    client = _client(mailbox, context)
    client.select("INBOX")
    raw = build_mail(subject="Sent over IMAP", message_id="<over-imap@example.org>")
    client.append("INBOX", None, None, raw)
    client.logout()

    with run_on_commit():
        stored = imap.poll_mailbox(mailbox, connect_fn=lambda m: _client(m, context))
    assert stored >= 1  # ours, plus whatever unseen demo mail the server starts with
    row = InboundEmail.objects.get(message_id_header="<over-imap@example.org>")
    assert row.source == "imap" and row.status == "processed", row.error
    assert Ticket.objects.filter(subject="Sent over IMAP").count() == 1

    client = _client(mailbox, context)
    client.select("INBOX")
    assert client.uid("SEARCH", None, "UNSEEN")[1] == [b""]  # everything flagged seen
    client.logout()
    with run_on_commit():
        assert imap.poll_mailbox(mailbox, connect_fn=lambda m: _client(m, context)) == 0
    assert InboundEmail.objects.filter(message_id_header="<over-imap@example.org>").count() == 1


def test_certificate_is_checked(imap_server):
    mailbox = imap_server.mailbox
    with pytest.raises(ssl.SSLError):
        imap.connect(mailbox)  # the system's CAs don't know the test certificate


def test_forged_senders_over_imap_are_held_or_flagged(imap_server, settings):
    """The trust rules (docs/email.md, "Trust model") hold for mail fetched by the poller too."""
    from tests import factories
    from tickets.models import MessageKind

    settings.MAIL_TRUSTED_AUTHSERV_IDS = ["mx.example.test"]
    team = factories.TeamFactory()
    agent = factories.AgentFactory(teams=[team])
    ticket = factories.TicketFactory(team=team, subject="Printer")
    mailbox, context = imap_server.mailbox, imap_server.context
    client = _client(mailbox, context)
    client.select("INBOX")
    for raw in (
        build_mail(sender="ceo@company.example, real@outside.example", message_id="<multi@x>"),
        build_mail(
            sender=ticket.requester.email,
            subject=f"Re: Printer [#{ticket.pk}]",
            message_id="<dmarcfail@x>",
            headers={"Authentication-Results": "mx.example.test; dmarc=fail"},
        ),
        build_mail(sender=agent.email, subject=f"Re: [#{ticket.pk}]", message_id="<agent@x>"),
    ):
        client.append("INBOX", None, None, raw)
    client.logout()
    with run_on_commit():
        imap.poll_mailbox(mailbox, connect_fn=lambda m: _client(m, context))
    rows = {r.message_id_header: r for r in InboundEmail.objects.filter(source="imap")}
    assert rows["<multi@x>"].status == "review"
    assert rows["<dmarcfail@x>"].status == "review"
    assert rows["<agent@x>"].status == "processed", rows["<agent@x>"].error
    note = ticket.messages.get(email_message_id="<agent@x>")
    assert note.kind == MessageKind.NOTE and note.needs_review
