"""The three ways in: ingest_email (MTA pipe), POST /inbound/email/, and the IMAP poller."""

from __future__ import annotations

import imaplib
import io
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.tickets.mail.conftest import build_mail, run_on_commit
from tickets.mail import imap
from tickets.mail.models import InboundEmail, InboundStatus
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


# --- ingest_email ---------------------------------------------------------------------------


def test_ingest_email_from_file(tmp_path, capsys):
    path = tmp_path / "m.eml"
    path.write_bytes(build_mail())
    with run_on_commit():
        call_command("ingest_email", str(path), mailbox="support")
    assert "Stored inbound mail" in capsys.readouterr().out
    row = InboundEmail.objects.get()
    assert row.mailbox == "support" and row.source == "pipe"
    assert row.status == InboundStatus.PROCESSED
    assert Ticket.objects.count() == 1


def test_ingest_email_from_stdin(monkeypatch, capsys):
    raw = build_mail(message_id="<stdin@example.org>")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    with run_on_commit():
        call_command("ingest_email", "-")
    assert InboundEmail.objects.get().message_id_header == "<stdin@example.org>"


def test_ingest_email_twice_is_stored_once(tmp_path, capsys):
    path = tmp_path / "m.eml"
    path.write_bytes(build_mail(message_id="<twice@example.org>"))
    with run_on_commit():
        call_command("ingest_email", str(path))
        call_command("ingest_email", str(path))
    assert "Already stored" in capsys.readouterr().out
    assert InboundEmail.objects.count() == 1
    assert Ticket.objects.count() == 1


def test_ingest_email_refuses_with_exit_code_and_reason(tmp_path):
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="Rejected: The message is empty") as exc:
        call_command("ingest_email", str(empty))
    assert exc.value.returncode == 65
    with pytest.raises(CommandError, match="Can't read") as exc:
        call_command("ingest_email", str(tmp_path / "missing.eml"))
    assert exc.value.returncode == 66


def test_ingest_email_exit_code_seen_by_an_mta(tmp_path):
    """Run as Postfix would: a separate process, message on stdin, the exit code read."""
    env = {"DJANGO_SETTINGS_MODULE": "support.settings", "SWITCHBOARD_VAR_DIR": str(tmp_path),
           "PATH": "/usr/bin:/bin"}  # fmt: skip
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "ingest_email", "-"],
        input=b"",
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 65
    assert b"The message is empty" in result.stderr


# --- HTTP -----------------------------------------------------------------------------------

URL = "/inbound/email/"


def _post(client, body: bytes, secret: str | None = "s3cret-for-tests", **extra):  # noqa: S107
    headers = {"HTTP_X_SWITCHBOARD_SECRET": secret} if secret is not None else {}
    return client.post(URL, data=body, content_type="message/rfc822", **headers, **extra)


def test_http_endpoint_stores_and_processes(client):
    with run_on_commit():
        response = _post(client, build_mail(message_id="<http1@example.org>"))
    assert response.status_code == 202
    assert response.json()["created"] is True
    row = InboundEmail.objects.get()
    assert row.source == "http" and row.status == InboundStatus.PROCESSED
    with run_on_commit():
        again = _post(client, build_mail(message_id="<http1@example.org>"))
    assert again.status_code == 200 and again.json()["created"] is False
    assert Ticket.objects.count() == 1


def test_http_endpoint_mailbox_parameter(client):
    with run_on_commit():
        _post(client, build_mail(), QUERY_STRING="mailbox=sales")
    assert InboundEmail.objects.get().mailbox == "sales"


@pytest.mark.parametrize("secret", [None, "", "wrong", "s3cret-for-tests "])
def test_http_endpoint_refuses_without_the_secret(client, secret):
    response = _post(client, build_mail(), secret=secret)
    assert response.status_code == 403
    assert not InboundEmail.objects.exists()


def test_http_endpoint_disabled_without_configured_secret(client, settings):
    settings.INBOUND_EMAIL_SECRET = ""
    assert _post(client, build_mail(), secret="").status_code == 404


