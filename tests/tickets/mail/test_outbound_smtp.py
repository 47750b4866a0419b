"""Outgoing mail against a real SMTP server (aiosmtpd) running in the test process."""

from __future__ import annotations

from email.utils import parseaddr

import pytest
from django.core.files.base import ContentFile

from tests import factories
from tests.tickets.mail.conftest import build_mail, run_on_commit
from tickets import services
from tickets.mail import tokens
from tickets.mail.models import OutboundEmail, OutboundStatus
from tickets.mail.outbound import email_send, outbound_sweep
from tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db


def _agent_reply(ticket, agent, body="We replaced the toner. Try again?", **kwargs):
    with run_on_commit():
        return services.ticket_reply(ticket=ticket, body=body, by=agent, **kwargs)


def test_customer_mail_agent_reply_and_customer_reply_thread_end_to_end(
    smtp_server, ingest, agent, team, settings
):
    """A mail opens a ticket; the agent's reply reaches the SMTP server threaded; the customer's
    answer to that mail, built from its headers, lands on the same ticket."""
    settings.NOTIFY_NEW_TICKET = False
    row = ingest(build_mail(subject="Printer on fire", message_id="<first@example.org>"))
    ticket = Ticket.objects.get(pk=row.ticket_id)
    services.ticket_assign(ticket=ticket, team=team, assignee=agent, by=agent)
    smtp_server.envelopes.clear()

    ticket.refresh_from_db()
    _agent_reply(ticket, agent, status=Status.PENDING)

    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == ["ada@example.org"]
    sent = smtp_server.messages()[0]
    assert sent["Subject"] == f"Re: Printer on fire [#{ticket.pk}]"
    assert sent["In-Reply-To"] == "<first@example.org>"
    assert "<first@example.org>" in sent["References"]
    assert tokens.ticket_id_from_message_id(sent["Message-ID"]) == ticket.pk
    assert tokens.ticket_id_from_address(sent["Reply-To"]) == ticket.pk
    assert agent.display_name in str(sent["From"])
    assert "Auto-Submitted" not in sent  # a person wrote this
    text = sent.get_body(("plain",)).get_content()
    assert "We replaced the toner. Try again?" in text
    assert "Hello, my printer is on fire." in text  # recent history
    assert sent.get_body(("html",)) is not None
    outbound = OutboundEmail.objects.get(kind="reply")
    assert outbound.status == OutboundStatus.SENT
    assert outbound.message_id_header == sent["Message-ID"]

    # The customer answers from their mail client: Re: subject, In-Reply-To and References.
    answer = build_mail(
        subject=f"Re: {sent['Subject']}",
        to=sent["Reply-To"],
        body="Still on fire, sorry.\n\nOn Mon, Support wrote:\n> We replaced the toner.",
        headers={"In-Reply-To": sent["Message-ID"], "References": sent["Message-ID"]},
    )
    row2 = ingest(answer)
    assert row2.status == "processed", row2.error
    assert row2.ticket_id == ticket.pk
    assert Ticket.objects.count() == 1
    last = ticket.messages.order_by("-created_at", "-id").first()
    assert last.body_text == "Still on fire, sorry."
    assert last.author_customer == ticket.requester
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN  # the customer's reply reopened it from pending
    # and the assignee heard about it
    assert [agent.email] in [e.rcpt_tos for e in smtp_server.envelopes]
    assert OutboundEmail.objects.get(kind="customer_reply").to == [agent.email]


