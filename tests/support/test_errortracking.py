"""Error tracking sends no personal data: an error raised while handling a customer's mail is
sent to a real (local) Sentry endpoint with its type and stack, but without the mail's body,
subject or addresses — not in the message, the local variables, the request or the breadcrumbs."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk

from support.errortracking import init, scrub

SECRET_WORDS = "my card was charged twice"
ADDRESS = "ada.lovelace@example.org"


@pytest.fixture
def sentry_server():
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the stdlib's name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            encoding = self.headers.get("Content-Encoding", "")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            elif encoding == "br":
                import brotli

                body = brotli.decompress(body)
            received.append(body)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://publickey@127.0.0.1:{server.server_address[1]}/1", received
    # Deliver or drop what is still queued while the endpoint listens, then turn tracking off
    # for the tests that follow (the worker process lives on: nothing may retry later).
    sentry_sdk.flush(timeout=10)
    sentry_sdk.get_client().close(timeout=10)
    sentry_sdk.init(dsn=None)
    server.shutdown()


def _deliver(body_text: str, to_address: str, subject: str) -> None:
    raise RuntimeError(f"Could not deliver mail to {to_address}")


def test_an_error_reaches_sentry_without_the_mail_or_the_address(sentry_server):
    dsn, received = sentry_server
    init(dsn=dsn, environment="test", release="1.0", traces_sample_rate=0)
    sentry_sdk.add_breadcrumb(message=f"Queued a reply to {ADDRESS}", data={"body": SECRET_WORDS})
    try:
        _deliver(SECRET_WORDS, ADDRESS, " ".join(["Refund", "please"]))
    except RuntimeError:
        sentry_sdk.capture_exception()
    sentry_sdk.flush(timeout=10)

    sent = b"".join(received).decode("utf-8", "replace")
    assert "RuntimeError" in sent and "_deliver" in sent  # the error and where it happened
    assert "Could not deliver mail to [email]" in sent
    assert ADDRESS not in sent
    assert SECRET_WORDS not in sent
    assert "Refund please" not in sent


def test_scrub_keeps_the_request_line_and_drops_what_a_person_sent():
    event = {
        "message": f"Bounce from {ADDRESS}",
        "request": {
            "method": "POST",
            "url": f"https://help.example.com/api/v1/customers?email={ADDRESS}",
            "data": {"body": SECRET_WORDS},
            "cookies": {"sessionid": "abc"},
            "headers": {"Authorization": "Bearer sb_x"},
            "query_string": f"email={ADDRESS}",
            "env": {"REMOTE_ADDR": "203.0.113.9", "SERVER_NAME": "web-1"},
        },
        "user": {"id": 7, "email": ADDRESS, "ip_address": "203.0.113.9"},
        "extra": {"subject": "Refund please", "ticket_id": 42},
        "sdk": {"name": "sentry.python.django"},
    }
    clean = scrub(event, {})
    assert clean["request"] == {
        "method": "POST",
        "url": "https://help.example.com/api/v1/customers",
        "env": {"SERVER_NAME": "web-1"},
    }
    assert clean["user"] == {"id": 7}
    assert clean["extra"] == {"subject": "[removed]", "ticket_id": 42}
    assert clean["message"] == "Bounce from [email]"
    assert clean["sdk"] == {"name": "sentry.python.django"}


@pytest.mark.parametrize(("dsn", "active"), [("", "False"), ("http://k@127.0.0.1:9/1", "True")])
def test_tracking_is_on_only_with_a_dsn_and_always_scrubbed(dsn, active):
    code = (
        "import django, sentry_sdk; django.setup(); c = sentry_sdk.get_client(); "
        "print(c.is_active(), c.options['send_default_pii'], "
        "getattr(c.options['before_send'], '__name__', None))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "support.settings", "SENTRY_DSN": dsn}
    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    ).stdout.split()
    assert out[0] == active
    if active == "True":
        assert out[1:] == ["False", "scrub"]
