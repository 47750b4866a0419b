"""Signed references to a ticket that we put in outgoing mail.

A reply can name its ticket through our Message-ID (``In-Reply-To``/``References``) or through the
reply address (``support+t1042.3f9a0c1b2d@example.com``). Both carry an HMAC of the ticket number
keyed with ``SECRET_KEY``, so someone who guesses the format can't attach mail to another ticket.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from django.conf import settings

SIG_LEN = 12
_MSGID_RE = re.compile(r"^<?sb\.t(\d{1,12})\.([0-9a-f]{8,32})\.([0-9a-f]{12})@[^>]+>?$")
_ADDRESS_RE = re.compile(r"\+t(\d{1,12})\.([0-9a-f]{12})@", re.IGNORECASE)
_AGENT_ADDRESS_RE = re.compile(r"\+a(\d{1,12})\.t(\d{1,12})\.([0-9a-f]{12})@", re.IGNORECASE)


def _sign(value: str) -> str:
    key = f"switchboard.mail:{settings.SECRET_KEY}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:SIG_LEN]


def address_parts(address: str) -> tuple[str, str]:
    """``"Support <support@example.com>"`` → ``("support", "example.com")``."""
    from email.utils import parseaddr

    addr = parseaddr(address)[1] or address
    local, _, domain = addr.rpartition("@")
    return local or addr, domain or "localhost"


def message_id_for(ticket_id: int, *, domain: str) -> str:
    nonce = secrets.token_hex(8)
    return f"<sb.t{ticket_id}.{nonce}.{_sign(f'msgid:{ticket_id}:{nonce}')}@{domain}>"


def ticket_id_from_message_id(message_id: str) -> int | None:
    match = _MSGID_RE.match(message_id.strip())
    if not match:
        return None
    ticket_id, nonce, sig = match.groups()
    if not hmac.compare_digest(sig, _sign(f"msgid:{ticket_id}:{nonce}")):
        return None
    return int(ticket_id)


def reply_address_for(ticket_id: int, *, base: str) -> str:
    """``support@example.com`` → ``support+t1042.<sig>@example.com``."""
    local, domain = address_parts(base)
    local = local.split("+", 1)[0]
    return f"{local}+t{ticket_id}.{_sign(f'reply:{ticket_id}')}@{domain}"


def ticket_id_from_address(address: str) -> int | None:
    match = _ADDRESS_RE.search(address)
    if not match:
        return None
    ticket_id, sig = match.groups()
    if not hmac.compare_digest(sig.lower(), _sign(f"reply:{ticket_id}")):
        return None
    return int(ticket_id)


def agent_reply_address_for(agent_id: int, ticket_id: int, *, base: str) -> str:
    """The Reply-To of mail to one agent about one ticket:
    ``support+a7.t1042.<sig>@example.com``. A reply sent to it proves the sender got that mail,
    so it may become the agent's public reply (docs/email.md, "Trust model")."""
    local, domain = address_parts(base)
    local = local.split("+", 1)[0]
    sig = _sign(f"agent-reply:{agent_id}:{ticket_id}")
    return f"{local}+a{agent_id}.t{ticket_id}.{sig}@{domain}"


def agent_reply_from_address(address: str) -> tuple[int, int] | None:
    """``(agent_id, ticket_id)`` of a signed agent reply address, or None."""
    match = _AGENT_ADDRESS_RE.search(address)
    if not match:
        return None
    agent_id, ticket_id, sig = match.groups()
    if not hmac.compare_digest(sig.lower(), _sign(f"agent-reply:{agent_id}:{ticket_id}")):
        return None
    return int(agent_id), int(ticket_id)
