"""The survey mail goes out through a real (local) SMTP server and its link works."""

import email
from email import policy

import pytest
from aiosmtpd.controller import Controller

from feedback.models import CsatSurvey
from feedback.services import csat_send_due
from tickets.mail.models import OutboundEmail, OutboundStatus
from tickets.mail.outbound import email_send
from tickets.models import Status
from tickets.services import ticket_change_status

SMTP_PORT = 8825  # inside this area's port range


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = SMTP_PORT
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


def test_survey_mail_is_delivered_and_its_link_opens(
    smtp, settings, agent, ticket, client, django_capture_on_commit_callbacks
):
    settings.CSAT_DELAY_MINUTES = 0
    settings.SITE_URL = "http://testserver"
    with django_capture_on_commit_callbacks(execute=True):
        ticket_change_status(ticket=ticket, status=Status.SOLVED, by=agent)
    with django_capture_on_commit_callbacks(execute=True):
        assert csat_send_due() == 1
    row = OutboundEmail.objects.get(kind="csat_survey")
    if row.status != OutboundStatus.SENT:  # the on-commit task already sent it otherwise
        email_send(email_id=row.pk)
    row.refresh_from_db()
    assert row.status == OutboundStatus.SENT
    assert len(smtp.messages) == 1
    envelope = smtp.messages[0]
    assert envelope.rcpt_tos == [ticket.requester.email]
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(preferencelist=("plain",)).get_content()
    good = next(line.split()[-1] for line in text.splitlines() if line.startswith("Good:"))
    response = client.get(good.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert CsatSurvey.objects.get(ticket=ticket).rating == ""
