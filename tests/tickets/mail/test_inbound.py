"""Inbound mail: storing, threading, who may add to a ticket, loops and bounces."""

from __future__ import annotations

import pytest
from django.core import mail as django_mail

from tests import factories
from tests.tickets.mail.conftest import build_mail, run_on_commit
from tickets import services
from tickets.mail import tokens
from tickets.mail.inbound import inbound_process, inbound_retry, inbound_store
from tickets.mail.models import InboundEmail, InboundStatus, OutboundEmail, OutboundStatus
from tickets.models import Channel, Message, Status, Ticket

pytestmark = pytest.mark.django_db


def _ticket_from_mail(ingest, **kwargs) -> Ticket:
    row = ingest(build_mail(**kwargs))
    assert row.status == InboundStatus.PROCESSED, row.error
    return Ticket.objects.get(pk=row.ticket_id)


def test_new_mail_creates_ticket_with_customer(ingest):
    row = ingest(build_mail())
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
    assert len(django_mail.outbox) == 1  # the confirmation
    assert django_mail.outbox[0].to == ["ada@example.org"]
    assert django_mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-replied"


def test_sender_joins_organization_by_domain(ingest):
    domain = factories.OrganizationDomainFactory(domain="example.org")
    ticket = _ticket_from_mail(ingest)
    assert ticket.requester.organization == domain.organization
    assert ticket.organization == domain.organization


def test_same_message_id_twice_yields_one_message(ingest):
    raw = build_mail(message_id="<dup-1@example.org>")
    with run_on_commit():
        first, created1 = inbound_store(raw=raw)
        second, created2 = inbound_store(raw=raw)
    assert created1 and not created2
    assert first.pk == second.pk
    assert InboundEmail.objects.count() == 1
    assert Message.objects.count() == 1
    # processing the row again (a duplicate task) does nothing
    assert inbound_process(inbound_id=first.pk) is None
    assert Message.objects.count() == 1


def test_same_mail_to_two_of_our_mailboxes_yields_one_message(ingest):
    raw = build_mail(message_id="<cc-both@example.org>")
    ingest(raw, mailbox="support")
    second = ingest(raw, mailbox="sales")
    assert second.status == InboundStatus.IGNORED
    assert "Already on ticket" in second.error
    assert Message.objects.count() == 1


def test_reply_threads_by_in_reply_to_of_our_mail(ingest, agent, team):
    ticket = _ticket_from_mail(ingest, message_id="<root@example.org>")
    with run_on_commit():
        services.ticket_assign(ticket=ticket, team=team, by=agent)
        services.ticket_reply(ticket=ticket, body="Did you try water?", by=agent, status="pending")
    ours = OutboundEmail.objects.get(kind="reply")
    row = ingest(
        build_mail(
            subject="Re: something else entirely",
            body="Yes, it helped.",
            headers={"In-Reply-To": ours.message_id_header},
        )
    )
    assert row.ticket_id == ticket.pk
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.messages.last().body_text == "Yes, it helped."


def test_reply_threads_by_references_to_message_we_received(ingest):
    ticket = _ticket_from_mail(ingest, message_id="<root2@example.org>")
    row = ingest(
        build_mail(subject="more", headers={"References": "<other@x> <root2@example.org>"})
    )
    assert row.ticket_id == ticket.pk


def test_reply_threads_by_subject_token(ingest):
    ticket = _ticket_from_mail(ingest)
    row = ingest(build_mail(subject=f"Re: Printer on fire [#{ticket.pk}]", body="Update"))
    assert row.ticket_id == ticket.pk
    assert Ticket.objects.count() == 1


def test_reply_threads_by_signed_reply_address(ingest):
    ticket = _ticket_from_mail(ingest)
    address = tokens.reply_address_for(ticket.pk, base="support@localhost")
    row = ingest(build_mail(to=address, subject="no token here"))
    assert row.ticket_id == ticket.pk


