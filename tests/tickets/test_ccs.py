"""CCs on a ticket (``Ticket.cc``): stored, edited by agents (header, New ticket, API), copied on
public replies and never on notes, added by a requester's verified mail only."""

from __future__ import annotations

import pytest
from django.core import mail as django_mail
from django.urls import reverse

from support.errors import NotPermitted, ValidationFailed
from tests import factories
from tests.tickets.mail.conftest import build_mail, ingest_raw, run_on_commit
from tickets import services
from tickets.mail.models import OutboundEmail
from tickets.models import MAX_CCS, EventKind, Message, Ticket

pytestmark = pytest.mark.django_db

TRUSTED = "mx.switchboard.test"
PASS = {"Authentication-Results": f"{TRUSTED}; dmarc=pass header.from=example.org"}


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.MAIL_TRUSTED_AUTHSERV_IDS = [TRUSTED]
    settings.DEFAULT_FROM_EMAIL = "Switchboard Support <support@localhost>"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


# --- the service --------------------------------------------------------------------------


def test_an_agent_adds_and_removes_ccs_each_with_an_event(ticket, agent):
    services.ticket_update(
        ticket=ticket, by=agent, changes={"cc_add": ["Bob@Example.org", "carol@example.org"]}
    )
    ticket.refresh_from_db()
    assert ticket.cc == ["bob@example.org", "carol@example.org"]
    services.ticket_update(ticket=ticket, by=agent, changes={"cc_remove": ["bob@example.org"]})
    ticket.refresh_from_db()
    assert ticket.cc == ["carol@example.org"]
    kinds = list(ticket.events.filter(field="cc").order_by("id").values_list("kind", "new", "old"))
    assert kinds == [
        (EventKind.CC_ADDED, "bob@example.org", ""),
        (EventKind.CC_ADDED, "carol@example.org", ""),
        (EventKind.CC_REMOVED, "", "bob@example.org"),
    ]


def test_adding_an_address_already_copied_is_no_change(ticket, agent):
    services.ticket_update(ticket=ticket, by=agent, changes={"cc_add": ["bob@example.org"]})
    before = ticket.events.count()
    services.ticket_update(ticket=ticket, by=agent, changes={"cc_add": ["BOB@example.org"]})
    assert ticket.events.count() == before


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("not-an-address", "is not an email address"),
        ("support@localhost", "our own addresses"),
    ],
)
def test_bad_addresses_are_refused_with_a_sentence(ticket, agent, address, says):
    with pytest.raises(ValidationFailed) as caught:
        services.ticket_update(ticket=ticket, by=agent, changes={"cc_add": [address]})
    assert says in caught.value.message
    ticket.refresh_from_db()
    assert ticket.cc == []


def test_the_requester_is_never_their_own_cc(ticket, agent):
    services.ticket_update(ticket=ticket, by=agent, changes={"cc_add": [ticket.requester.email]})
    ticket.refresh_from_db()
    assert ticket.cc == []


def test_at_most_max_ccs(ticket, agent):
    many = [f"p{i}@example.org" for i in range(MAX_CCS + 1)]
    with pytest.raises(ValidationFailed, match="at most"):
        services.ticket_update(ticket=ticket, by=agent, changes={"cc": many})


def test_another_customer_cannot_change_the_ccs(ticket):
    stranger = factories.CustomerFactory()
    with pytest.raises(NotPermitted):
        services.ticket_update(
            ticket=ticket, by=stranger, changes={"cc_add": ["mallory@evil.example"]}
        )


def test_a_customer_cannot_remove_ccs(ticket):
    with pytest.raises(NotPermitted):
        services.ticket_update(
            ticket=ticket, by=ticket.requester, changes={"cc_remove": ["bob@example.org"]}
        )


# --- mail out -----------------------------------------------------------------------------


def test_public_replies_copy_the_ccs_and_notes_reach_nobody(ticket, agent):
    services.ticket_update(ticket=ticket, by=agent, changes={"cc_add": ["bob@example.org"]})
    with run_on_commit():
        services.ticket_note(ticket=ticket, body="Bob is slow to pay", by=agent)
        services.ticket_reply(ticket=ticket, body="Your refund is on its way.", by=agent)
    sent = [m for m in django_mail.outbox if "bob@example.org" in m.recipients()]
    assert len(sent) == 1
    assert sent[0].to == [ticket.requester.email]
    assert sent[0].cc == ["bob@example.org"]
    assert "refund is on its way" in sent[0].body
    assert all("slow to pay" not in m.body for m in django_mail.outbox)


def test_a_ticket_opened_by_an_agent_with_ccs_mails_them_its_first_reply(agent):
    requester = factories.CustomerFactory()
    with run_on_commit():
        ticket = services.ticket_create(
            requester=requester,
            subject="Your call today",
            body="As promised on the phone: the steps.",
            by=agent,
            cc=["manager@example.org"],
        )
    assert ticket.cc == ["manager@example.org"]
    email = OutboundEmail.objects.get(ticket=ticket, kind="reply")
    assert email.to == [requester.email] and email.cc == ["manager@example.org"]


# --- mail in ------------------------------------------------------------------------------


def test_a_verified_new_mail_opens_a_ticket_with_its_other_recipients_copied():
    ingest_raw(
        build_mail(
            sender="Ada <ada@example.org>",
            to="support@localhost, bob@example.org",
            headers={**PASS, "Cc": "Carol <carol@example.org>"},
        )
    )
    ticket = Ticket.objects.get()
    assert ticket.cc == ["bob@example.org", "carol@example.org"]


