from __future__ import annotations

from django.core import mail as django_mail

from tickets.mail.inbound import inbound_store
from tickets.mail.models import InboundEmail, InboundStatus
from tickets.models import Channel, Message, Ticket


def ingest(raw: bytes, mailbox: str = "default") -> InboundEmail:
    """Store a message and run everything it queues (processing, events, mail) to the end."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        row, _ = inbound_store(raw=raw, mailbox=mailbox)
    row.refresh_from_db()
    return row


def test_new_mail_creates_ticket_with_customer(db, mail, django_capture_on_commit_callbacks):
    row = ingest(mail())
    assert row.status == InboundStatus.PROCESSED, row.error
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.EMAIL
    assert ticket.subject == "Printer on fire"
    assert ticket.requester.email == "ada@example.org"
    assert ticket.requester.name == "Ada Lovelace"
    message = ticket.messages.get()
    assert message.body_text == "Hello, my printer is on fire."
    assert message.email_message_id == row.message_id_header
    assert row.ticket == ticket and row.message == message
    # the confirmation went out, as an automatic reply
    assert len(django_mail.outbox) == 1
    sent = django_mail.outbox[0]
    assert sent.to == ["ada@example.org"]
    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"


def test_same_message_id_twice_yields_one_message(db, mail, django_capture_on_commit_callbacks):
    raw = mail(message_id="<dup-1@example.org>")
    with django_capture_on_commit_callbacks(execute=True):
        first, created1 = inbound_store(raw=raw)
        second, created2 = inbound_store(raw=raw)
    assert created1 and not created2
    assert first.pk == second.pk
    assert InboundEmail.objects.count() == 1
    assert Message.objects.count() == 1
