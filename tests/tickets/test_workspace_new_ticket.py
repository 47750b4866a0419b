"""The agent's "New ticket" page: requester by type-ahead or a new contact, first message as a
public reply or an internal note, errors that keep what was typed, who may use it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.models import Customer
from support.errors import NotPermitted
from tests import factories
from tickets import services
from tickets.mail.models import OutboundEmail
from tickets.models import Channel, EventKind, MessageKind, Ticket
from tickets.workspace import new_ticket

URL = "/agent/tickets/new/"


def _post(client, data, **extra):
    base = {
        "requester_kind": "existing",
        "subject": "Printer on fire",
        "body": "Called at 10:15, the printer is smoking.",
        "message_kind": "reply",
        "priority": "normal",
        "type": "incident",
        "team": "",
        "assignee": "",
        "tags": "",
    }
    return client.post(URL, {**base, **data}, **extra)


def test_url_and_nav_entry(client, agent):
    assert reverse("workspace:new_ticket") == URL
    client.force_login(agent)
    page = client.get(reverse("workspace:home"), follow=True).content.decode()
    assert f'href="{URL}"' in page


def test_form_defaults_to_me_and_my_only_team(client, agent, team):
    client.force_login(agent)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{team.pk}" selected>' in html
    assert f'<option value="{agent.pk}" selected>' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_no_team_preselected_for_an_agent_in_two_teams(client, agent):
    agent.teams.add(factories.TeamFactory())
    client.force_login(agent)
    assert (
        " selected>"
        not in client.get(URL).content.decode().split('id="nt-team"')[1].split("</select>")[0]
    )


def test_create_for_an_existing_requester(
    client, agent, team, customer, django_capture_on_commit_callbacks
):
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client,
            {
                "requester": f"{customer.name} <{customer.email.upper()}>",
                "priority": "high",
                "team": str(team.pk),
                "assignee": str(agent.pk),
                "tags": "phone, vip",
            },
        )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:ticket", kwargs={"ticket_id": ticket.pk})
    assert (ticket.requester, ticket.team, ticket.assignee) == (customer, team, agent)
    assert (ticket.priority, ticket.type, ticket.channel) == ("high", "incident", Channel.WEB)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["phone", "vip"]
    message = ticket.messages.get()
    assert (message.kind, message.author_user) == (MessageKind.REPLY, agent)
    assert ticket.events.get(kind=EventKind.CREATED).actor == agent
    # the requester gets the agent's message as the agent's reply, not a "we received" mail
    mail = OutboundEmail.objects.get(ticket=ticket)
    assert (mail.kind, mail.to, mail.message) == ("reply", [customer.email], message)
    assert "the printer is smoking" in mail.body_text
    assert agent.display_name in mail.from_email
    assert "Auto-Submitted" not in mail.headers
    assert Customer.objects.count() == 1


def test_create_with_a_new_contact_and_an_attachment(client, agent):
    client.force_login(agent)
    upload = SimpleUploadedFile("photo.png", b"\x89PNG data", content_type="image/png")
    response = _post(
        client,
        {
            "requester_kind": "new",
            "requester": "ignored when new",
            "new_name": "Grace Hopper",
            "new_email": "Grace@Navy.example",
            "attachments": upload,
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.requester.name, ticket.requester.email) == ("Grace Hopper", "grace@navy.example")
    assert [a.name for a in ticket.messages.get().attachments.all()] == ["photo.png"]


def test_a_new_contact_with_a_known_address_reuses_the_contact(client, agent, customer):
    client.force_login(agent)
    response = _post(
        client,
        {"requester_kind": "new", "new_name": "Someone Else", "new_email": customer.email.upper()},
    )
    assert response.status_code == 302
    assert Customer.objects.count() == 1
    ticket = Ticket.objects.get()
    assert ticket.requester == customer
    customer.refresh_from_db()
    assert customer.name != "Someone Else"


def test_internal_note_first_mails_nobody(
    client, agent, team, customer, django_capture_on_commit_callbacks
):
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client,
            {
                "requester": customer.email,
                "message_kind": "note",
                "body": "Caller sounded upset; check the contract first.",
                "team": str(team.pk),
            },
        )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    message = ticket.messages.get()
    assert message.kind == MessageKind.NOTE
    assert ticket.events.get(kind=EventKind.CREATED).message == message
    assert not OutboundEmail.objects.exists()


def test_ticket_create_note_first_is_for_agents_only(customer):
    with pytest.raises(NotPermitted):
        services.ticket_create(
            requester=customer, subject="S", body="b", by=customer, first_message_kind="note"
        )
    with pytest.raises(NotPermitted):
        services.ticket_create(requester=customer, subject="S", body="b", first_message_kind="note")


def test_ticket_create_refuses_an_unknown_first_message_kind(agent, customer):
    from support.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.ticket_create(
            requester=customer, subject="S", body="b", by=agent, first_message_kind="memo"
        )


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"requester": "nobody@nowhere.example"}, "e-requester", "No contact you can see"),
        ({"requester": ""}, "e-requester", "Choose the requester"),
        ({"requester_kind": "new", "new_email": "not-an-address"}, "e-new-email", "valid email"),
        ({"requester_kind": "new", "new_email": ""}, "e-new-email", "needs an email"),
        ({"subject": "   "}, "e-subject", "subject"),
        ({"body": ""}, "nt-errors", "The message is empty."),
        ({"tags": "no way!"}, "e-tags", "not a valid tag"),
    ],
)
def test_errors_keep_everything_typed(client, agent, customer, data, field, text):
    client.force_login(agent)
    typed = {
        "requester": customer.email,
        "new_name": "Typed Name",
        "subject": "Kept subject",
        "body": "Kept body text",
        "tags": "kept-tag",
        "priority": "urgent",
    }
    response = _post(client, {**typed, **data})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="{field}"' in html and text in html
    assert Ticket.objects.count() == 0
    kept = {**typed, **data}
    for key in ("subject", "tags", "new_name"):
        if kept[key].strip():
            assert f'value="{kept[key]}"' in html
    if kept["body"]:
        assert f">{kept['body']}</textarea>" in html
    assert '<option value="urgent" selected>' in html


def test_an_invalid_new_contact_leaves_no_contact_behind(client, agent):
    client.force_login(agent)
    response = _post(
        client, {"requester_kind": "new", "new_email": "new@example.org", "subject": ""}
    )
    assert response.status_code == 400
    response = _post(
        client, {"requester_kind": "new", "new_email": "new@example.org", "body": "", "tags": ""}
    )
    assert response.status_code == 400  # the service refused the empty message
    assert not Customer.objects.filter(email="new@example.org").exists()


def test_a_customer_the_agent_cannot_see_cannot_be_picked(client, agent, customer, monkeypatch):
    hidden = factories.CustomerFactory(name="Hidden Person")
    visible = Customer.objects.filter(pk=customer.pk)
    monkeypatch.setattr(new_ticket, "customers_visible_to", lambda user: visible)
    client.force_login(agent)
    response = _post(client, {"requester": hidden.email})
    assert response.status_code == 400
    assert Ticket.objects.count() == 0
    options = client.get(reverse("workspace:new_ticket_requesters"), {"requester": "Hidden"})
    assert hidden.email not in options.content.decode()


def test_type_ahead_matches_name_or_address_at_most_twenty(client, agent):
    for n in range(25):
        factories.CustomerFactory(name=f"Zed Person {n:02}", email=f"zed{n}@example.org")
    ada = factories.CustomerFactory(name="Ada Lovelace", email="countess@analytical.example")
    merged = factories.CustomerFactory(name="Ada Old", email="ada.old@example.org")
    merged.merged_into = ada
    merged.save()
    client.force_login(agent)
    url = reverse("workspace:new_ticket_requesters")
    html = client.get(url, {"requester": "zed"}).content.decode()
    assert html.count("<option") == 20
    html = client.get(url, {"requester": "ANALYTICAL"}).content.decode()
    assert 'value="Ada Lovelace &lt;countess@analytical.example&gt;"' in html
    assert "ada.old" not in client.get(url, {"requester": "ada"}).content.decode()
    assert "<option" not in client.get(url, {"requester": "z"}).content.decode()


def test_customers_and_anonymous_are_refused(client, customer):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert (
        client.get(reverse("workspace:new_ticket_requesters"), {"requester": "cu"}).status_code
        == 302
    )
    portal_user = factories.CustomerUserFactory()
    client.force_login(portal_user)
    assert client.get(URL).status_code == 404
    assert _post(client, {"requester": customer.email}).status_code == 404
    assert (
        client.get(reverse("workspace:new_ticket_requesters"), {"requester": "cu"}).status_code
        == 404
    )
    assert Ticket.objects.count() == 0


def test_csrf_is_required(agent, customer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    assert _post(client, {"requester": customer.email}).status_code == 403
    assert Ticket.objects.count() == 0


def test_filed_for_another_team_still_lands_on_the_ticket_its_creator_sees(
    client, agent, customer, settings
):
    settings.AGENTS_SEE_ALL_TICKETS = False
    elsewhere = factories.TeamFactory(name="Elsewhere")
    colleague = factories.AgentFactory(teams=[elsewhere])
    client.force_login(agent)
    response = _post(
        client,
        {"requester": customer.email, "team": str(elsewhere.pk), "assignee": str(colleague.pk)},
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:ticket", kwargs={"ticket_id": ticket.pk})
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f"Ticket #{ticket.pk} created." in page.content.decode()


def test_a_request_the_customer_files_still_gets_the_confirmation(
    customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_create(requester=customer, subject="Help", body="Please")
    assert list(OutboundEmail.objects.filter(ticket=ticket).values_list("kind", flat=True)) == [
        "new_ticket"
    ]


def test_a_note_first_ticket_shows_the_note_to_agents_only(client, agent, team):
    portal_user = factories.CustomerUserFactory()
    requester = portal_user.customer
    ticket = services.ticket_create(
        requester=requester,
        subject="Called about the contract",
        body="Secret: check the renewal terms.",
        by=agent,
        team=team,
        first_message_kind=MessageKind.NOTE,
    )
    client.force_login(agent)
    page = client.get(reverse("workspace:ticket", kwargs={"ticket_id": ticket.pk}))
    assert page.status_code == 200 and "Secret: check the renewal terms." in page.content.decode()
    client.force_login(portal_user)
    page = client.get(reverse("portal:ticket", kwargs={"ticket_id": ticket.pk}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Called about the contract" in html and "Secret" not in html


def test_a_new_contact_the_model_refuses_is_an_error_on_the_page(client, agent, monkeypatch):
    from django.core.exceptions import ValidationError

    from customers import services as customer_services

    def refuse(**kwargs):
        raise ValidationError({"time_zone": ["Not a time zone."]})

    monkeypatch.setattr(customer_services, "customer_create", refuse)
    client.force_login(agent)
    response = _post(client, {"requester_kind": "new", "new_email": "x@example.org"})
    assert response.status_code == 400
    assert "Not a time zone." in response.content.decode()
    assert Ticket.objects.count() == 0


def test_only_get_and_post(client, agent):
    client.force_login(agent)
    assert client.put(URL).status_code == 405


def test_agent_files_a_ticket_about_a_product_version(client, agent, customer):
    """Issue 17: the product and its version on the New ticket page; a version of another
    product comes back as an error beside it, with everything typed kept."""
    product = factories.ProductFactory(name="Cloud")
    version = factories.VersionFactory(product=product, name="4.2")
    client.force_login(agent)
    page = client.get(URL).content.decode()
    assert 'id="nt-product"' in page and ">Cloud<" in page
    other = factories.VersionFactory(name="0.1")
    refused = _post(
        client,
        {"requester": customer.email, "product": str(product.pk), "version": str(other.pk)},
    )
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Version 0.1 is not a version of Cloud." in body
    assert f'<option value="{version.pk}">4.2</option>' in body
    assert "the printer is smoking" in body
    _post(
        client,
        {"requester": customer.email, "product": str(product.pk), "version": str(version.pk)},
    )
    ticket = Ticket.objects.get()
    assert (ticket.product, ticket.version) == (product, version)