def test_forged_reply_address_or_message_id_opens_new_ticket(ingest):
    ticket = _ticket_from_mail(ingest)
    forged_address = f"support+t{ticket.pk}.000000000000@localhost"
    forged_id = f"<sb.t{ticket.pk}.0123456789abcdef.000000000000@localhost>"
    row = ingest(build_mail(to=forged_address, subject="hello", headers={"In-Reply-To": forged_id}))
    assert row.status == InboundStatus.PROCESSED
    assert row.ticket_id != ticket.pk
    assert Ticket.objects.count() == 2


def test_signed_message_id_still_threads_without_outbound_row(ingest):
    ticket = _ticket_from_mail(ingest)
    OutboundEmail.objects.all().delete()
    message_id = tokens.message_id_for(ticket.pk, domain="localhost")
    row = ingest(build_mail(subject="hi", headers={"In-Reply-To": message_id}))
    assert row.ticket_id == ticket.pk


def test_stranger_on_a_ticket_is_flagged_for_review_and_does_not_reopen(ingest, agent):
    ticket = _ticket_from_mail(ingest)
    with run_on_commit():
        services.ticket_reply(ticket=ticket, body="Done", by=agent, status=Status.SOLVED)
    row = ingest(
        build_mail(
            sender="Mallory <mallory@evil.example>",
            subject=f"Re: Printer on fire [#{ticket.pk}]",
            body="Please send the invoice to me instead.",
        )
    )
    assert row.ticket_id == ticket.pk
    message = ticket.messages.last()
    assert message.needs_review is True
    assert message.author_customer.email == "mallory@evil.example"
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    # the requester's mail is not flagged
    assert ticket.messages.filter(author_customer=ticket.requester, needs_review=True).count() == 0


def test_stranger_gets_new_ticket_when_configured(ingest, settings):
    settings.MAIL_UNKNOWN_SENDER = "new_ticket"
    ticket = _ticket_from_mail(ingest)
    row = ingest(build_mail(sender="bob@elsewhere.example", subject=f"Re: x [#{ticket.pk}]"))
    assert row.ticket_id != ticket.pk
    assert Ticket.objects.get(pk=row.ticket_id).requester.email == "bob@elsewhere.example"


def test_org_manager_may_reply_to_colleagues_ticket(ingest):
    org = factories.OrganizationDomainFactory(domain="example.org").organization
    ticket = _ticket_from_mail(ingest)
    factories.CustomerFactory(email="boss@example.org", organization=org, is_org_manager=True)
    row = ingest(build_mail(sender="boss@example.org", subject=f"Re: [#{ticket.pk}]"))
    assert row.ticket_id == ticket.pk
    assert ticket.messages.last().needs_review is False


def test_agent_replying_by_mail_answers_the_customer(ingest, agent, team):
    ticket = _ticket_from_mail(ingest)
    services.ticket_assign(ticket=ticket, team=team, by=agent)
    django_mail.outbox.clear()
    row = ingest(
        build_mail(
            sender=f"Agent <{agent.email.upper()}>",
            # the Reply-To of the notification the agent got: proof the mail is theirs
            to=tokens.agent_reply_address_for(agent.pk, ticket.pk, base="support@localhost"),
            subject=f"Re: [#{ticket.pk}] Printer on fire",
            body="Sending a technician.\n\nOn Tue, Ada wrote:\n> fire",
        )
    )
    assert row.status == InboundStatus.PROCESSED, row.error
    message = ticket.messages.last()
    assert message.author_user == agent
    assert message.channel == Channel.EMAIL
    assert message.body_text == "Sending a technician."
    assert [m.to for m in django_mail.outbox] == [["ada@example.org"]]


def test_reply_to_closed_ticket_opens_follow_up(ingest, agent):
    ticket = _ticket_from_mail(ingest)
    from support import clock

    # closing is the system's job (after solved, by time); state set directly here
    Ticket.objects.filter(pk=ticket.pk).update(
        status=Status.CLOSED, solved_at=clock.now(), closed_at=clock.now()
    )
    row = ingest(build_mail(subject=f"Re: Printer on fire [#{ticket.pk}]", body="Again!"))
    assert row.status == InboundStatus.PROCESSED
    assert row.ticket_id != ticket.pk
    assert Ticket.objects.get(pk=row.ticket_id).subject == "Printer on fire"


