"""Pages of the mail channel, each with its permission checks."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from tests import factories
from tests.tickets.mail.conftest import build_mail, run_on_commit
from tickets import services
from tickets.mail.models import InboundStatus, OutboundEmail, OutboundStatus
from tickets.models import Attachment

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_row(ingest):
    return ingest(b"To: support@localhost\r\nSubject: no sender\r\nMessage-ID: <nf@x>\r\n\r\nhi")


def test_admin_sees_failed_mail_with_reason_and_retries_it(client, admin_user, failed_row):
    assert failed_row.status == InboundStatus.FAILED
    client.force_login(admin_user)
    page = client.get("/mail/inbound/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "no sender address" in html and "Retry" in html
    with run_on_commit():
        response = client.post(f"/mail/inbound/{failed_row.pk}/retry/")
    assert response.status_code == 302
    failed_row.refresh_from_db()
    assert failed_row.attempts == 2
    # status filter
    assert client.get("/mail/inbound/?status=processed").status_code == 200


def test_inbound_list_is_admin_only(client, agent, failed_row):
    assert client.get("/mail/inbound/").status_code == 302  # anonymous: sign in
    client.force_login(agent)
    assert client.get("/mail/inbound/").status_code == 403
    assert client.post(f"/mail/inbound/{failed_row.pk}/retry/").status_code == 403
    portal = factories.CustomerUserFactory()
    client.force_login(portal)
    assert client.get("/mail/inbound/").status_code == 404


def test_retry_needs_post(client, admin_user, failed_row):
    client.force_login(admin_user)
    assert client.get(f"/mail/inbound/{failed_row.pk}/retry/").status_code == 405


def test_original_mail_visible_to_agents_of_the_ticket_only(client, ingest, agent, other_agent):
    row = ingest(build_mail())
    from tickets.models import Ticket

    ticket = Ticket.objects.get(pk=row.ticket_id)
    ticket.team = agent.teams.first()
    ticket.save()
    client.force_login(agent)
    assert client.get(f"/mail/inbound/{row.pk}/").status_code == 200
    download = client.get(f"/mail/inbound/{row.pk}/?download=1")
    assert download["Content-Type"] == "message/rfc822"
    assert download.content == row.raw_bytes
    client.force_login(other_agent)
    assert client.get(f"/mail/inbound/{row.pk}/").status_code == 404
    client.force_login(factories.CustomerUserFactory())
    assert client.get(f"/mail/inbound/{row.pk}/").status_code == 404


def test_delivery_partial_and_resend_permissions(client, ticket, agent, other_agent):
    email = OutboundEmail.objects.create(
        kind="reply",
        ticket=ticket,
        from_email="support@localhost",
        to=[ticket.requester.email],
        subject="s",
        body_text="b",
        message_id_header="<x1@localhost>",
        status=OutboundStatus.FAILED,
        last_error="550 5.1.1 mailbox unknown",
    )
    url = f"/mail/tickets/{ticket.pk}/delivery/"
    assert client.get(url).status_code == 302
    client.force_login(other_agent)
    assert client.get(url).status_code == 404
    assert client.post(f"/mail/outbound/{email.pk}/resend/").status_code == 404
    email.refresh_from_db()
    assert email.status == OutboundStatus.FAILED
    client.force_login(agent)
    html = client.get(url).content.decode()
    assert "550 5.1.1 mailbox unknown" in html and "Resend" in html
    assert client.get(f"/mail/outbound/{email.pk}/resend/").status_code == 405
    with run_on_commit():
        response = client.post(f"/mail/outbound/{email.pk}/resend/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    email.refresh_from_db()
    assert email.status == OutboundStatus.SENT
    # resending a sent mail is refused, readably
    response = client.post(f"/mail/outbound/{email.pk}/resend/", HTTP_HX_REQUEST="true")
    assert "Only a failed mail can be sent again." in response.content.decode()


def test_attachment_view_permissions(client, ticket, agent, other_agent):
    upload = ContentFile(b"\x89PNG fake", name="shot.png")
    upload.content_type = "image/png"
    with run_on_commit():
        services.ticket_reply(ticket=ticket, body="see", by=agent, attachments=[upload])
        services.ticket_note(
            ticket=ticket,
            body="secret",
            by=agent,
            attachments=[ContentFile(b"internal", name="internal.txt")],
        )
    public = Attachment.objects.get(name="shot.png")
    internal = Attachment.objects.get(name="internal.txt")
    assert client.get(f"/mail/attachments/{public.pk}/").status_code == 302
    client.force_login(agent)
    response = client.get(f"/mail/attachments/{public.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    client.force_login(other_agent)
    assert client.get(f"/mail/attachments/{public.pk}/").status_code == 404
    # the requester with a portal login sees the public one, never the note's
    portal = factories.CustomerUserFactory()
    ticket.requester = portal.customer
    ticket.save()
    client.force_login(portal)
    assert client.get(f"/mail/attachments/{public.pk}/").status_code == 200
    assert client.get(f"/mail/attachments/{internal.pk}/").status_code == 404


def test_agent_clears_the_review_flag(client, ingest, agent, other_agent):
    from tickets.models import Ticket

    row = ingest(build_mail())
    ticket = Ticket.objects.get(pk=row.ticket_id)
    ticket.team = agent.teams.first()
    ticket.save()
    flagged = ingest(build_mail(sender="stranger@else.example", subject=f"[#{ticket.pk}]"))
    message = ticket.messages.get(pk=flagged.message_id)
    assert message.needs_review
    url = f"/mail/messages/{message.pk}/reviewed/"
    client.force_login(other_agent)
    assert client.post(url).status_code == 404
    client.force_login(agent)
    assert client.get(url).status_code == 405
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().strip() == '<span class="muted">Reviewed</span>'
    message.refresh_from_db()
    assert message.needs_review is False


def test_delivery_names_each_kind_of_mail_for_people(client, ticket, agent):
    """Each kind of mail on a ticket has a readable name ("SLA breach", not "Sla breach")."""
    from tickets.mail.views import KIND_LABELS

    kinds = ["sla_breach", "sla_warning", "csat_survey", "reply", "new_ticket"]
    for n, kind in enumerate(kinds):
        OutboundEmail.objects.create(
            kind=kind,
            ticket=ticket,
            from_email="support@localhost",
            to=["agent@example.com"],
            subject="s",
            body_text="b",
            message_id_header=f"<k{n}@localhost>",
        )
    client.force_login(agent)
    html = client.get(f"/mail/tickets/{ticket.pk}/delivery/").content.decode()
    assert "SLA breach to" in html and "SLA warning to" in html
    assert "Satisfaction survey to" in html and "Sla " not in html
    assert all(kind in KIND_LABELS for kind in kinds)
