"""Hardening on the real processes (gunicorn, a Celery worker and beat): an admin's System status
page shows the broker, the queues, the last beat runs and mail held for a failed sender check,
and its Accept button has the worker process that mail; every page runs under the
Content-Security-Policy with no violation in Chromium while htmx works (the ticket page's
presence poll, which says whether the agent is typing without eval); /metrics answers the
scraper's token; the logs are JSON lines whose request id follows the mail into the worker."""

from __future__ import annotations

import json
import os
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

from tests import factories
from tests.a11y import assert_accessible
from tickets.mail.models import InboundEmail, InboundStatus

pytestmark = [pytest.mark.browser]

WITHIN = 30
TRUSTED = "mx.switchboard.test"
# Screenshots go to $STATUS_SCREENSHOTS when set (docs/img's status-page images are made from
# them), else to the test's temporary directory: a test run never changes the checkout.
SHOTS_ENV = "STATUS_SCREENSHOTS"


def _forged(to: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Ada <ada@example.org>"
    msg["To"] = to
    msg["Subject"] = "Please change my bank details"
    msg["Message-ID"] = make_msgid(domain="example.org")
    msg["Authentication-Results"] = f"{TRUSTED}; dmarc=fail header.from=example.org"
    msg.set_content("New IBAN attached.")
    return bytes(msg)


def _post_mail(base: str, raw: bytes, request_id: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - the stack under test
        f"{base}/inbound/email/",
        data=raw,
        headers={
            "X-Switchboard-Secret": "s3cret-for-tests",
            "Content-Type": "message/rfc822",
            "X-Request-ID": request_id,
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        assert response.headers["X-Request-ID"] == request_id
        return json.loads(response.read())["id"]


def test_status_page_accept_csp_htmx_metrics_and_json_logs_on_the_stack(browser, stack, tmp_path):
    team = factories.TeamFactory(name="Help", email="help@example.com")
    admin = factories.AdminFactory(name="Ada Admin", teams=[team])
    agent = factories.AgentFactory(name="Sam Agent", teams=[team])
    ticket = factories.TicketFactory(team=team)
    stack.extra_env.update(
        MAIL_TRUSTED_AUTHSERV_IDS=TRUSTED,
        SLA_SWEEP_SECONDS="2",
        LOG_FORMAT="json",
        METRICS_TOKEN="scrape-token",
    )
    base = stack.start()

    # A mail the receiving server failed is held; its request id follows it into the worker.
    row_id = _post_mail(base, _forged("help@example.com"), "stack-request-000001")
    stack.wait_for(
        lambda: InboundEmail.objects.filter(pk=row_id, status=InboundStatus.REVIEW).exists(),
        timeout=WITHIN,
        what="the forged mail held for review",
    )

    def worker_line():
        for line in stack.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{") and "stack-request-000001" in line:
                record = json.loads(line)
                if record["logger"] == "tickets.mail.inbound":
                    return record
        return None

    record = stack.wait_for(worker_line, timeout=WITHIN, what="the worker's JSON log line")
    assert record["request_id"] == "stack-request-000001"
    assert record["message"].startswith(f"Inbound mail {row_id}: review")

    violations: list[str] = []

    def watch(page):
        page.on(
            "console",
            lambda m: (
                violations.append(f"{page.url}: {m.text}")
                if "Content Security Policy" in m.text
                else None
            ),
        )
        return page

    # The admin's status page: the broker and queues, beat's last runs, the held mail.
    page = watch(stack.sign_in(browser, admin))
    page.goto(f"{base}/status/")

    def beat_seen():
        page.reload()
        return "sweep_sla:" in page.content() and " s ago" in page.inner_text("text=sweep_sla:")

    stack.wait_for(beat_seen, timeout=WITHIN, what="beat's SLA sweep on the status page", every=2)
    text = page.inner_text("main")
    assert "Broker: reachable" in text and "Database: reachable" in text
    assert "Queue transactional:" in text
    assert "Inbound mail held for review: 1" in text
    assert "Please change my bank details" in text
    assert_accessible(page)
    shots = Path(os.environ.get(SHOTS_ENV) or tmp_path)
    page.screenshot(path=str(shots / "status-page.png"), full_page=True)
    phone = watch(stack.sign_in(browser, admin, viewport={"width": 390, "height": 844}))
    phone.goto(f"{base}/status/")
    phone.screenshot(path=str(shots / "status-page-phone.png"), full_page=True)

    page.click("button:has-text('Accept')")
    page.wait_for_url(f"{base}/status/")
    assert "accepted and processed again" in page.inner_text("main")
    row = stack.wait_for(
        lambda: InboundEmail.objects.filter(pk=row_id, status=InboundStatus.PROCESSED).first(),
        timeout=WITHIN,
        what="the accepted mail processed by the worker",
    )
    assert row.accepted_by_id == admin.pk and row.ticket_id

    # htmx under the policy: the presence poll runs, carrying the typing flag without eval.
    agent_page = watch(stack.sign_in(browser, agent))
    with agent_page.expect_request(lambda r: "/presence" in r.url and "typing=0" in r.url):
        agent_page.goto(f"{base}/agent/tickets/{ticket.pk}/")
    with agent_page.expect_request(
        lambda r: "/presence" in r.url and "typing=1" in r.url, timeout=15000
    ):
        agent_page.fill("textarea[name=body]", "Typing an answer")
    for path in ("/agent/", f"/agent/tickets/{ticket.pk}/", "/api/docs/", "/admin/"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    assert not violations, violations

    # The scraper's token opens /metrics; nobody else does.
    request = urllib.request.Request(  # noqa: S310
        f"{base}/metrics", headers={"Authorization": "Bearer scrape-token"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        metrics = response.read().decode()
    assert 'switchboard_inbound_mail{status="processed"}' not in metrics  # only what's owed
    assert "switchboard_broker_up 1" in metrics
    assert 'switchboard_beat_last_run_age_seconds{task="tickets.sla.tasks.sweep_sla"}' in metrics
