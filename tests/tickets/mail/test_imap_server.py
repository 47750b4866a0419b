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
