"""The agents' notifications in the admins' words (``tickets.mail.custom``): a customer's reply
and an @mention in a note use the template of each recipient's language (``User.locale``), fill
the placeholders once, escape for HTML, keep the mail's own parts (the ticket token, the note's
subject line), and fall back to the built-in template for a language without one."""

from __future__ import annotations

import pytest
from django.core import mail as django_mail

from tests import factories
from tests.tickets.mail.conftest import run_on_commit
from tickets import services
from tickets.mail import custom

pytestmark = pytest.mark.django_db

NASTY = "Refund <b>now</b> & {{ site_name }} <script>alert(1)</script>"


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFY_CUSTOMER_REPLY = True
    settings.NOTIFY_MENTION = True
    settings.NOTIFY_ASSIGNMENT = False


def _by_recipient() -> dict[str, object]:
    return {address: message for message in django_mail.outbox for address in message.to}


def test_a_customer_reply_reaches_each_agent_in_their_language(admin_user, team):
    custom.mail_template_save(
        kind="customer_reply",
        language="de",
        subject="Neue Antwort: {{ ticket_subject }}",
        body="{{ customer_name }} schrieb zu #{{ ticket_id }}:\n\n{{ message }}\n\n"
        "{{ ticket_url }}",
        by=admin_user,
    )
    custom.mail_template_save(
        kind="customer_reply",
        language="en",
        subject="{{ customer_name }} answered: {{ ticket_subject }}",
        body="New from {{ customer_name }} ({{ priority }}):\n{{ message }}",
        by=admin_user,
    )
    german = factories.AgentFactory(teams=[team], email="greta@staff.example", locale="de")
    english = factories.AgentFactory(teams=[team], email="eric@staff.example", locale="en")
    spanish = factories.AgentFactory(teams=[team], email="sol@staff.example", locale="es")
    customer = factories.CustomerFactory(name="Pat <Lee>")
    ticket = factories.TicketFactory(team=team, requester=customer, subject="Rechnung")
    django_mail.outbox.clear()
    with run_on_commit():
        services.ticket_reply(ticket=ticket, body=NASTY, by=customer)

    mails = _by_recipient()
    assert set(mails) >= {german.email, english.email, spanish.email}
    de = mails[german.email]
    assert de.subject == f"[#{ticket.pk}] Neue Antwort: Rechnung"
    assert f"Pat <Lee> schrieb zu #{ticket.pk}:\n\n{NASTY}\n\n" in de.body
    assert f"/agent/tickets/{ticket.pk}/" in de.body
    html = de.alternatives[0][0]
    assert "Pat &lt;Lee&gt;" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html and "<b>now" not in html
    assert "{{ site_name }}" in de.body  # a value is never read as a placeholder

    en = mails[english.email]
    assert en.subject == f"[#{ticket.pk}] Pat <Lee> answered: Rechnung"
    assert f"New from Pat <Lee> (Normal):\n{NASTY}" in en.body
    # Spanish has no template of its own: the built-in one, in Spanish words or English.
    es = mails[spanish.email]
    assert es.subject == f"[#{ticket.pk}] Rechnung"
    assert "schrieb" not in es.body and "New from" not in es.body
    assert NASTY in es.body


