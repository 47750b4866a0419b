from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest

from support import clock


def build_mail(
    *,
    sender: str = "Ada Lovelace <ada@example.org>",
    to: str = "support@localhost",
    subject: str = "Printer on fire",
    body: str = "Hello, my printer is on fire.",
    html: str | None = None,
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(clock.now())
    msg["Message-ID"] = message_id or make_msgid(domain="example.org")
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, ctype, data in attachments:
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(msg)


@pytest.fixture
def mail():
    return build_mail


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.DEFAULT_FROM_EMAIL = "Switchboard Support <support@localhost>"
    settings.SERVER_EMAIL = "support@localhost"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.INBOUND_EMAIL_SECRET = "s3cret-for-tests"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()  # the per-sender auto-reply counters


class SmtpSink:
    """An aiosmtpd handler that keeps what it receives and can refuse chosen recipients."""

    def __init__(self):
        self.envelopes = []
        self.refuse: dict[str, list[str]] = {}  # address -> replies, used one per attempt

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        replies = self.refuse.get(address.lower())
        if replies:
            return replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        from email import policy
        from email.parser import BytesParser

        return [
            BytesParser(policy=policy.default).parsebytes(e.original_content or e.content)
            for e in self.envelopes
        ]


def _port_range() -> range:
    import os

    # SB_TEST_PORTS=8620-8649 keeps parallel runs on one machine in their own ranges.
    start, stop = 8610, 8699
    if os.environ.get("SB_TEST_PORTS"):
        start, stop = (int(n) for n in os.environ["SB_TEST_PORTS"].split("-", 1))
    return range(start, stop)


def _free_port(*, skip: int = 0) -> int:
    import socket

    ports = _port_range()
    for port in ports[skip:]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")


def _start_smtp(handler):
    """Start aiosmtpd on a free port of the range. Parallel workers (pytest -n) can find the same
    port free at once; the one that loses the bind moves on to a later port."""
    import os

    from aiosmtpd.controller import Controller

    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    skip = (int(worker) * 3 if worker.isdigit() else 0) % len(_port_range())
    for _attempt in range(10):
        port = _free_port(skip=skip)
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        try:
            controller.start()
        except OSError:
            skip = port - _port_range().start + 1
            continue
        return controller, port
    raise RuntimeError("could not start the test SMTP server")


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server in the test process; Django's SMTP backend delivers to it."""
    sink = SmtpSink()
    controller, port = _start_smtp(sink)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield sink
    finally:
        controller.stop()


def run_on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def ingest_raw(raw: bytes, mailbox: str = "default"):
    """Store a message and run everything it queues (processing, events, mail) to the end."""
    from tickets.mail.inbound import inbound_store

    with run_on_commit():
        row, _ = inbound_store(raw=raw, mailbox=mailbox)
    row.refresh_from_db()
    return row


@pytest.fixture
def ingest(db):
    return ingest_raw