def test_an_unverified_new_mail_copies_nobody():
    row = ingest_raw(
        build_mail(sender="Ada <ada@example.org>", to="support@localhost, bob@example.org")
    )
    assert Ticket.objects.get().cc == []
    assert row.cc_held == ["bob@example.org"]


def test_a_verified_reply_adds_ccs_and_never_drops_the_agents_ones(ticket, agent):
    services.ticket_update(ticket=ticket, by=agent, changes={"cc_add": ["boss@example.org"]})
    ticket.requester.email = "ada@example.org"
    ticket.requester.save()
    ingest_raw(
        build_mail(
            sender="Ada <ada@example.org>",
            to="support@localhost",
            subject=f"Re: {ticket.subject} [#{ticket.pk}]",
            headers={**PASS, "Cc": "dave@example.org"},
        )
    )
    ticket.refresh_from_db()
    assert ticket.cc == ["boss@example.org", "dave@example.org"]
    event = ticket.events.get(kind=EventKind.CC_ADDED, new="dave@example.org")
    assert event.actor_customer_id == ticket.requester_id


def test_a_copied_person_may_answer_by_mail(ticket, agent):
    services.ticket_update(ticket=ticket, by=agent, changes={"cc_add": ["bob@example.org"]})
    row = ingest_raw(
        build_mail(
            sender="Bob <bob@example.org>",
            subject=f"Re: {ticket.subject} [#{ticket.pk}]",
            body="Adding what I know.",
        )
    )
    assert row.status == "processed", row.error
    message = Message.objects.get(ticket=ticket, body_text__contains="Adding what I know")
    assert message.author_customer.email == "bob@example.org"
    assert not message.needs_review


# --- the pages and the API ------------------------------------------------------------------


def test_the_header_adds_and_removes_a_cc(client, agent, ticket):
    client.force_login(agent)
    add = reverse("workspace:ticket_edit", args=[ticket.pk, "cc_add"])
    response = client.post(
        add, {"value": "bob@example.org, carol@example.org"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Stop copying bob@example.org" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.cc == ["bob@example.org", "carol@example.org"]
    remove = reverse("workspace:ticket_edit", args=[ticket.pk, "cc_remove"])
    client.post(remove, {"value": "bob@example.org"}, HTTP_HX_REQUEST="true")
    ticket.refresh_from_db()
    assert ticket.cc == ["carol@example.org"]
    page = client.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    assert "CC carol@example.org" in page  # the composer says who the reply goes to
    assert "stopped copying bob@example.org" in page


def test_the_header_says_what_is_wrong_with_an_address(client, agent, ticket):
    client.force_login(agent)
    add = reverse("workspace:ticket_edit", args=[ticket.pk, "cc_add"])
    response = client.post(add, {"value": "bob-at-example"}, HTTP_HX_REQUEST="true")
    assert "bob-at-example is not an email address" in response.content.decode()


def test_the_header_of_a_ticket_out_of_reach_is_404(client, other_agent, ticket):
    client.force_login(other_agent)
    add = reverse("workspace:ticket_edit", args=[ticket.pk, "cc_add"])
    assert client.post(add, {"value": "bob@example.org"}).status_code == 404
    ticket.refresh_from_db()
    assert ticket.cc == []


def test_new_ticket_page_takes_ccs(client, agent, customer):
    client.force_login(agent)
    response = client.post(
        reverse("workspace:new_ticket"),
        {
            "requester_kind": "existing",
            "requester": customer.email,
            "cc": "bob@example.org; carol@example.org",
            "subject": "Phone call",
            "body": "Notes from the call",
            "message_kind": "reply",
            "priority": "normal",
            "type": "question",
            "assignee": "me",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Ticket.objects.get(subject="Phone call").cc == ["bob@example.org", "carol@example.org"]


def test_new_ticket_page_shows_a_bad_cc_at_the_field(client, agent, customer):
    client.force_login(agent)
    response = client.post(
        reverse("workspace:new_ticket"),
        {
            "requester_kind": "existing",
            "requester": customer.email,
            "cc": "nope",
            "subject": "Phone call",
            "body": "Notes",
            "message_kind": "reply",
            "priority": "normal",
            "type": "question",
            "assignee": "me",
        },
    )
    assert response.status_code == 400
    assert 'id="e-cc"' in response.content.decode()
    assert not Ticket.objects.filter(subject="Phone call").exists()


def test_api_sets_and_shows_ccs_to_agents_only(api, agent, customer, team):
    client = api(agent)
    created = client.post(
        "/api/v1/tickets",
        {
            "subject": "By API",
            "body": "Hello",
            "requester_id": customer.pk,
            "team_id": team.pk,
            "cc": ["bob@example.org"],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["cc"] == ["bob@example.org"]
    ticket_id = created.json()["id"]
    changed = client.patch(
        f"/api/v1/tickets/{ticket_id}", {"cc": ["carol@example.org"]}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["cc"] == ["carol@example.org"]
    bad = client.patch(f"/api/v1/tickets/{ticket_id}", {"cc": ["nope"]}, format="json")
    assert bad.status_code == 400
    assert "nope is not an email address" in str(bad.json())
    user = factories.CustomerUserFactory()
    mine = services.ticket_create(requester=user.customer, subject="Mine", body="Hi", by=None)
    services.ticket_update(ticket=mine, by=agent, changes={"cc_add": ["bob@example.org"]})
    ticket_id = mine.pk
    seen = api(user).get(f"/api/v1/tickets/{ticket_id}")
    assert seen.status_code == 200
    assert "cc" not in seen.json()
    refused = api(user).patch(f"/api/v1/tickets/{ticket_id}", {"cc": []}, format="json")
    assert refused.status_code in (400, 403)
