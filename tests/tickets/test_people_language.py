"""An agent sets a contact's language on their profile page: one of ours or "from the browser",
recorded as a ``customer.locale_changed`` event on the one event stream; the next mail to the
contact is written in it (through the real outbox, to a real SMTP server)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from customers.models import Customer, CustomerEvent
from customers.services import customer_set_locale
from support import events
from support.errors import NotPermitted, ValidationFailed
from tests import factories
from tickets.mail.models import OutboundEmail
from tickets.mail.outbound import email_send
from tickets.services import ticket_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def jordan():
    return factories.CustomerFactory(email="jordan@acme.example", name="Jordan Lee", locale="en")


def _set(client, customer, locale):
    return client.post(reverse("people:customer_language", args=[customer.pk]), {"locale": locale})


def test_an_agent_sets_german_and_it_is_recorded_as_an_event(signed_in, agent, jordan):
    response = _set(signed_in, jordan, "de")
    assert response.status_code == 302
    assert Customer.objects.get(pk=jordan.pk).locale == "de"
    event = CustomerEvent.objects.get(customer=jordan)
    assert event.kind == "customer.locale_changed"
    assert event.by == agent
    assert event.data == {"old": "en", "new": "de"}
    assert event.dispatched_at is None  # owed to the stream until its task ran
    page = signed_in.get(response["Location"]).content.decode()
    assert "Language set to Deutsch." in page
    assert '<option value="de" selected>Deutsch</option>' in page
    assert f"Deutsch, set by {agent.display_name}" in page


def test_the_event_is_dispatched_on_the_stream_after_commit(
    signed_in, jordan, django_capture_on_commit_callbacks
):
    heard = []

    def handler(event):
        heard.append((event.kind, event.data["new"]))

    events.subscribe("customer.locale_changed")(handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _set(signed_in, jordan, "es")
    finally:
        events.unsubscribe(handler)
    assert heard == [("customer.locale_changed", "es")]
    assert CustomerEvent.objects.get(customer=jordan).dispatched_at is not None


def test_setting_the_same_language_again_records_nothing(signed_in, jordan):
    _set(signed_in, jordan, "de")
    response = _set(signed_in, jordan, "de")
    page = signed_in.get(response["Location"]).content.decode()
    assert "The language was already Deutsch." in page
    assert CustomerEvent.objects.filter(customer=jordan).count() == 1


def test_a_language_we_do_not_offer_is_refused_and_nothing_changes(signed_in, jordan):
    response = _set(signed_in, jordan, "fr")
    page = signed_in.get(response["Location"]).content.decode()
    assert "Choose one of the languages offered." in page
    assert Customer.objects.get(pk=jordan.pk).locale == "en"
    assert not CustomerEvent.objects.exists()
    with pytest.raises(ValidationFailed):
        customer_set_locale(customer=jordan, locale="klingon", by=None)


def test_from_the_browser_lets_the_portal_follow_the_browser(client, signed_in):
    portal_user = factories.CustomerUserFactory(contact__locale="de")
    contact = portal_user.customer
    _set(signed_in, contact, "")
    contact.refresh_from_db()
    assert contact.locale == ""
    client.force_login(portal_user)
    html = client.get(reverse("portal:home"), headers={"accept-language": "es"}).content.decode()
    assert 'lang="es"' in html
    html = client.get(reverse("portal:home"), headers={"accept-language": "en"}).content.decode()
    assert 'lang="en"' in html


def test_only_agents_and_the_contact_may_change_it(client, jordan):
    other = factories.CustomerUserFactory()
    with pytest.raises(NotPermitted):
        customer_set_locale(customer=jordan, locale="de", by=other)
    client.force_login(other)
    response = _set(client, jordan, "de")
    assert response.status_code in (302, 403, 404)
    assert Customer.objects.get(pk=jordan.pk).locale == "en"
    client.logout()
    assert _set(client, jordan, "de").status_code == 302  # to sign-in
    assert Customer.objects.get(pk=jordan.pk).locale == "en"
    assert client.get(reverse("people:customer_language", args=[jordan.pk])).status_code in (
        302,
        405,
    )


def test_the_next_mail_goes_out_in_the_language_the_agent_set(
    settings,
    signed_in,
    agent,
    jordan,
    smtp_inbox,
    django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_inbox.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    ticket = factories.TicketFactory(requester=jordan, team=agent.teams.first())
    _set(signed_in, jordan, "de")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(ticket=ticket, body="Bitte neu starten.", by=agent)
    # The reply's event queued the row; its task (eager in tests) sent it over SMTP.
    mail = OutboundEmail.objects.get(kind="reply")
    assert mail.status == "sent" and email_send(email_id=mail.pk) is None  # never twice
    (sent,) = smtp_inbox.to("jordan@acme.example")
    text = sent.get_body(preferencelist=("plain",)).get_content()
    assert "antworten Sie auf diese E-Mail" in text and "Bitte neu starten." in text

    # Back to "from the browser": mail has no browser, so it is in the default language.
    _set(signed_in, jordan, "")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(ticket=ticket, body="Try again now.", by=agent)
    later = OutboundEmail.objects.filter(kind="reply").order_by("-id").first()
    assert "antworten Sie" not in later.body_text and "Try again now." in later.body_text
