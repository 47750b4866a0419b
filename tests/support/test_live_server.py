"""The in-process test server (pytest-django's ``live_server``) sends without Nagle's algorithm:
tests/liveserver.py sets TCP_NODELAY on every socket it accepts. Without it, each response on a
kept-alive connection waited some 40 ms for the client's delayed ACK."""

from __future__ import annotations

import socket

from django.core.servers.basehttp import WSGIRequestHandler

from tests.liveserver import NoDelayWSGIServer


def test_the_live_server_is_the_no_delay_server(live_server):
    assert isinstance(live_server.thread.httpd, NoDelayWSGIServer)


def test_an_accepted_socket_has_tcp_nodelay():
    server = NoDelayWSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    client = socket.create_connection(server.server_address)
    try:
        accepted, _ = server.get_request()
        with accepted:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        client.close()
        server.server_close()
