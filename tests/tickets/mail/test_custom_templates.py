"""Notification mail in the admins' words: only listed placeholders (no template code from the
database), a plain substitution escaped for HTML, per kind and language with the built-in
template as the fallback; the pages (list, edit, live preview) for admins only."""

from __future__ import annotations

import pytest
from django.core import mail as django_mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from support.errors import NotPermitted, ValidationFailed
from tests import factories
from tests.tickets.mail.conftest import run_on_commit
from tickets import services
from tickets.mail import custom
from tickets.mail.models import MailTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFY_ASSIGNMENT = True


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("Hi {{ nobody }}", "Unknown placeholder: {{ nobody }}"),
        ("{{ ticket.requester.user.password }}", "Only {{ placeholder }} fields"),
        ("{% load static %}{{ site_name }}", "Only {{ placeholder }} fields"),
        ("{{ site_name|upper }}", "Only {{ placeholder }} fields"),
        ("{{ assignee_name }}", "Unknown placeholder"),  # not one of the reply's
        ("   ", "can't be empty"),
    ],
)
def test_only_listed_placeholders_are_accepted(admin_user, body, error):
    with pytest.raises(ValidationFailed, match=error.replace("{", r"\{").replace("|", r"\|")):
        custom.mail_template_save(
            kind="reply", language="en", subject="{{ ticket_subject }}", body=body, by=admin_user
        )
    assert not MailTemplate.objects.exists()


def test_values_are_substituted_once_and_escaped_for_html():
    subject, text, html = custom.render(
        subject="About {{ ticket_subject }}",
        body="<b>Hi</b> {{ requester_name }}\n\n{{ message }}",
        values={
            "ticket_subject": "Bills",
            "requester_name": "{{ site_name }}",
            "message": "<script>alert(1)</script>",
        },
    )
    assert subject == "About Bills"
    assert "{{ site_name }}" in text  # a value is never read as a placeholder
    assert "<script>" in text and "<script>" not in html
    assert "&lt;b&gt;Hi&lt;/b&gt; {{ site_name }}" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_only_admins_save(agent):
    with pytest.raises(NotPermitted):
        custom.mail_template_save(
            kind="reply", language="en", subject="x", body="{{ message }}", by=agent
        )


def test_the_assignment_mail_uses_the_template_of_its_language_else_the_built_in(
    admin_user, agent, team, customer
):
    custom.mail_template_save(
        kind="assigned",
        language="en",
        subject="Yours now: {{ ticket_subject }}",
        body="{{ assignee_name }}, {{ assigned_by }} gave you #{{ ticket_id }} ({{ priority }}).",
        by=admin_user,
    )
    ticket = factories.TicketFactory(team=team, requester=customer, subject="Printer on fire")
    with run_on_commit():
        services.ticket_assign(ticket=ticket, by=admin_user, assignee=agent)
    [message] = django_mail.outbox
    assert message.subject == f"[#{ticket.pk}] Yours now: Printer on fire"
    assert f"{agent.display_name}, {admin_user.display_name} gave you #{ticket.pk}" in message.body
    custom.mail_template_reset(kind="assigned", language="en", by=admin_user)
    django_mail.outbox.clear()
    other = factories.TicketFactory(team=team, requester=customer, subject="Scanner")
    with run_on_commit():
        services.ticket_assign(ticket=other, by=admin_user, assignee=agent)
    [message] = django_mail.outbox
    assert message.subject == f"[#{other.pk}] Scanner"  # the built-in again
    assert "assigned ticket" in message.body