def test_http_endpoint_takes_mail_larger_than_the_form_limit(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    big = build_mail(attachments=[("big.pdf", "application/pdf", b"%PDF" + b"x" * 20000)])
    with run_on_commit():
        response = _post(client, big)
    assert response.status_code == 202
    assert InboundEmail.objects.get().raw_bytes == big
    settings.INBOUND_EMAIL_MAX_BYTES = 5000
    assert _post(client, build_mail(body="y" * 6000)).status_code == 413


def test_http_endpoint_rejects_garbage_and_get(client):
    assert _post(client, b"").status_code == 400
    assert client.get(URL).status_code == 405


# --- IMAP -----------------------------------------------------------------------------------
# No IMAP server package is installed here, so the poller is driven by a fake at the imaplib
# boundary: an object answering select/uid/logout like imaplib.IMAP4_SSL does.


class FakeImap:
    def __init__(self, server: FakeImapServer):
        self.server = server

    def select(self, folder):
        self.server.selected.append(folder)
        return "OK", [str(len(self.server.messages)).encode()]

    def uid(self, command, *args):
        command = command.upper()
        if command == "SEARCH":
            unseen = [u for u in sorted(self.server.messages) if u not in self.server.seen]
            return "OK", [b" ".join(str(u).encode() for u in unseen)]
        if command == "FETCH":
            uid = int(args[0])
            if self.server.drop_on_fetch == uid:
                self.server.drop_on_fetch = None
                raise imaplib.IMAP4.abort("socket error: EOF")
            return "OK", [(f"{uid} (UID {uid} BODY[] {{n}}".encode(), self.server.messages[uid]),
                          b")"]  # fmt: skip
        if command == "STORE":
            self.server.seen.add(int(args[0]))
            return "OK", [b""]
        raise AssertionError(command)

    def logout(self):
        return "BYE", [b""]


class FakeImapServer:
    def __init__(self, messages: dict[int, bytes]):
        self.messages = messages
        self.seen: set[int] = set()
        self.selected: list[str] = []
        self.connections = 0
        self.drop_on_fetch: int | None = None

    def connect(self, mailbox):
        self.connections += 1
        return FakeImap(self)


MAILBOX = imap.Mailbox(name="default", host="imap.example.com", port=993, user="support",
                       password="pw", folder="INBOX")  # fmt: skip


def test_imap_poll_stores_and_flags_seen(db):
    server = FakeImapServer({1: build_mail(subject="one"), 2: build_mail(subject="two")})
    with run_on_commit():
        stored = imap.poll_mailbox(MAILBOX, connect_fn=server.connect)
    assert stored == 2
    assert server.seen == {1, 2}
    assert set(Ticket.objects.values_list("subject", flat=True)) == {"one", "two"}
    assert InboundEmail.objects.filter(source="imap", mailbox=MAILBOX.label).count() == 2
    with run_on_commit():
        assert imap.poll_mailbox(MAILBOX, connect_fn=server.connect) == 0


def test_imap_poll_survives_a_dropped_connection(db):
    server = FakeImapServer({1: build_mail(subject="one"), 2: build_mail(subject="two")})
    server.drop_on_fetch = 2
    with run_on_commit():
        stored = imap.poll_mailbox(MAILBOX, connect_fn=server.connect)
    assert server.connections == 2  # reconnected
    assert stored == 2
    assert server.seen == {1, 2}
    assert Ticket.objects.count() == 2


def test_imap_message_stored_but_not_flagged_is_not_duplicated(db):
    raw = build_mail(message_id="<imap-dup@example.org>")
    server = FakeImapServer({7: raw})
    with run_on_commit():
        imap.poll_mailbox(MAILBOX, connect_fn=server.connect)
    server.seen.clear()  # the flag was lost (connection died right after storing)
    with run_on_commit():
        assert imap.poll_mailbox(MAILBOX, connect_fn=server.connect) == 0
    assert server.seen == {7}
    assert Ticket.objects.count() == 1


def test_imap_gives_up_after_repeated_drops(db):
    class Down:
        def __call__(self, mailbox):
            raise OSError("connection refused")

    with pytest.raises(OSError):
        imap.poll_mailbox(MAILBOX, connect_fn=Down())


def test_imap_mailboxes_from_environment(monkeypatch):
    monkeypatch.setenv("IMAP_HOST", "imap.example.com")
    monkeypatch.setenv("IMAP_USER", "support@example.com")
    monkeypatch.setenv("IMAP_PASSWORD", "pw")
    monkeypatch.setenv("IMAP_MAILBOXES", "sales")
    monkeypatch.setenv("IMAP_SALES_HOST", "imap.sales.example.com")
    monkeypatch.setenv("IMAP_SALES_USER", "sales@example.com")
    monkeypatch.setenv("IMAP_SALES_PORT", "10993")
    boxes = imap.configured_mailboxes()
    assert [(b.host, b.port, b.folder) for b in boxes] == [
        ("imap.example.com", 993, "INBOX"),
        ("imap.sales.example.com", 10993, "INBOX"),
    ]
