"""The real processes a user meets, for browser journeys: ``manage.py runstack`` (gunicorn + a
Celery worker with beat, as ``make run`` starts them) serving the test's own database.

Tasks are not eager there: a reply queued by gunicorn goes through the embedded filesystem
broker to the worker, and beat's sweeps run on their real schedule, so a delay a user would see
is a delay the test sees. Each stack has a broker, cache and media folder of its own (never the
shared Redis of CI's PostgreSQL pass: two test processes must not take each other's tasks), and
its outgoing mail goes over SMTP to an inbox in the test process.

Use: fill the database first (factories, services), then ``url = stack.start()``; the processes
load their per-process caches (rules, policies) from what is there when they start.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import PASSWORD

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An SMTP server (aiosmtpd) in the test process: what the stack's worker really sent."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.port = free_port()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = message_from_bytes(envelope.content, policy=email_policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for rcpts, message in self.messages if address in rcpts]


def database_url() -> str:
    """The test database as a URL the stack's processes can open."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


class Stack:
    def __init__(self, tmp_path: Path, inbox: Inbox, static: Path) -> None:
        self.var = tmp_path / "stack-var"
        self.static = static
        self.log_path = tmp_path / "stack.log"
        self.inbox = inbox
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.extra_env: dict[str, str] = {}

    def env(self) -> dict[str, str]:
        keep = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_", "REDIS_", "CELERY_", "EMAIL_", "PYTEST_"))
        }
        return {
            **keep,
            "DJANGO_SETTINGS_MODULE": "support.settings",
            "DATABASE_URL": database_url(),
            "CONN_MAX_AGE": "0",
            "SWITCHBOARD_VAR_DIR": str(self.var),
            "SITE_URL": self.url,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.inbox.port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_USE_SSL": "false",
            "SECRET_KEY": "stack-test-only",
            "INBOUND_EMAIL_SECRET": "s3cret-for-tests",
            **self.extra_env,
        }

    def start(self, timeout: float = 90) -> str:
        """Start gunicorn + worker + beat and wait until the site answers and the worker is
        ready; the base URL."""
        self.var.mkdir(parents=True, exist_ok=True)
        (self.var / "static").symlink_to(self.static, target_is_directory=True)
        self.log = self.log_path.open("w+b")
        self.process = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, "manage.py", "runstack", "--port", str(self.port)],
            cwd=settings.BASE_DIR,
            env=self.env(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_for(self._ready, timeout=timeout, what="the stack to serve and its worker")
        return self.url

    def _ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            pytest.fail(f"The stack exited ({self.process.returncode}).\n{self.output()}")
        try:
            with urllib.request.urlopen(f"{self.url}/readyz", timeout=5) as response:  # noqa: S310
                if response.status != 200:
                    return False
        except OSError:
            return False
        return b"celery@" in self.log_path.read_bytes() and b" ready." in (
            self.log_path.read_bytes()
        )

    def sign_in(self, browser, user, *, viewport: dict[str, int] | None = None):
        """A new browser page signed in as ``user`` with the password form, on its landing page."""
        page = browser.new_context(viewport=viewport or {"width": 1366, "height": 768}).new_page()
        page.goto(f"{self.url}/login/")
        page.fill("#id_username", user.email)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"^(?!.*/login/)"))
        return page

    def output(self, tail: int = 8000) -> str:
        return self.log_path.read_bytes()[-tail:].decode(errors="replace")

    def wait_for(
        self, check: Callable[[], T], *, timeout: float = 30, what: str, every: float = 0.25
    ) -> T:
        """Poll ``check`` until it returns something truthy; fail with the stack's log if not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = check()
            if result:
                return result
            time.sleep(every)
        pytest.fail(f"Timed out after {timeout} s waiting for {what}.\n{self.output()}")

    def stop(self) -> None:
        if self.process is None:
            return
        # As Ctrl-C would: runstack stops its own children (gunicorn, the worker with beat).
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # anything left behind
        except ProcessLookupError:
            pass
        self.process.wait()
        self.log.close()
        self.process = None


@pytest.fixture
def smtp_inbox():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    """``collectstatic`` once per test process, as ``make run`` does; each stack links to it."""
    var = tmp_path_factory.mktemp("static-var")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env={**env, "SWITCHBOARD_VAR_DIR": str(var), "SECRET_KEY": "stack-test-only"},
        check=True,
    )
    return var / "static"


@pytest.fixture
def stack(transactional_db, tmp_path, smtp_inbox, settings, collected_static) -> Any:
    """An unstarted :class:`Stack` on the test database; ``stack.start()`` boots it. Stopped
    before the test's tables are emptied."""
    # Users made for the stack must sign in there: hash their passwords as the stack does, not
    # with the tests' fast hasher (which the stack's settings do not accept).
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    running = Stack(tmp_path, smtp_inbox, collected_static)
    yield running
    running.stop()


@dataclass
class ImapServer:
    """pymap (in-memory backend) over STARTTLS with a certificate made for the test."""

    mailbox: Any  # tickets.mail.imap.Mailbox
    context: ssl.SSLContext
    cert: Path

    def append(self, raw: bytes) -> None:
        """Deliver a message into INBOX as a mail server would, over IMAP."""
        from tickets.mail import imap

        client = imap.connect(self.mailbox, ssl_context=self.context)
        client.select("INBOX")
        client.append("INBOX", None, None, raw)
        client.logout()

    def env(self) -> dict[str, str]:
        """What a stack needs to poll this mailbox (and trust its certificate)."""
        return {
            "IMAP_HOST": self.mailbox.host,
            "IMAP_PORT": str(self.mailbox.port),
            "IMAP_USER": self.mailbox.user,
            "IMAP_PASSWORD": self.mailbox.password,
            "IMAP_SECURITY": self.mailbox.security,
            "SSL_CERT_FILE": str(self.cert),
        }


@pytest.fixture
def imap_server(tmp_path):
    pytest.importorskip("pymap")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make the test certificate")
    from tickets.mail import imap

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",  # noqa: S607
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", "import sys; from pymap.main import main; sys.exit(main())",
         "--host", "127.0.0.1", "--port", str(port), "--cert", str(cert), "--key", str(key),
         "dict", "--demo-data"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        context = ssl.create_default_context(cafile=str(cert))
        mailbox = imap.Mailbox(name="default", host="127.0.0.1", port=port, user="demouser",
                               password="demopass", security="starttls")  # fmt: skip
        yield ImapServer(mailbox=mailbox, context=context, cert=cert)
    finally:
        process.terminate()
        process.wait(timeout=10)