def test_agent_reply_carries_attachments(smtp_server, ticket, agent, settings):
    upload = ContentFile(b"%PDF-1.4 invoice", name="invoice.pdf")
    upload.content_type = "application/pdf"
    _agent_reply(ticket, agent, attachments=[upload])
    sent = smtp_server.messages()[-1]
    attachments = list(sent.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["invoice.pdf"]
    assert attachments[0].get_content() == b"%PDF-1.4 invoice"


def test_reply_is_sent_from_team_address(smtp_server, ticket, agent):
    ticket.team.email = "billing@example.com"
    ticket.team.save()
    _agent_reply(ticket, agent)
    sent = smtp_server.messages()[-1]
    assert parseaddr(str(sent["From"]))[1] == "billing@example.com"
    assert parseaddr(str(sent["Reply-To"]))[1].startswith("billing+t")
    assert smtp_server.envelopes[-1].mail_from == "billing@example.com"


def test_internal_note_is_never_mailed_to_customer(smtp_server, ticket, agent, settings):
    settings.NOTIFY_CUSTOMER_REPLY = True
    settings.NOTIFY_ASSIGNMENT = True
    settings.NOTIFY_NEW_TICKET = True
    with run_on_commit():
        services.ticket_note(ticket=ticket, body="Customer is on the naughty list", by=agent)
    assert smtp_server.envelopes == []
    assert not OutboundEmail.objects.exists()
    # and a later public reply does not quote the note in its history
    _agent_reply(ticket, agent)
    sent = smtp_server.messages()[-1]
    assert "naughty" not in sent.get_body(("plain",)).get_content()
    assert "naughty" not in sent.get_body(("html",)).get_content()


def test_header_values_from_user_input_cannot_inject_headers(smtp_server, ticket, team):
    evil = factories.AgentFactory(teams=[team], name="Eve\r\nBcc: victim@evil.example")
    ticket.subject = "Help\r\nBcc: victim@evil.example"  # written directly, past the service
    ticket.save()
    _agent_reply(ticket, evil)
    envelope = smtp_server.envelopes[-1]
    assert envelope.rcpt_tos == [ticket.requester.email]
    sent = smtp_server.messages()[-1]
    assert "Bcc" not in sent
    assert sent["Subject"].startswith("Re: Help Bcc: victim@evil.example")
    assert "\n" not in str(sent["From"])


def test_permanent_failure_is_recorded_and_visible(smtp_server, ticket, agent, client):
    smtp_server.refuse[ticket.requester.email] = ["550 5.1.1 mailbox unknown"]
    _agent_reply(ticket, agent)
    email = OutboundEmail.objects.get(kind="reply")
    assert email.status == OutboundStatus.FAILED
    assert "550" in email.last_error and "mailbox unknown" in email.last_error
    assert email.attempts == 1
    client.force_login(agent)
    page = client.get(f"/mail/tickets/{ticket.pk}/delivery/")
    assert page.status_code == 200
    assert "failed" in page.content.decode() and "550" in page.content.decode()
    # an agent resends it once the address is fixed: it goes out, once
    with run_on_commit():
        response = client.post(f"/mail/outbound/{email.pk}/resend/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    email.refresh_from_db()
    assert email.status == OutboundStatus.SENT
    assert len(smtp_server.envelopes) == 1


def test_temporary_failure_is_retried_then_sent_once(smtp_server, ticket, agent, settings):
    smtp_server.refuse[ticket.requester.email] = ["451 4.3.0 try again later"]
    with run_on_commit():
        services.ticket_reply(ticket=ticket, body="Hi", by=agent)
    email = OutboundEmail.objects.get(kind="reply")
    # the 451 is recorded; the row waits for its retry (Celery's backoff, or the beat sweep)
    assert email.status == OutboundStatus.PENDING
    assert "451" in email.last_error
    assert email.next_attempt_at > email.created_at
    assert smtp_server.envelopes == []
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=email.created_at)
    assert outbound_sweep() == 1  # the retry: due again, re-queued, accepted this time
    email.refresh_from_db()
    assert email.status == OutboundStatus.SENT
    assert email.attempts == 2
    assert len(smtp_server.envelopes) == 1
    # a stray duplicate task finds nothing left to send
    assert email_send(email_id=email.pk) is None
    assert len(smtp_server.envelopes) == 1


def test_temporary_failure_leaves_row_pending_with_error(smtp_server, ticket, agent, settings):
    email = OutboundEmail.objects.create(
        kind="reply",
        ticket=ticket,
        from_email="support@localhost",
        to=[ticket.requester.email],
        subject="s",
        body_text="b",
        message_id_header="<t-1@localhost>",
    )
    smtp_server.refuse[ticket.requester.email] = ["421 4.7.0 slow down"]
    with pytest.raises(Exception, match="421|slow down"):
        email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundStatus.PENDING
    assert "421" in email.last_error
    assert email_send(email_id=email.pk).status == OutboundStatus.SENT


def test_notifications_carry_auto_submitted(smtp_server, ingest, team, agent, settings):
    team.email = "help@localhost"
    team.save()
    row = ingest(build_mail(to="help@localhost"))
    ticket = Ticket.objects.get(pk=row.ticket_id)
    assert ticket.team == team  # routed by the address it was sent to
    confirmation = smtp_server.messages()[0]
    assert confirmation["Auto-Submitted"] == "auto-replied"
    assert confirmation["X-Auto-Response-Suppress"] == "All"
    assert f"[#{ticket.pk}]" in confirmation["Subject"]
    assert confirmation["In-Reply-To"] == row.message_id_header

    other = factories.AgentFactory(teams=[team])
    smtp_server.envelopes.clear()
    with run_on_commit():
        services.ticket_assign(ticket=ticket, assignee=other, by=agent)
    assigned = smtp_server.messages()
    assert len(assigned) == 1
    assert smtp_server.envelopes[0].rcpt_tos == [other.email]
    assert assigned[0]["Auto-Submitted"] == "auto-generated"
    assert "assigned" in assigned[0].get_body(("plain",)).get_content()


def test_customer_reply_notifies_team_when_unassigned(smtp_server, ingest, team, agent):
    team.email = "help@localhost"
    team.save()
    row = ingest(build_mail(to="help@localhost", message_id="<q1@example.org>"))
    smtp_server.envelopes.clear()
    ingest(
        build_mail(
            subject="Re: Printer on fire",
            body="Any news?",
            headers={"In-Reply-To": "<q1@example.org>"},
        )
    )
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [[agent.email]]
    note = smtp_server.messages()[0]
    assert "Any news?" in note.get_body(("plain",)).get_content()
    assert note["Auto-Submitted"] == "auto-generated"
    assert Ticket.objects.get(pk=row.ticket_id).messages.count() == 2


def test_notification_switches(smtp_server, ingest, settings):
    settings.NOTIFY_NEW_TICKET = False
    ingest(build_mail())
    assert smtp_server.envelopes == []


def test_ccs_of_the_requesters_mail_are_kept_in_the_loop(
    smtp_server, ingest, agent, team, settings
):
    # CCs count only from mail the receiving server verified (docs/email.md, "Trust model").
    settings.MAIL_TRUSTED_AUTHSERV_IDS = ["mx.example.test"]
    row = ingest(
        build_mail(
            to="support@localhost, Colleague <colleague@example.org>",
            headers={
                "Cc": "boss@example.org, support@localhost",
                "Authentication-Results": "mx.example.test; dmarc=pass header.from=example.org",
            },
        )
    )
    ticket = Ticket.objects.get(pk=row.ticket_id)
    services.ticket_assign(ticket=ticket, team=team, by=agent)
    smtp_server.envelopes.clear()
    _agent_reply(ticket, agent)
    envelope = smtp_server.envelopes[-1]
    assert sorted(envelope.rcpt_tos) == ["ada@example.org", "boss@example.org",
                                         "colleague@example.org"]  # fmt: skip
    sent = smtp_server.messages()[-1]
    assert "boss@example.org" in sent["Cc"] and "support@localhost" not in sent["Cc"]
    # a copied colleague's answer counts as the requester's side: not flagged for review
    answer = build_mail(
        sender="colleague@example.org",
        subject=f"Re: {sent['Subject']}",
        headers={"In-Reply-To": sent["Message-ID"]},
    )
    ingest(answer)
    assert ticket.messages.last().needs_review is False


def test_mention_in_note_mails_the_agent_only_and_a_reply_stays_internal(
    smtp_server, ingest, agent, team, settings
):
    settings.MAIL_TRUSTED_AUTHSERV_IDS = ["mx.example.test"]
    colleague = factories.AgentFactory(teams=[team], email="colleague@staff.example.com")
    row = ingest(build_mail())
    ticket = Ticket.objects.get(pk=row.ticket_id)
    services.ticket_assign(ticket=ticket, team=team, by=agent)  # the colleague can see it
    smtp_server.envelopes.clear()
    with run_on_commit():
        services.ticket_note(
            ticket=ticket, body="@colleague@staff.example.com can you check the invoice?", by=agent
        )
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [[colleague.email]]
    mention = smtp_server.messages()[0]
    assert "[#" not in mention["Subject"] and "Reply-To" not in mention
    assert mention["Auto-Submitted"] == "auto-generated"
    assert "can you check the invoice?" in mention.get_body(("plain",)).get_content()

    smtp_server.envelopes.clear()
    unverified = build_mail(
        sender=colleague.email,
        subject=f"Re: {mention['Subject']}",
        body="Checked: refund them.",
        headers={"In-Reply-To": mention["Message-ID"]},
    )
    row = ingest(unverified)  # anyone can write the colleague's address in From
    assert row.status == "review" and "unverified" in row.error
    reply = build_mail(
        sender=colleague.email,
        subject=f"Re: {mention['Subject']}",
        body="Checked: it was paid twice.",
        headers={
            "In-Reply-To": mention["Message-ID"],
            "Authentication-Results": "mx.example.test; dmarc=pass header.from=staff.example.com",
        },
    )
    row = ingest(reply)
    assert row.status == "processed", row.error
    note = ticket.messages.last()
    assert note.is_note and note.author_user == colleague
    assert note.body_text == "Checked: it was paid twice."
    assert smtp_server.envelopes == []  # nothing reached the customer

    # someone else answering the internal mail (it was forwarded) is not added at all
    outsider = build_mail(
        sender="ada@example.org",
        subject=f"Re: {mention['Subject']}",
        headers={"In-Reply-To": mention["Message-ID"]},
    )
    row = ingest(outsider)
    assert row.status == "failed" and "not an agent" in row.error
    assert ticket.messages.count() == 3  # the mail, the note, the colleague's note


def test_a_mail_interrupted_mid_send_is_resent_only_when_the_agent_says_it_may_be_twice(
    smtp_server, ticket, agent, client
):
    """A worker killed during the SMTP exchange leaves the row "sending": the sweep fails it as
    possibly delivered, a plain Resend refuses with the reason, "Resend anyway" sends it."""
    from datetime import timedelta

    from django.urls import reverse

    from support import clock
    from tickets.mail.outbound import SENDING_TIMEOUT

    _agent_reply(ticket, agent)
    mail = OutboundEmail.objects.get(kind="reply")
    smtp_server.envelopes.clear()
    # What a kill mid-exchange leaves: the row claimed for sending, never finished.
    OutboundEmail.objects.filter(pk=mail.pk).update(status=OutboundStatus.SENDING)
    with clock.travel(clock.now() + SENDING_TIMEOUT + timedelta(minutes=1)):
        outbound_sweep()
    mail.refresh_from_db()
    assert mail.status == OutboundStatus.FAILED
    client.force_login(agent)
    page = client.get(reverse("mail:ticket_delivery", args=[ticket.pk])).content.decode()
    assert "Resend anyway (it may have arrived)" in page
    with run_on_commit():
        refused = client.post(
            reverse("mail:outbound_resend", args=[mail.pk]), HTTP_HX_REQUEST="true"
        )
    assert "may already have reached" in refused.content.decode()
    assert not smtp_server.envelopes
    with run_on_commit():
        client.post(
            reverse("mail:outbound_resend", args=[mail.pk]),
            {"maybe_duplicate": "1"},
            HTTP_HX_REQUEST="true",
        )
    mail.refresh_from_db()
    assert mail.status == OutboundStatus.SENT
    assert len(smtp_server.envelopes) == 1
