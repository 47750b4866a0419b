"""Who really sent this? Sender addresses read structurally, the receiving server's verdict
(Authentication-Results from a trusted host), agents' replies that must prove themselves, and the
same permission rule as the UI. Every case goes in through a real way in (ingest_email, the HTTP
endpoint) and is processed as in production."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.core import mail as django_mail
from django.core.management import call_command

from tests import factories
from tests.tickets.mail.conftest import build_mail, run_on_commit
from tickets import services
from tickets.mail import tokens
from tickets.mail.models import InboundEmail, InboundStatus, OutboundEmail
from tickets.mail.notify import ticket_ccs
from tickets.models import Message, MessageKind, Status, Ticket

pytestmark = pytest.mark.django_db

TRUSTED = "mx.switchboard.test"


@pytest.fixture(autouse=True)
def _trusted(settings):
    settings.MAIL_TRUSTED_AUTHSERV_IDS = [TRUSTED]


def _b(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def _raw(from_header: str, *, extra: str = "", subject: str = "Hello", body: str = "Hi") -> bytes:
    message_id = hashlib.sha256((from_header + extra + body).encode()).hexdigest()[:20]
    return (
        f"From: {from_header}\r\nTo: support@localhost\r\nSubject: {subject}\r\n"
        f"Date: Fri, 04 Dec 2026 10:00:00 +0000\r\nMessage-ID: <{message_id}@x>"
        f"\r\n{extra}\r\n{body}\r\n"
    ).encode()


def _ingest_cmd(tmp_path, raw: bytes, name: str = "m.eml") -> InboundEmail:
    """Through ``manage.py ingest_email FILE`` (what the MTA pipes to)."""
    path = tmp_path / name
    path.write_bytes(raw)
    with run_on_commit():
        call_command("ingest_email", str(path), mailbox="support")
    return InboundEmail.objects.order_by("-id").first()


def _post(client, raw: bytes) -> InboundEmail:
    with run_on_commit():
        response = client.post(
            "/inbound/email/",
            data=raw,
            content_type="message/rfc822",
            HTTP_X_SWITCHBOARD_SECRET="s3cret-for-tests",
        )
    assert response.status_code in (200, 202), response.content
    return InboundEmail.objects.get(pk=response.json()["id"])


def _auth(result: str, *, host: str = TRUSTED) -> str:
    return f"Authentication-Results: {host}; {result}\r\n"


# --- 1. addresses parsed structurally --------------------------------------------------------


def test_encoded_display_name_decoding_to_an_address_does_not_change_the_sender(tmp_path):
    row = _ingest_cmd(tmp_path, _raw(f"{_b('ceo@company.com')} <real@outside.example>"))
    assert row.status == InboundStatus.PROCESSED, row.error
    assert row.from_address == "real@outside.example"
    assert Ticket.objects.get().requester.email == "real@outside.example"


@pytest.mark.parametrize("name", ["John Q. Public", "Dr. Ada Lovelace", "Ada Lovelace Jr."])
def test_an_unquoted_name_with_a_period_is_still_the_sender(tmp_path, name):
    # Obsolete syntax many clients still write; the parser flags it, but the address is clear.
    row = _ingest_cmd(tmp_path, _raw(f"{name} <real@outside.example>"))
    assert row.status == InboundStatus.PROCESSED, row.error
    assert row.from_address == "real@outside.example"
    assert Ticket.objects.get().requester.name == name


@pytest.mark.parametrize(
    "from_header",
    [
        f"{_b('ceo@company.com')}",  # the encoded word alone: no address at all
        f"{_b('ceo@company.com' + chr(10))} <real@outside.example>",  # a line break in it
        "ceo@company.com <real@outside.example>",  # unquoted address as a name: misparsed
        "ceo.x@company.com <real@outside.example>",  # the same, with a period in it
        "ceo@company.com, real@outside.example",  # several addresses
        "Board: ceo@company.com, real@outside.example;",  # group syntax
        "Undisclosed recipients:;",  # an empty group
        "",  # empty
        "not an address",
    ],
)
def test_ambiguous_or_unparseable_sender_is_held_for_review(tmp_path, from_header):
    factories.CustomerFactory(email="ceo@company.com")
    row = _ingest_cmd(tmp_path, _raw(from_header))
    assert row.status == InboundStatus.REVIEW, (row.status, row.error, row.from_address)
    assert "sender" in row.error.lower()
    assert Ticket.objects.count() == 0
    assert Message.objects.count() == 0
    assert django_mail.outbox == []


def test_two_from_headers_are_held_for_review(tmp_path):
    raw = _raw("real@outside.example", extra="From: ceo@company.com\r\n")
    row = _ingest_cmd(tmp_path, raw)
    assert row.status == InboundStatus.REVIEW
    assert Ticket.objects.count() == 0


def test_held_mail_is_listed_for_admins(client, tmp_path):
    _ingest_cmd(tmp_path, _raw("a@x.example, b@y.example"))
    admin = factories.AdminFactory()
    client.force_login(admin)
    page = client.get("/mail/inbound/?status=review")
    assert page.status_code == 200
    assert "Held for review" in page.content.decode()


# --- 2. the receiving server's verdict -------------------------------------------------------


@pytest.fixture
def ticket(tmp_path):
    row = _ingest_cmd(
        tmp_path,
        build_mail(
            sender="Ada <ada@example.org>",
            headers={"Authentication-Results": f"{TRUSTED}; dmarc=pass header.from=example.org"},
        ),
        name="first.eml",
    )
    assert row.status == InboundStatus.PROCESSED, row.error
    assert row.auth_verdict == "pass"
    return Ticket.objects.get(pk=row.ticket_id)


def test_verdict_recorded_from_trusted_host_only(client):
    forged = _post(
        client,
        build_mail(headers={"Authentication-Results": "evil.example; dmarc=pass"}),
    )
    assert forged.auth_verdict == "none"
    spf = _post(
        client,
        build_mail(
            headers={
                "Authentication-Results": f"{TRUSTED}; spf=pass smtp.mailfrom=bounce.example.org"
            }
        ),
    )
    assert spf.auth_verdict == "pass"  # aligned: a subdomain of the From domain
    unaligned = _post(
        client,
        build_mail(
            headers={
                "Authentication-Results": f"{TRUSTED}; spf=pass smtp.mailfrom=other.example; "
                "dkim=pass header.d=other.example"
            }
        ),
    )
    assert unaligned.auth_verdict == "none"
    dkim = _post(
        client,
        build_mail(
            headers={"Authentication-Results": f"{TRUSTED} 1; dkim=pass header.d=example.org"}
        ),
    )
    assert dkim.auth_verdict == "pass"
    failed = _post(
        client,
        build_mail(
            sender="someone@else.example",
            headers={"Authentication-Results": f"{TRUSTED}; dmarc=fail header.from=else.example"},
        ),
    )
    assert failed.auth_verdict == "fail"


def test_requester_claim_with_dmarc_fail_is_held_not_stored_as_their_reply(client, ticket):
    before = ticket.messages.count()
    row = _post(
        client,
        build_mail(
            sender="Ada <ada@example.org>",
            subject=f"Re: Printer on fire [#{ticket.pk}]",
            body="Please send everything to mallory@evil.example",
            headers={"Authentication-Results": f"{TRUSTED}; dmarc=fail header.from=example.org"},
        ),
    )
    assert row.status == InboundStatus.REVIEW
    assert "dmarc" in row.error.lower()
    assert row.auth_verdict == "fail"
    assert ticket.messages.count() == before


def test_spoofed_requester_cannot_add_a_cc(client, ticket, agent):
    row = _post(
        client,
        build_mail(
            sender="Ada <ada@example.org>",
            to="support@localhost, mallory@evil.example",
            subject=f"Re: Printer on fire [#{ticket.pk}]",
            body="Copying my colleague.",
        ),
    )
    assert row.status == InboundStatus.PROCESSED, row.error
    assert row.auth_verdict == "none"
    assert "mallory@evil.example" in row.cc_held
    ticket.refresh_from_db()
    assert ticket_ccs(ticket) == []
    services.ticket_assign(ticket=ticket, team=agent.teams.first(), by=agent)
    client.force_login(agent)
    page = client.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert "CC not applied, the sender is not verified: mallory@evil.example" in page
    with run_on_commit():
        services.ticket_reply(ticket=ticket, body="Here is your invoice.", by=agent)
    reply = OutboundEmail.objects.get(kind="reply")
    assert reply.cc == []


def test_verified_requester_adds_a_cc(client, ticket):
    _post(
        client,
        build_mail(
            sender="Ada <ada@example.org>",
            to="support@localhost, bob@example.org",
            subject=f"Re: Printer on fire [#{ticket.pk}]",
            headers={"Authentication-Results": f"{TRUSTED}; dmarc=pass header.from=example.org"},
        ),
    )
    ticket.refresh_from_db()
    assert ticket.cc == ["bob@example.org"]
    assert ticket_ccs(ticket) == ["bob@example.org"]


# --- agents' replies must prove themselves ---------------------------------------------------


@pytest.fixture
def team_ticket(ticket, agent):
    ticket.team = agent.teams.first()
    ticket.save(update_fields=["team"])
    django_mail.outbox.clear()
    return ticket


def test_agent_claim_without_proof_becomes_a_flagged_note_never_mailed(client, team_ticket, agent):
    row = _post(
        client,
        build_mail(
            sender=f"Agent <{agent.email}>",
            subject=f"Re: [#{team_ticket.pk}] Printer on fire",
            body="Your refund is approved, send your card number to mallory@evil.example",
        ),
    )
    assert row.status == InboundStatus.PROCESSED, row.error
    message = team_ticket.messages.last()
    assert message.kind == MessageKind.NOTE
    assert message.author_user == agent
    assert message.needs_review is True
    assert OutboundEmail.objects.filter(kind="reply").count() == 0
    assert all("refund" not in m.body for m in django_mail.outbox)


def test_agent_reply_through_their_signed_reply_address_is_public(client, team_ticket, agent):
    address = tokens.agent_reply_address_for(agent.pk, team_ticket.pk, base="support@localhost")
    row = _post(
        client,
        build_mail(
            sender=f"Agent <{agent.email}>",
            to=address,
            subject="Re: Printer on fire",
            body="Sending a technician.",
        ),
    )
    assert row.status == InboundStatus.PROCESSED, row.error
    message = team_ticket.messages.last()
    assert message.kind == MessageKind.REPLY and message.author_user == agent
    assert message.needs_review is False
    assert OutboundEmail.objects.filter(kind="reply", message=message).count() == 1


def test_another_agents_reply_address_proves_nothing(client, team_ticket, agent):
    colleague = factories.AgentFactory(teams=list(agent.teams.all()))
    address = tokens.agent_reply_address_for(colleague.pk, team_ticket.pk, base="support@localhost")
    _post(client, build_mail(sender=agent.email, to=address, subject="x", body="Hi"))
    message = team_ticket.messages.last()
    assert message.kind == MessageKind.NOTE and message.needs_review is True


def test_agent_reply_with_passing_dmarc_is_public(client, team_ticket, agent):
    domain = agent.email.rsplit("@", 1)[1]
    _post(
        client,
        build_mail(
            sender=agent.email,
            subject=f"Re: [#{team_ticket.pk}] Printer on fire",
            body="On my way.",
            headers={"Authentication-Results": f"{TRUSTED}; dmarc=pass header.from={domain}"},
        ),
    )
    message = team_ticket.messages.last()
    assert message.kind == MessageKind.REPLY and message.needs_review is False


def test_notification_to_an_agent_carries_their_signed_reply_address(ticket, agent):
    ticket.team = agent.teams.first()
    ticket.save(update_fields=["team"])
    with run_on_commit():
        services.ticket_reply(ticket=ticket, body="More smoke now", by=ticket.requester)
    alert = OutboundEmail.objects.get(kind="customer_reply")
    assert alert.to == [agent.email]
    reply_to = alert.headers["Reply-To"]
    assert tokens.agent_reply_from_address(reply_to) == (agent.pk, ticket.pk)


def test_confirming_a_flagged_note_publishes_it_and_mails_it(client, team_ticket, agent):
    _post(client, build_mail(sender=agent.email, subject=f"Re: [#{team_ticket.pk}]", body="Fixed."))
    note = team_ticket.messages.last()
    assert note.kind == MessageKind.NOTE
    other = factories.AgentFactory(teams=list(agent.teams.all()))
    client.force_login(other)
    assert client.post(f"/mail/messages/{note.pk}/confirm/").status_code == 403
    client.force_login(agent)
    with run_on_commit():
        response = client.post(f"/mail/messages/{note.pk}/confirm/")
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.kind == MessageKind.REPLY and note.needs_review is False
    sent = OutboundEmail.objects.get(kind="reply", message=note)
    assert sent.to == ["ada@example.org"]
    team_ticket.refresh_from_db()
    assert team_ticket.status != Status.NEW


# --- 3. the same permission rule as the UI and API ---------------------------------------------


def test_agent_outside_the_team_cannot_reply_by_mail(client, team_ticket, other_agent):
    domain = other_agent.email.rsplit("@", 1)[1]
    address = tokens.agent_reply_address_for(
        other_agent.pk, team_ticket.pk, base="support@localhost"
    )
    before = team_ticket.messages.count()
    row = _post(
        client,
        build_mail(
            sender=other_agent.email,
            to=address,
            subject=f"Re: [#{team_ticket.pk}]",
            body="I can see this?",
            headers={"Authentication-Results": f"{TRUSTED}; dmarc=pass header.from={domain}"},
        ),
    )
    assert row.status == InboundStatus.REVIEW
    assert "can't see ticket" in row.error
    assert team_ticket.messages.count() == before
    client.force_login(other_agent)
    assert client.get(f"/agent/tickets/{team_ticket.pk}/").status_code == 404


# --- 5. mail without a Message-ID: one fingerprint per message ---------------------------------


def test_redelivery_without_message_id_that_only_adds_a_received_line_is_one_ticket(tmp_path):
    message = (
        b"From: Ada <ada@example.org>\r\nTo: support@localhost\r\nSubject: No id here\r\n"
        b"Date: Fri, 04 Dec 2026 10:00:00 +0000\r\n\r\nMy printer is on fire.\r\n"
    )
    redelivered = (
        b"Received: from relay2.example.net by mx.switchboard.test; Fri, 4 Dec 2026 10:05:00\r\n"
        + message.replace(b"\r\n", b"\n")
    )
    first = _ingest_cmd(tmp_path, message, name="a.eml")
    second = _ingest_cmd(tmp_path, redelivered, name="b.eml")
    assert first.pk == second.pk
    assert Ticket.objects.count() == 1
    other_body = message.replace(b"on fire", b"fixed")
    third = _ingest_cmd(tmp_path, other_body, name="c.eml")
    assert third.pk != first.pk
    assert Ticket.objects.count() == 2
