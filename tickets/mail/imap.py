"""The IMAP poller: fetch unseen mail over IMAPS, store it, then flag it seen.

A message is flagged ``\\Seen`` only after it is stored (committed). If the connection drops in
between, the next poll fetches it again and ``inbound_store`` recognizes the Message-ID, so the
worst case is a second download, never a lost or doubled message.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from dataclasses import dataclass

from support.env import env_int, env_list, env_str
from tickets.mail.inbound import inbound_store

logger = logging.getLogger(__name__)

RECONNECTS = 2
BATCH = 50


@dataclass(frozen=True)
class Mailbox:
    name: str
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    # "ssl" (IMAPS, port 993) or "starttls" (port 143 upgraded); never plain text.
    security: str = "ssl"

    @property
    def label(self) -> str:
        return f"imap:{self.user}@{self.host}/{self.folder}"[:200]


def configured_mailboxes() -> list[Mailbox]:
    """Mailboxes from the environment (read when polling, not at import)."""
    found = []
    if env_str("IMAP_HOST"):
        found.append(_mailbox("", ""))
    for name in env_list("IMAP_MAILBOXES"):
        found.append(_mailbox(name, f"{name.upper()}_"))
    return [m for m in found if m.host and m.user]


def _mailbox(name: str, prefix: str) -> Mailbox:
    return Mailbox(
        name=name or "default",
        host=env_str(f"IMAP_{prefix}HOST"),
        port=env_int(f"IMAP_{prefix}PORT", 993),
        user=env_str(f"IMAP_{prefix}USER"),
        password=env_str(f"IMAP_{prefix}PASSWORD"),
        folder=env_str(f"IMAP_{prefix}FOLDER", "INBOX"),
        security=env_str(f"IMAP_{prefix}SECURITY", "ssl").lower(),
    )


def connect(mailbox: Mailbox, *, ssl_context: ssl.SSLContext | None = None) -> imaplib.IMAP4:
    """Log in over TLS, the certificate checked; ``ssl_context`` lets a test trust its own CA."""
    context = ssl_context or ssl.create_default_context()
    if mailbox.security == "starttls":
        conn = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=60)
        conn.starttls(ssl_context=context)
    elif mailbox.security == "ssl":
        conn = imaplib.IMAP4_SSL(mailbox.host, mailbox.port, ssl_context=context, timeout=60)
    else:
        raise ValueError(f"IMAP security must be 'ssl' or 'starttls', not {mailbox.security!r}")
    conn.login(mailbox.user, mailbox.password)
    return conn


def poll_all() -> int:
    total = 0
    for mailbox in configured_mailboxes():
        try:
            total += poll_mailbox(mailbox)
        except Exception:
            logger.exception("Polling %s failed; the next beat tries again", mailbox.label)
    return total


def poll_mailbox(mailbox: Mailbox, *, connect_fn=connect) -> int:
    """Store every unseen message of one mailbox; returns how many were stored (new)."""
    stored = [0]  # counted as we go, so a drop mid-batch doesn't lose the count
    for attempt in range(RECONNECTS + 1):
        conn = None
        try:
            conn = connect_fn(mailbox)
            _drain(conn, mailbox, stored)
            return stored[0]
        except (imaplib.IMAP4.abort, OSError) as exc:
            # A dropped connection: reconnect and continue. Messages already stored were
            # flagged seen; one stored but not flagged is recognized by its Message-ID.
            logger.warning("IMAP %s dropped (%s); attempt %s", mailbox.label, exc, attempt + 1)
            if attempt == RECONNECTS:
                raise
        finally:
            if conn is not None:
                try:
                    conn.logout()
                except Exception:  # noqa: S110 - the connection is gone either way
                    pass
    return stored[0]


def _drain(conn: imaplib.IMAP4, mailbox: Mailbox, stored: list[int]) -> None:
    typ, _ = conn.select(_quote(mailbox.folder))
    if typ != "OK":
        raise imaplib.IMAP4.error(f"Can't open folder {mailbox.folder}")
    typ, data = conn.uid("SEARCH", None, "UNSEEN")
    if typ != "OK":
        raise imaplib.IMAP4.error("SEARCH failed")
    uids = (data[0] or b"").split()[:BATCH]
    for uid in uids:
        typ, fetched = conn.uid("FETCH", uid, "(BODY.PEEK[])")
        raw = _raw_from_fetch(fetched) if typ == "OK" else None
        if raw is None:
            logger.warning("IMAP %s: could not fetch uid %s", mailbox.label, uid)
            continue
        try:
            _row, created = inbound_store(raw=raw, mailbox=mailbox.label, source="imap")
        except Exception as exc:
            # Unstorable (empty, too large): flag it so it doesn't block the mailbox forever.
            logger.warning("IMAP %s uid %s not stored: %s", mailbox.label, uid, exc)
            created = False
        stored[0] += int(created)
        conn.uid("STORE", uid, "+FLAGS", "(\\Seen)")


def _raw_from_fetch(fetched) -> bytes | None:
    for item in fetched or []:
        if isinstance(item, tuple) and len(item) >= 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def _quote(folder: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_./-]+", folder):
        return folder
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
