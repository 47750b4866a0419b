"""Outbound webhook requests only to public addresses, pinned to the address we checked.

The host name is resolved once, every address it resolves to is checked, and the connection is
made to that checked address (with the original name for the Host header and TLS), so a DNS answer
that changes between check and connect ("rebinding") can't steer us to an internal service.
Redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

MAX_RESPONSE_BYTES = 64 * 1024


class UnsafeUrl(Exception):  # noqa: N818 - reads better at the raise site
    pass


class Unresolvable(UnsafeUrl):
    """The host name doesn't resolve (now); worth retrying, unlike a refused address."""


@dataclass
class Outcome:
    status: int
    body: bytes
    latency_ms: int


def _allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return bool(settings.WEBHOOKS_ALLOW_LOOPBACK)
    return not (
        address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def check_url_shape(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeUrl("Webhook URLs must start with http:// or https://.")
    if not parts.hostname:
        raise UnsafeUrl("The webhook URL has no host.")
    if parts.username or parts.password:
        raise UnsafeUrl("Webhook URLs can't carry a user name or password.")


def resolve_safe(url: str) -> tuple[str, int, str]:
    """``(address, port, host)`` for ``url``, or :class:`UnsafeUrl`."""
    check_url_shape(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeUrl("The webhook URL has an invalid port.") from exc
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise Unresolvable(f"Can't resolve {host}: {exc}") from exc
    addresses = {info[4][0] for info in infos}
    if not addresses:
        raise UnsafeUrl(f"{host} has no address.")
    for address in addresses:
        if not _allowed(ipaddress.ip_address(address.split("%")[0])):
            raise UnsafeUrl(f"{host} resolves to {address}, a private or reserved address.")
    return sorted(addresses)[0], port, host


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    address, port, host = resolve_safe(url)
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    default_port = 443 if parts.scheme == "https" else 80
    host_header = host if port == default_port else f"{host}:{port}"
    if ":" in address:
        address = f"[{address}]"
    pool_kwargs = {
        "host": address,
        "port": port,
        "timeout": urllib3.Timeout(connect=min(5.0, timeout), read=timeout),
        "retries": False,
        "maxsize": 1,
    }
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            **pool_kwargs, server_hostname=host, assert_hostname=host, cert_reqs="CERT_REQUIRED"
        )
    else:
        pool = urllib3.HTTPConnectionPool(**pool_kwargs)
    started = time.monotonic()
    try:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            retries=False,
            preload_content=False,
        )
        data = response.read(MAX_RESPONSE_BYTES, decode_content=True)
        response.release_conn()
    finally:
        pool.close()
    return Outcome(
        status=response.status, body=data, latency_ms=int((time.monotonic() - started) * 1000)
    )
