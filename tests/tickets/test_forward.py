"""Forward a public message to an outside address: a note records it, the outbox sends it after
commit (never in the request); notes are never forwarded."""

from __future__ import annotations

import pytest
from django.core import mail as django_mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from support.errors import InvalidChange, NotPermitted, ValidationFailed
from tests import factories
from tests.tickets.mail.conftest import run_on_commit
from tickets import services
from tickets.mail.models import OutboundEmail
from tickets.models import EventKind, MessageKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.DEFAULT_FROM_EMAIL = "Switchboard Support <support@localhost>"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def message(ticket):
    return services.ticket_reply(
        ticket=ticket,
        body="The invoice shows VAT twice.",
        by=ticket.requester,
        attachments=[SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 x", "application/pdf")],
    )


def test_forward_writes_a_note_and_queues_one_mail_with_the_attachment(ticket, agent, message):
    with run_on_commit():
        note = services.message_forward(
            message=message, to=["billing@vendor.example"], by=agent, comment="Can you check?"
        )
        assert OutboundEmail.objects.count() == 0  # nothing before the change commits
    assert note.kind == MessageKind.NOTE
    assert "billing@vendor.example" in note.body_text and "Can you check?" in note.body_text
    event = ticket.events.get(kind=EventKind.FORWARDED)
    assert event.message_id == note.pk and event.new == "billing@vendor.example"
    email = OutboundEmail.objects.get(kind="forward")
    assert email.to == ["billing@vendor.example"] and email.cc == []
    assert email.subject.startswith("Fwd: ") and f"[#{ticket.pk}]" in email.subject
    [sent] = [m for m in django_mail.outbox if "billing@vendor.example" in m.to]
    assert "Can you check?" in sent.body and "The invoice shows VAT twice." in sent.body
    assert [a[0] for a in sent.attachments] == ["invoice.pdf"]
    assert ticket.requester.email not in sent.recipients()


def test_a_note_is_never_forwarded(ticket, agent):
    note = services.ticket_note(ticket=ticket, body="internal only", by=agent)
    with pytest.raises(InvalidChange, match="internal notes stay inside"):
        services.message_forward(message=note, to=["x@vendor.example"], by=agent)
    assert OutboundEmail.objects.count() == 0


@pytest.mark.parametrize(
    ("to", "says"),
    [([], "Type the address"), (["nope"], "not an email address"), (["support@localhost"], "own")],
)
def test_bad_addresses_are_refused(ticket, agent, message, to, says):
    with pytest.raises(ValidationFailed, match=says):
        services.message_forward(message=message, to=to, by=agent)
    assert not ticket.events.filter(kind=EventKind.FORWARDED).exists()


def test_only_agents_forward(ticket, message):
    with pytest.raises(NotPermitted):
        services.message_forward(message=message, to=["x@vendor.example"], by=ticket.requester)


def test_the_page_forwards_and_returns_to_the_ticket(client, agent, ticket, message):
    client.force_login(agent)
    url = reverse("workspace:message_forward", args=[ticket.pk, message.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "The invoice shows VAT twice." in page.content.decode()
    with run_on_commit():
        response = client.post(url, {"to": "billing@vendor.example", "comment": "FYI"})
    assert response.status_code == 302
    assert OutboundEmail.objects.filter(kind="forward", to=["billing@vendor.example"]).exists()
    ticket_page = client.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    assert "Forwarded" in ticket_page and "billing@vendor.example" in ticket_page
    assert f'href="{url}"' in ticket_page  # the message offers Forward


def test_the_page_keeps_what_was_typed_on_an_error(client, agent, ticket, message):
    client.force_login(agent)
    url = reverse("workspace:message_forward", args=[ticket.pk, message.pk])
    response = client.post(url, {"to": "not-an-address", "comment": "keep me"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "not-an-address is not an email address" in body and "keep me" in body


def test_the_page_of_a_note_or_of_a_ticket_out_of_reach_is_404(
    client, agent, other_agent, ticket, message
):
    note = services.ticket_note(ticket=ticket, body="internal", by=agent)
    client.force_login(agent)
    url = reverse("workspace:message_forward", args=[ticket.pk, note.pk])
    assert client.get(url).status_code == 404
    client.force_login(other_agent)
    url = reverse("workspace:message_forward", args=[ticket.pk, message.pk])
    assert client.post(url, {"to": "x@vendor.example"}).status_code == 404
    customer_user = factories.CustomerUserFactory()
    client.force_login(customer_user)
    assert client.get(url).status_code in (403, 404)
    assert OutboundEmail.objects.filter(kind="forward").count() == 0
