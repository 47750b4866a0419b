"""The in-process server that pytest-django's ``live_server`` runs, without Nagle's algorithm."""

from __future__ import annotations

import socket

from django.test.testcases import ThreadedWSGIServer


class NoDelayWSGIServer(ThreadedWSGIServer):
    """Django's test server writes a response in several small sends (status line, headers,
    body). With Nagle's algorithm on, each send after the first waits for the client's ACK, and
    the client delays that ACK by 40 ms: every response to a kept-alive connection took some
    45 ms, most of the contract test's hour and of each browser test's page loads. gunicorn sets
    TCP_NODELAY on its sockets; the test server now does too (tests/support/test_live_server.py)."""

    def get_request(self):
        conn, address = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, address
