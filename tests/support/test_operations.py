"""Operability: /metrics for Prometheus (token or allowed address, else 404), the admins'
System status page with its retry and accept buttons, structured JSON logs whose request id
follows the work, and the last run of each beat task."""

from __future__ import annotations

import io
import json
import logging
import re
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.test import Client
from django.urls import reverse

from support.logs import JsonFormatter, RequestIdFilter, request_id_var, task_publishing
from tests import factories
from tickets.mail.inbound import inbound_process, inbound_store
from tickets.mail.models import InboundEmail, InboundStatus, OutboundEmail, OutboundStatus
from tickets.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _broker_folders():
    """The embedded broker's folders, as the first process that queues a task makes them."""
    from support.celery import make_local_folders

    make_local_folders()


SAMPLE = re.compile(r'^[a-z_]+(\{([a-z_]+="[^"]*",?)*\})? -?[0-9.e+]+$')
TRUSTED = "mx.switchboard.test"


def _failed_mail(ticket) -> OutboundEmail:
    return OutboundEmail.objects.create(
        kind="reply", ticket=ticket, from_email="s@x", to=["ada@example.org"], subject="Re: x",
        body_text="b", message_id_header=make_msgid(), status=OutboundStatus.FAILED,
        last_error="SMTP 554 refused",
    )  # fmt: skip


def _held_mail(settings) -> InboundEmail:
    settings.MAIL_TRUSTED_AUTHSERV_IDS = [TRUSTED]
    msg = EmailMessage()
    msg["From"] = "Ada <ada@example.org>"
    msg["To"] = "help@example.com"
    msg["Subject"] = "Please refund"
    msg["Message-ID"] = make_msgid(domain="example.org")
    msg["Authentication-Results"] = f"{TRUSTED}; dmarc=fail header.from=example.org"
    msg.set_content("Refund me.")
    row, _ = inbound_store(raw=bytes(msg))
    inbound_process(inbound_id=row.pk)
    row.refresh_from_db()
    assert row.status == InboundStatus.REVIEW, row.error
    return row


def test_metrics_are_hidden_from_strangers_and_open_with_the_token(settings):
    settings.METRICS_TOKEN = "scrape-me"
    settings.METRICS_ALLOWED_IPS = ["10.9.0.0/16"]
    client = Client()
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1").status_code == 404
    wrong = client.get("/metrics", REMOTE_ADDR="192.0.2.1", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 404
    by_token = client.get(
        "/metrics", REMOTE_ADDR="192.0.2.1", HTTP_AUTHORIZATION="Bearer scrape-me"
    )
    assert by_token.status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.9.3.4").status_code == 200


def test_metrics_are_prometheus_text_with_the_outboxes_queues_and_held_mail(settings, ticket):
    _failed_mail(ticket)
    _held_mail(settings)
    response = Client().get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    samples = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert all(SAMPLE.match(line) for line in samples), [
        line for line in samples if not SAMPLE.match(line)
    ]
    assert 'switchboard_outbound_mail{status="failed"} 1' in samples
    assert 'switchboard_inbound_mail{status="review"} 1' in samples
    assert "switchboard_database_up 1" in samples
    assert "switchboard_broker_up 1" in samples
    for queue in ("default", "transactional", "mail", "notifications", "sla", "webhooks"):
        assert f'switchboard_queue_depth{{queue="{queue}"}}' in text
    assert "# TYPE switchboard_outbound_mail_oldest_pending_age_seconds gauge" in text
    assert "# TYPE switchboard_cache_errors_total counter" in text
    assert re.search(r'^switchboard_info\{version="[^"]+"\} 1$', text, re.M)


def test_the_status_page_is_for_admins_and_offers_resend_and_accept(settings, ticket, agent):
    mail = _failed_mail(ticket)
    held = _held_mail(settings)
    client = Client()
    client.force_login(agent)
    assert client.get(reverse("status")).status_code in (403, 404)
    client.force_login(factories.AdminFactory(teams=[ticket.team]))
    page = client.get(reverse("status")).content.decode()
    for line in ("Database: reachable", "Broker: reachable", "Outgoing mail failed: 1",
                 "Inbound mail held for review: 1", "Queue sla:", "sweep_sla"):  # fmt: skip
        assert line in page, line
    assert reverse("mail:outbound_resend", args=[mail.pk]) in page
    assert reverse("mail:inbound_accept", args=[held.pk]) in page


def test_accepting_held_mail_processes_it_as_from_an_unverified_sender(
    settings, customer, django_capture_on_commit_callbacks
):
    held = _held_mail(settings)
    admin = factories.AdminFactory()
    client = Client()
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mail:inbound_accept", args=[held.pk]), {"back": reverse("status")}
        )
    assert response.status_code == 302 and response.url == reverse("status")
    held.refresh_from_db()
    assert held.status == InboundStatus.PROCESSED, held.error
    assert held.accepted_by == admin
    message = Message.objects.get(pk=held.message_id)
    assert message.body_text.startswith("Refund me.")
    again = client.post(reverse("mail:inbound_accept", args=[held.pk]), follow=True)
    assert "Only mail held for review can be accepted." in again.content.decode()


