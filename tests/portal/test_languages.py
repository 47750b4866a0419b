"""The customer's language: the portal, help center and every mail to them (German, Spanish)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from feedback.models import CsatSurvey
from feedback.services import csat_survey_send
from kb.models import KbSettings
from portal import services
from tests import factories
from tickets.mail.models import OutboundEmail
from tickets.models import Channel, Status
from tickets.services import ticket_change_status, ticket_create, ticket_reply

pytestmark = pytest.mark.django_db


def test_a_visitor_gets_the_browsers_language(client):
    page = client.get(reverse("portal:sign-in"), headers={"accept-language": "de-DE,de;q=0.9"})
    html = page.content.decode()
    assert '<html lang="de">' in html
    assert "Anmelden" in html and "Hilfe-Center" in html
    help_page = client.get(reverse("kb:home"), headers={"accept-language": "es"})
    assert "Centro de ayuda" in help_page.content.decode()


def test_a_signed_in_customer_gets_their_locale_whatever_the_browser_says(client, portal_user):
    portal_user.customer.locale = "es"
    portal_user.customer.save()
    client.force_login(portal_user)
    html = client.get(reverse("portal:home"), headers={"accept-language": "de"}).content.decode()
    assert "Mis tickets" in html
    assert "Meine Tickets" not in html


def test_an_agent_keeps_their_own_language(client, agent):
    client.force_login(agent)
    page = client.get(reverse("kb:home"), headers={"accept-language": "de"})
    assert "Help center" in page.content.decode()


def test_the_switcher_sets_a_visitors_cookie_and_returns_to_the_page(client):
    response = client.post(reverse("portal:language"), {"language": "de", "next": "/help/"})
    assert response.status_code == 302 and response["Location"] == "/help/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert "Hilfe-Center" in client.get("/help/").content.decode()


def test_the_switcher_saves_a_customers_locale(client, portal_user):
    client.force_login(portal_user)
    client.post(reverse("portal:language"), {"language": "es", "next": "/portal/"})
    portal_user.customer.refresh_from_db()
    assert portal_user.customer.locale == "es"


@pytest.mark.parametrize("bad", ["fr", "", "de-DE; drop table"])
def test_the_switcher_refuses_a_language_we_do_not_offer(client, bad):
    response = client.post(reverse("portal:language"), {"language": bad})
    assert response.status_code == 400


def test_the_switcher_never_redirects_off_site(client):
    response = client.post(
        reverse("portal:language"), {"language": "de", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("kb:home")


def test_the_switcher_needs_csrf(portal_user):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("portal:language"), {"language": "de"}).status_code == 403


def test_the_portal_receipt_is_in_the_customers_language_with_matching_articles(
    portal_user, django_capture_on_commit_callbacks
):
    KbSettings.objects.create(pk=1, confirmation_articles=True)
    factories.KbArticleFactory(title="Export invoices", slug="export-invoices")
    factories.KbArticleFactory(
        title="Rechnungen exportieren",
        slug="export-invoices",
        language="de",
        body="So klappt der Export von Rechnungen.",
    )
    factories.KbArticleFactory(title="Export secret", internal=True, slug="export-secret")
    portal_user.customer.locale = "de"
    portal_user.customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_submit(customer=portal_user.customer, subject="Export fails", body="x")
    mail = OutboundEmail.objects.get(kind="portal_ticket_received")
    assert "Wir haben Ihre Anfrage erhalten" in mail.subject
    assert "Diese Artikel beantworten Ihre Frage vielleicht schon" in mail.body_text
    assert "Rechnungen exportieren: http" in mail.body_text
    assert "/help/articles/de/export-invoices/" in mail.body_text
    assert "Export invoices" not in mail.body_text  # one version per article: the reader's
    assert "secret" not in mail.body_text


def test_the_receipt_lists_no_articles_unless_the_admin_turned_it_on(
    portal_user, django_capture_on_commit_callbacks
):
    factories.KbArticleFactory(title="Export invoices")
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_submit(customer=portal_user.customer, subject="Export fails", body="x")
    mail = OutboundEmail.objects.get(kind="portal_ticket_received")
    assert "Export invoices" not in mail.body_text
    assert "We got your request" in mail.subject


def test_a_mailed_request_is_confirmed_in_spanish_with_at_most_three_articles(
    settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_NEW_TICKET = True
    KbSettings.objects.create(pk=1, confirmation_articles=True)
    for n in range(5):
        factories.KbArticleFactory(title=f"Printer setup {n}")
    customer = factories.CustomerFactory(locale="es-MX")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_create(
            requester=customer, subject="Printer setup", body="help", channel=Channel.EMAIL
        )
    mail = OutboundEmail.objects.get(kind="new_ticket")
    assert "hemos recibido tu solicitud" in mail.body_text
    assert "Puede que estos artículos ya respondan a tu pregunta" in mail.body_text
    assert mail.body_text.count("/help/articles/en/") == 3
    assert '<html lang="es">' in mail.body_html


def test_an_agents_reply_reaches_a_german_customer_with_german_mail_chrome(
    agent, django_capture_on_commit_callbacks
):
    customer = factories.CustomerFactory(locale="de")
    ticket = factories.TicketFactory(requester=customer, team=agent.teams.first())
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(ticket=ticket, body="Bitte neu starten.", by=agent)
    mail = OutboundEmail.objects.get(kind="reply")
    assert "antworten Sie auf diese E-Mail" in mail.body_text
    assert "Bitte neu starten." in mail.body_text


def test_the_csat_survey_is_in_the_customers_language(agent, django_capture_on_commit_callbacks):
    customer = factories.CustomerFactory(locale="es")
    ticket = factories.TicketFactory(requester=customer, team=agent.teams.first())
    with django_capture_on_commit_callbacks(execute=True):
        ticket_change_status(ticket=ticket, status=Status.SOLVED, by=agent)
    survey = CsatSurvey.objects.get(ticket=ticket)
    csat_survey_send(survey=survey)
    mail = OutboundEmail.objects.get(kind="csat_survey")
    assert mail.subject.endswith("¿Qué tal lo hicimos?")
    assert "Estos enlaces funcionan durante" in mail.body_text


def test_a_sign_in_link_for_a_new_address_follows_the_visitors_language(client):
    client.post(
        reverse("portal:sign-in"),
        {"email": "nuevo@example.org"},
        headers={"accept-language": "es"},
    )
    mail = OutboundEmail.objects.get(kind="portal_sign_in")
    assert mail.subject.startswith("Tu enlace de acceso")
    assert "Usa este enlace para iniciar sesión" in mail.body_text


def test_the_csat_link_page_is_in_the_customers_language(
    client, agent, django_capture_on_commit_callbacks
):
    from urllib.parse import urlparse

    from feedback.services import csat_link

    customer = factories.CustomerFactory(locale="de")
    ticket = factories.TicketFactory(requester=customer, team=agent.teams.first())
    with django_capture_on_commit_callbacks(execute=True):
        ticket_change_status(ticket=ticket, status=Status.SOLVED, by=agent)
    survey = CsatSurvey.objects.get(ticket=ticket)
    path = urlparse(csat_link(survey, "good")).path
    html = client.get(path, headers={"accept-language": "en"}).content.decode()
    assert "Wie waren wir?" in html and "Gut, ich bin zufrieden" in html
    saved = client.post(path, {"rating": "good"}).content.decode()
    assert "Danke! Wir haben Ihre Antwort gespeichert" in saved and ">Gut</strong>" in saved
