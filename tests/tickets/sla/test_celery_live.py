"""End to end with real processes: a Celery worker with embedded beat (Redis broker) sweeps the
SLA clocks of a PostgreSQL database, records a breach, and sends the escalation mail over SMTP to
a local aiosmtpd server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from support import clock
from tests import factories
from tickets import services
from tickets.mail.models import OutboundEmail, OutboundStatus
from tickets.models import EventKind, TicketEvent
from tickets.sla.models import SlaTarget, TargetKind

SMTP_PORT = 8725
REDIS_URL = os.environ.get("SLA_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
CELERY = Path(sys.executable).with_name("celery")

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = message_from_bytes(envelope.content, policy=email_policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture
def smtp_inbox():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def redis_db():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()  # this test's own Redis database: no stale tasks from an earlier run
    yield REDIS_URL
    client.flushdb()


def worker_env(tmp_path: Path, redis_url: str) -> dict[str, str]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "support.settings",
        # The worker sees what the test commits: point it at the test database itself.
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "CONN_MAX_AGE": "0",
        "REDIS_URL": redis_url,
        "SLA_SWEEP_SECONDS": "2",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(SMTP_PORT),
        "EMAIL_USE_TLS": "false",
        "EMAIL_USE_SSL": "false",
        "SWITCHBOARD_VAR_DIR": str(tmp_path / "var"),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "SECRET_KEY": "test-only",
    }
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


@pytest.fixture
def celery_worker(tmp_path, redis_db):
    (tmp_path / "var").mkdir()
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own celery, fixed arguments
        [str(CELERY), "-A", "support", "worker", "-B", "-l", "info", "-c", "1", "--without-gossip"],
        cwd=settings.BASE_DIR,
        env=worker_env(tmp_path, redis_db),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    log.close()


def wait_for(check, *, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    pytest.fail(f"Timed out waiting for {what}.\n--- worker log ---\n{log.read_text()[-6000:]}")


def test_real_worker_and_beat_record_a_breach_and_send_the_escalation(
    tmp_path, smtp_inbox, celery_worker
):
    team = factories.TeamFactory(name="Support")
    agent = factories.AgentFactory(teams=[team], email="sam@staff.example.com")
    lead = factories.AgentFactory(teams=[team], email="lead@staff.example.com")
    team.lead = lead
    team.save()
    factories.SlaPolicyFactory(
        name="Default",
        is_default=True,
        calendar=factories.BusinessCalendarFactory(always_open=True),
        first_response_minutes=2,
        resolution_minutes=None,
    )
    # Filed three minutes ago: its first response was due a minute ago, while nobody swept.
    created = clock.now() - timedelta(minutes=3)
    with clock.travel(created):
        ticket = services.ticket_create(
            requester=factories.CustomerFactory(),
            subject="Checkout is down",
            body="Nobody can pay",
            team=team,
            assignee=agent,
        )
    log = tmp_path / "worker.log"

    target = wait_for(
        lambda: SlaTarget.objects.filter(
            ticket=ticket, kind=TargetKind.FIRST_RESPONSE, breached_at__isnull=False
        ).first(),
        timeout=90,
        what="the breach to be recorded by beat's sweep",
        log=log,
    )
    assert target.breached_at == created + timedelta(minutes=2)  # the true breach time
    mail = wait_for(
        lambda: OutboundEmail.objects.filter(
            ticket=ticket, kind="sla_breach", status=OutboundStatus.SENT
        ).first(),
        timeout=60,
        what="the escalation mail to be sent",
        log=log,
    )
    wait_for(lambda: smtp_inbox.messages, timeout=10, what="SMTP delivery", log=log)
    recipients, message = smtp_inbox.messages[0]
    assert sorted(recipients) == sorted([agent.email, lead.email])
    assert "SLA breached" in message["Subject"] and f"#{ticket.pk}" in message["Subject"]
    assert message["Message-ID"] == mail.message_id_header

    # Later sweeps (every 2 s) neither record nor send it again.
    time.sleep(6)
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_BREACHED).count() == 1
    assert OutboundEmail.objects.filter(ticket=ticket, kind="sla_breach").count() == 1
    assert len(smtp_inbox.messages) == 1