def test_mail_held_for_two_senders_cannot_be_accepted(settings):
    msg = EmailMessage()
    msg["From"] = "a@example.org, b@example.org"
    msg["To"] = "help@example.com"
    msg["Subject"] = "Two"
    msg["Message-ID"] = make_msgid()
    msg.set_content("x")
    row, _ = inbound_store(raw=bytes(msg))
    inbound_process(inbound_id=row.pk)
    client = Client()
    client.force_login(factories.AdminFactory())
    page = client.post(reverse("mail:inbound_accept", args=[row.pk]), follow=True)
    assert "can&#x27;t be accepted" in page.content.decode()
    row.refresh_from_db()
    assert row.status == InboundStatus.REVIEW


def test_a_beat_task_run_shows_on_the_status_page():
    from support.tasks import sweep_undispatched_events

    sweep_undispatched_events.delay()
    client = Client()
    client.force_login(factories.AdminFactory())
    page = client.get(reverse("status")).content.decode()
    assert re.search(r"sweep_undispatched_events: \d+ s ago", page)


def _json_handler() -> tuple[logging.Handler, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    return handler, stream


def test_every_log_line_of_a_request_is_json_with_the_request_id():
    handler, stream = _json_handler()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = Client().get("/no/such/page/")
        given = Client().get("/no/such/page/", HTTP_X_REQUEST_ID="proxy-id-1234")
        forged = Client().get("/no/such/page/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["request_id"] for line in lines] == [
        response["X-Request-ID"],
        "proxy-id-1234",
        forged["X-Request-ID"],
    ]
    assert given["X-Request-ID"] == "proxy-id-1234"
    assert forged["X-Request-ID"] != "bad id\nwith newline"
    assert lines[0]["level"] == "WARNING" and lines[0]["message"].startswith("Not Found")
    assert set(lines[0]) >= {"time", "level", "logger", "message", "request_id"}


def test_the_request_id_travels_in_the_task_headers():
    token = request_id_var.set("abc123def456")
    try:
        headers: dict = {}
        task_publishing(headers=headers)
    finally:
        request_id_var.reset(token)
    assert headers == {"request_id": "abc123def456"}


def test_an_exception_is_one_json_line_with_its_traceback():
    handler, stream = _json_handler()
    record = logging.getLogger("x").makeRecord(
        "x", logging.ERROR, __file__, 1, "boom %s", ("now",), None
    )
    try:
        raise ValueError("bad")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    handler.handle(record)
    (line,) = stream.getvalue().splitlines()
    parsed = json.loads(line)
    assert parsed["message"] == "boom now"
    assert "ValueError: bad" in parsed["exc_info"]