def test_a_customer_reply_in_german_uses_the_german_template_and_keeps_the_token(
    admin_user, agent, team
):
    custom.mail_template_save(
        kind="reply",
        language="de",
        subject="Antwort zu {{ ticket_subject }}",
        body="{{ message }}\n\nViele Grüße\n{{ agent_name }} · {{ site_name }}",
        by=admin_user,
    )
    customer = factories.CustomerFactory(locale="de")
    ticket = factories.TicketFactory(team=team, requester=customer, subject="Rechnung")
    with run_on_commit():
        services.ticket_reply(ticket=ticket, body="Erledigt & <b>erstattet</b>.", by=agent)
    [message] = django_mail.outbox
    assert message.subject == f"Re: Antwort zu Rechnung [#{ticket.pk}]"
    assert f"Erledigt & <b>erstattet</b>.\n\nViele Grüße\n{agent.display_name}" in message.body
    html = message.alternatives[0][0]
    assert "Erledigt &amp; &lt;b&gt;erstattet&lt;/b&gt;." in html
    assert "<b>erstattet" not in html


def test_the_pages_list_edit_preview_and_keep_bad_input(admin_client):
    listing = admin_client.get(reverse("staff:mail_templates")).content.decode()
    assert "An agent&#x27;s reply" in listing and "Built-in" in listing
    url = reverse("staff:mail_template", kwargs={"kind": "reply", "language": "es"})
    page = admin_client.get(url).content.decode()
    assert "{{ agent_name }}" in page and "The replying agent" in page
    bad = admin_client.post(url, {"subject": "Hola {{ oops }}", "body": "Gracias {{ message }}"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'value="Hola {{ oops }}"' in html and "Gracias {{ message }}</textarea>" in html
    assert "Unknown placeholder: {{ oops }}" in html
    preview = admin_client.post(
        reverse("staff:mail_template_preview", kwargs={"kind": "reply", "language": "es"}),
        {"subject": "Re {{ ticket_subject }}", "body": "<i>{{ message }}</i>"},
    ).content.decode()
    assert "Re Charged twice for invoice 9" in preview
    assert "&lt;i&gt;My card was charged twice" in preview and "<i>" not in preview
    saved = admin_client.post(url, {"subject": "Re {{ ticket_subject }}", "body": "{{ message }}"})
    assert saved.status_code == 302
    assert MailTemplate.objects.get().language == "es"
    assert "Your own" in admin_client.get(reverse("staff:mail_templates")).content.decode()
    admin_client.post(url, {"action": "reset"})
    assert not MailTemplate.objects.exists()
    assert admin_client.get(url.replace("/es/", "/fr/")).status_code == 404


def test_the_pages_are_for_admins_only_and_need_csrf(client, agent, admin_user):
    urls = [
        reverse("staff:mail_templates"),
        reverse("staff:mail_template", kwargs={"kind": "reply", "language": "en"}),
    ]
    for user, status in (
        (agent, 403),
        (factories.ProductManagerFactory(), 404),
        (factories.CustomerUserFactory(), 404),
    ):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == status
        assert client.post(urls[1], {"subject": "x", "body": "{{ message }}"}).status_code == status
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)
    assert strict.post(urls[1], {"subject": "x", "body": "{{ message }}"}).status_code == 403
    assert not MailTemplate.objects.exists()


def test_a_status_placeholder_is_in_the_customers_language_not_the_agents(admin_user, agent, team):
    """An English-speaking agent replies to a German customer: the German template's
    ``{{ status }}`` names the status in German."""
    custom.mail_template_save(
        kind="reply",
        language="de",
        subject="Antwort zu {{ ticket_subject }}",
        body="{{ message }}\n\nStatus: {{ status }}",
        by=admin_user,
    )
    customer = factories.CustomerFactory(locale="de")
    ticket = factories.TicketFactory(team=team, requester=customer, subject="Rechnung")
    with translation.override("en"), run_on_commit():
        services.ticket_reply(ticket=ticket, body="Erledigt.", by=agent)
    [message] = django_mail.outbox
    ticket.refresh_from_db()
    with translation.override("de"):
        german = str(ticket.get_status_display())
    assert german != str(ticket.get_status_display())
    assert f"Status: {german}\n" in message.body