# --- loops ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-generated"},
        {"Precedence": "bulk"},
        {"Precedence": "list"},
        {"Precedence": "junk"},
        {"X-Auto-Response-Suppress": "All"},
        {"List-Id": "<news.example.org>"},
    ],
)
def test_no_automatic_reply_to_machine_mail(ingest, headers):
    row = ingest(build_mail(headers=headers))
    assert row.status == InboundStatus.PROCESSED
    assert row.autoreply_allowed is False
    assert Ticket.objects.count() == 1  # the mail is kept as a ticket…
    assert django_mail.outbox == []  # …but nothing answers it


def test_auto_submitted_no_is_answered(ingest):
    ingest(build_mail(headers={"Auto-Submitted": "no"}))
    assert len(django_mail.outbox) == 1


def test_mail_from_our_own_address_is_ignored(ingest, team):
    team.email = "billing@localhost"
    team.save()
    for sender in ("support@localhost", "Billing <billing@localhost>", "support+t1.abc@localhost"):
        row = ingest(build_mail(sender=sender))
        assert row.status == InboundStatus.IGNORED, sender
        assert "own address" in row.error
    assert Ticket.objects.count() == 0
    assert django_mail.outbox == []


def test_per_sender_cap_on_automatic_replies(ingest, settings):
    settings.MAIL_AUTOREPLY_PER_SENDER_PER_HOUR = 3
    for n in range(5):
        ingest(build_mail(subject=f"Question {n}"))
    assert Ticket.objects.count() == 5
    assert len(django_mail.outbox) == 3


def test_out_of_office_is_added_without_reopening(ingest, agent):
    ticket = _ticket_from_mail(ingest)
    with run_on_commit():
        services.ticket_reply(ticket=ticket, body="Fixed", by=agent, status=Status.SOLVED)
    ours = OutboundEmail.objects.get(kind="reply")
    django_mail.outbox.clear()
    row = ingest(
        build_mail(
            subject="Automatic reply: Printer on fire",
            body="I am out of the office until Monday.",
            headers={"Auto-Submitted": "auto-replied", "In-Reply-To": ours.message_id_header},
        )
    )
    assert row.status == InboundStatus.PROCESSED
    assert row.ticket_id == ticket.pk
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    assert "out of the office" in ticket.messages.last().body_text
    assert django_mail.outbox == []  # no confirmation, nobody paged


def test_out_of_office_about_no_ticket_is_ignored(ingest):
    row = ingest(build_mail(subject="Out of Office: hello", headers={"X-Autoreply": "yes"}))
    assert row.status == InboundStatus.IGNORED
    assert Ticket.objects.count() == 0


def _bounce(
    original_message_id: str,
    *,
    diagnostic="smtp; 550 5.1.1 mailbox unknown",
    returned="text/rfc822-headers",
) -> bytes:
    """A delivery status notification as Postfix writes one (RFC 3464)."""
    return (
        "Return-Path: <>\r\n"
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
        "To: support@localhost\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.example.net>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"\r\n'
        "\r\n"
        "--B1\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system at host mx.example.net. Your message could not be delivered.\r\n"
        "--B1\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.net\r\n\r\n"
        "Final-Recipient: rfc822; gone@example.net\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        f"Diagnostic-Code: {diagnostic}\r\n"
        "--B1\r\n"
        f"Content-Type: {returned}\r\n\r\n"
        "From: support@localhost\r\n"
        "To: gone@example.net\r\n"
        f"Message-ID: {original_message_id}\r\n"
        "Subject: Re: hi\r\n"
        "--B1--\r\n"
    ).encode()


