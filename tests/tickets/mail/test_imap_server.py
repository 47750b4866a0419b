"""The IMAP poller against a real IMAP server: pymap's in-memory backend, over STARTTLS with a
certificate made for the test. The stored message is appended by a real imaplib client."""

from __future__ import annotations

import imaplib
import shutil
import socket
import ssl
import subprocess
import sys
import time

import pytest

from tests.tickets.mail.conftest import build_mail, run_on_commit
from tickets.mail import imap
from tickets.mail.models import InboundEmail
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

pymap = pytest.importorskip("pymap")
if shutil.which("openssl") is None:
    pytest.skip("openssl is needed to make the test certificate", allow_module_level=True)


def _free_port(start: int = 8640, stop: int = 8660) -> int:
    for port in range(start, stop):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8640-8659")


@pytest.fixture
def imap_server(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",  # noqa: S607
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    port = _free_port()
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
        yield mailbox, context
    finally:
        process.terminate()
        process.wait(timeout=10)


def _client(mailbox, context) -> imaplib.IMAP4:
    return imap.connect(mailbox, ssl_context=context)


def test_poller_fetches_stores_and_flags_seen_on_a_real_server(imap_server):
    mailbox, context = imap_server
    client = _client(mailbox, context)
    client.select("INBOX")
    raw = build_mail(subject="Sent over IMAP", message_id="<over-imap@example.org>")
    client.append("INBOX", None, None, raw)
    client.logout()

    with run_on_commit():
        stored = imap.poll_mailbox(mailbox, connect_fn=lambda m: _client(m, context))
    assert stored >= 1  # ours, plus whatever unseen demo mail the server starts with
    row = InboundEmail.objects.get(message_id_header="<over-imap@example.org>")
    assert row.source == "imap" and row.status == "processed", row.error
    assert Ticket.objects.filter(subject="Sent over IMAP").count() == 1

    client = _client(mailbox, context)
    client.select("INBOX")
    assert client.uid("SEARCH", None, "UNSEEN")[1] == [b""]  # everything flagged seen
    client.logout()
    with run_on_commit():
        assert imap.poll_mailbox(mailbox, connect_fn=lambda m: _client(m, context)) == 0
    assert InboundEmail.objects.filter(message_id_header="<over-imap@example.org>").count() == 1


def test_certificate_is_checked(imap_server):
    mailbox, _context = imap_server
    with pytest.raises(ssl.SSLError):
        imap.connect(mailbox)  # the system's CAs don't know the test certificate
