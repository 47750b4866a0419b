"""A customer copied on a ticket (``Ticket.cc``) sees it in the portal: in their list, its
conversation and public attachments, never an internal note or a note's file; they reply, but
solving and reopening stay the requester's. Someone not copied still gets "not found"."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tickets.models import Attachment, Message, MessageKind, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def copied_ticket(portal_user, team):
    requester = factories.CustomerFactory(name="Rita Requester")
    ticket = factories.TicketFactory(
        team=team,
        requester=requester,
        subject="Invoice 9 charged twice",
        status=Status.OPEN,
        cc=[portal_user.email.upper().lower(), "someone@else.example"],
    )
    factories.MessageFactory(ticket=ticket, body_text="We were charged twice for invoice 9.")
    note = factories.NoteFactory(ticket=ticket, body_text="INTERNAL: refund via Stripe dashboard")
    Attachment.objects.create(
        ticket=ticket,
        message=note,
        name="internal.txt",
        size=6,
        content_type="text/plain",
        file=SimpleUploadedFile("internal.txt", b"secret"),
    )
    return ticket


def test_a_copied_customer_reads_the_ticket_but_never_the_notes(client, portal_user, copied_ticket):
    client.force_login(portal_user)
    listing = client.get(reverse("portal:home")).content.decode()
    assert "Invoice 9 charged twice" in listing
    page = client.get(reverse("portal:ticket", args=[copied_ticket.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "We were charged twice for invoice 9." in html
    assert "You're copied on this request" in html and "Requested by Rita Requester" in html
    assert "INTERNAL" not in html and "internal.txt" not in html
    note_file = Attachment.objects.get(name="internal.txt")
    download = client.get(reverse("portal:attachment", args=[note_file.pk]))
    assert download.status_code == 404


def test_a_copied_customer_replies_but_does_not_solve_or_reopen(client, portal_user, copied_ticket):
    client.force_login(portal_user)
    html = client.get(reverse("portal:ticket", args=[copied_ticket.pk])).content.decode()
    assert "Mark as solved" not in html
    response = client.post(
        reverse("portal:reply", args=[copied_ticket.pk]), {"body": "Same here, twice."}
    )
    assert response.status_code == 302
    reply = Message.objects.filter(ticket=copied_ticket, body_text="Same here, twice.").get()
    assert reply.kind == MessageKind.REPLY
    assert reply.author_customer_id == portal_user.customer.pk
    solve = client.post(reverse("portal:solve", args=[copied_ticket.pk]))
    assert solve.status_code in (403, 404)
    copied_ticket.refresh_from_db()
    assert copied_ticket.status != Status.SOLVED


def test_someone_not_copied_still_gets_not_found(client, other_portal_user, copied_ticket):
    client.force_login(other_portal_user)
    assert client.get(reverse("portal:ticket", args=[copied_ticket.pk])).status_code == 404
    assert "Invoice 9" not in client.get(reverse("portal:home")).content.decode()
    response = client.post(reverse("portal:reply", args=[copied_ticket.pk]), {"body": "Hi"})
    assert response.status_code == 404


def test_an_address_that_only_contains_the_customers_is_not_a_match(client, team):
    user = factories.CustomerUserFactory(email="ann@example.org")
    factories.TicketFactory(team=team, subject="Not Ann's", cc=["joann@example.org"])
    factories.TicketFactory(team=team, subject="Not Ann's either", cc=["ann@example.org.evil"])
    client.force_login(user)
    assert "Not Ann" not in client.get(reverse("portal:home")).content.decode()


@pytest.mark.postgres
def test_postgresql_finds_copied_tickets_through_the_gin_index():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'ticket_cc_gin'")
        (definition,) = cursor.fetchone()
    assert "gin (cc jsonb_path_ops)" in definition