@pytest.mark.parametrize("returned", ["text/rfc822-headers", "message/rfc822"])
def test_bounce_is_recorded_against_our_mail_and_creates_nothing(ingest, agent, returned):
    ticket = _ticket_from_mail(ingest)
    with run_on_commit():
        services.ticket_reply(ticket=ticket, body="Hi", by=agent)
    ours = OutboundEmail.objects.get(kind="reply")
    assert ours.status == OutboundStatus.SENT
    messages_before = Message.objects.count()
    django_mail.outbox.clear()

    row = ingest(_bounce(ours.message_id_header, returned=returned))

    assert row.status == InboundStatus.IGNORED
    assert row.bounce_for == ours
    assert "550 5.1.1 mailbox unknown" in row.error
    ours.refresh_from_db()
    assert ours.status == OutboundStatus.FAILED
    assert ours.last_error.startswith("Bounced: ")
    assert Message.objects.count() == messages_before
    assert Ticket.objects.count() == 1
    assert django_mail.outbox == []


def test_bounce_naming_nothing_of_ours_is_ignored(ingest):
    row = ingest(_bounce("<not-ours@example.com>"))
    assert row.status == InboundStatus.IGNORED
    assert row.bounce_for is None
    assert Ticket.objects.count() == 0


def test_mailer_daemon_without_report_is_a_bounce(ingest):
    row = ingest(build_mail(sender="MAILER-DAEMON@mx.example.net", subject="failure notice"))
    assert row.status == InboundStatus.IGNORED
    assert Ticket.objects.count() == 0


def test_two_helpdesks_cannot_loop(ingest):
    """Another helpdesk's auto-reply to our confirmation gets no confirmation back."""
    ingest(build_mail(sender="help@other-desk.example", subject="Hello"))
    confirmation = django_mail.outbox[-1]
    row = ingest(
        build_mail(
            sender="help@other-desk.example",
            subject=f"Re: {confirmation.subject}",
            headers={
                "Auto-Submitted": "auto-replied",
                "In-Reply-To": confirmation.extra_headers["Message-ID"],
            },
        )
    )
    assert row.status == InboundStatus.PROCESSED
    assert len(django_mail.outbox) == 1


# --- failure and retry ----------------------------------------------------------------------


def test_mail_without_sender_fails_with_reason_and_can_be_retried(ingest):
    raw = b"To: support@localhost\r\nSubject: who am I\r\nMessage-ID: <nofrom@x>\r\n\r\nbody\r\n"
    row = ingest(raw)
    assert row.status == InboundStatus.FAILED
    assert "no sender address" in row.error
    with run_on_commit():
        inbound_retry(inbound=row)
    row.refresh_from_db()
    assert row.status == InboundStatus.FAILED
    assert row.attempts == 2


def test_unexpected_error_is_recorded_not_raised(ingest, monkeypatch):
    from tickets.mail import inbound

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(inbound, "_new_ticket", boom)
    row = ingest(build_mail())
    assert row.status == InboundStatus.FAILED
    assert row.error == "RuntimeError: disk full"
    assert Ticket.objects.count() == 0
    monkeypatch.undo()
    with run_on_commit():
        inbound_retry(inbound=row)
    row.refresh_from_db()
    assert row.status == InboundStatus.PROCESSED
    assert Ticket.objects.count() == 1


def test_store_rejects_empty_and_non_messages(db):
    from support.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        inbound_store(raw=b"")
    with pytest.raises(ValidationFailed):
        inbound_store(raw=b"\x00\x01\x02 not mail at all")


def test_mail_from_a_merged_contact_counts_as_the_surviving_one(ingest, agent):
    ticket = _ticket_from_mail(ingest)
    old = factories.CustomerFactory(email="ada.old@example.org")
    with run_on_commit():
        services.customer_merge(source=old, target=ticket.requester, by=agent)
    row = ingest(build_mail(sender="ada.old@example.org", subject=f"Re: [#{ticket.pk}]"))
    message = ticket.messages.get(pk=row.message_id)
    assert message.author_customer == ticket.requester
    assert message.needs_review is False