def test_a_mention_uses_the_mentioned_agents_language_and_stays_internal(admin_user, team):
    custom.mail_template_save(
        kind="mention",
        language="es",
        subject="{{ author_name }} te mencionó: {{ ticket_subject }}",
        body="{{ author_name }} escribió en #{{ ticket_id }}:\n{{ message }}\n{{ ticket_url }}",
        by=admin_user,
    )
    sol = factories.AgentFactory(teams=[team], email="sol@staff.example", locale="es")
    eric = factories.AgentFactory(teams=[team], email="eric@staff.example", locale="en")
    writer = factories.AgentFactory(teams=[team], name="Dana <Reyes>")
    ticket = factories.TicketFactory(team=team, subject="Factura")
    django_mail.outbox.clear()
    note = f"@{sol.email} @{eric.email} {NASTY}"
    with run_on_commit():
        services.ticket_note(ticket=ticket, body=note, by=writer)

    mails = _by_recipient()
    es, en = mails[sol.email], mails[eric.email]
    assert es is not en and es.to == [sol.email] and en.to == [eric.email]
    # The note's own subject line and no ticket token or reply address: a note stays internal.
    assert es.subject == f"Nota interna del ticket {ticket.pk}: Dana <Reyes> te mencionó: Factura"
    assert "Reply-To" not in es.extra_headers
    assert f"Dana <Reyes> escribió en #{ticket.pk}:\n{note}\n" in es.body
    html = es.alternatives[0][0]
    assert "Dana &lt;Reyes&gt;" in html and "<script>" not in html
    assert "&amp; {{ site_name }}" in html
    # English has no template of its own: the built-in mention mail.
    assert en.subject == f"Internal note on ticket {ticket.pk}: Factura"
    assert "te mencionó" not in en.body and "mentioned you" in en.body


def test_saving_a_template_changes_the_next_mail_and_the_reset_brings_back_the_built_in(
    admin_user, team
):
    agent = factories.AgentFactory(teams=[team], email="eric@staff.example", locale="en")
    customer = factories.CustomerFactory()
    ticket = factories.TicketFactory(
        team=team, requester=customer, subject="Printer", assignee=agent
    )
    custom.mail_template_save(
        kind="customer_reply",
        language="en",
        subject="Ours: {{ ticket_subject }}",
        body="{{ message }}",
        by=admin_user,
    )
    django_mail.outbox.clear()
    with run_on_commit():
        services.ticket_reply(ticket=ticket, body="First", by=customer)
    assert [m.subject for m in django_mail.outbox] == [f"[#{ticket.pk}] Ours: Printer"]
    custom.mail_template_reset(kind="customer_reply", language="en", by=admin_user)
    django_mail.outbox.clear()
    with run_on_commit():
        services.ticket_reply(ticket=ticket, body="Second", by=customer)
    [message] = django_mail.outbox
    assert message.subject == f"[#{ticket.pk}] Printer" and "Second" in message.body


def test_the_built_in_notifications_are_in_each_agents_language(team, settings):
    settings.NOTIFY_ASSIGNMENT = True
    greta = factories.AgentFactory(teams=[team], email="greta@staff.example", locale="de")
    sol = factories.AgentFactory(teams=[team], email="sol@staff.example", locale="es")
    dana = factories.AgentFactory(teams=[team], name="Dana Reyes", email="dana@staff.example")
    customer = factories.CustomerFactory(name="Pat Lee")
    ticket = factories.TicketFactory(team=team, requester=customer, subject="Rechnung")
    django_mail.outbox.clear()
    with run_on_commit():
        services.ticket_reply(ticket=ticket, body="Any news?", by=customer)
    mails = _by_recipient()
    assert f"Pat Lee <{customer.email}> hat zu Ticket #{ticket.pk} geschrieben" in (
        mails[greta.email].body
    )
    assert "Eine Antwort auf diese Mail geht als Ihre Antwort an den Kunden." in (
        mails[greta.email].body
    )
    assert "escribió en el ticket" in mails[sol.email].body
    assert "wrote on ticket" in mails[dana.email].body  # no language: the default

    django_mail.outbox.clear()
    with run_on_commit():
        services.ticket_note(ticket=ticket, body=f"@{greta.email} please look", by=dana)
    german = _by_recipient()[greta.email]
    assert german.subject.startswith(f"Interne Notiz zu Ticket {ticket.pk}: ")
    assert f"Dana Reyes hat Sie in einer internen Notiz zu Ticket #{ticket.pk} erwähnt" in (
        german.body
    )

    django_mail.outbox.clear()
    with run_on_commit():
        services.ticket_update(ticket=ticket, by=dana, changes={"assignee": sol})
    spanish = _by_recipient()[sol.email]
    assert f"Dana Reyes te asignó el ticket #{ticket.pk}: Rechnung" in spanish.body
    assert "Abrir el ticket" in spanish.alternatives[0][0]
