"""Demo data for the mail channel: a few mails through the real pipeline, one that failed."""

from __future__ import annotations

import random

from tickets.mail.inbound import inbound_process, inbound_store

_MAILS = [
    (
        "Maria Keller <maria.keller@example.de>",
        "Rechnung für März fehlt",
        "Hallo,\n\nich finde die Rechnung für März nicht im Portal. Können Sie sie schicken?\n\n"
        "Viele Grüße\nMaria Keller",
    ),
    (
        "Tom Baker <tom@example.co.uk>",
        "Export to CSV times out",
        "Hi team,\n\nexporting more than 10k rows to CSV times out after a minute.\n\n-- \nTom",
    ),
    (
        "Li Wei <li.wei@example.cn>",
        "Password reset mail never arrives",
        "Hello, I requested a password reset three times but no mail arrived.\n\n"
        "Sent from my iPhone",
    ),
]


def _raw(sender: str, subject: str, body: str, n: int) -> bytes:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@localhost"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<demo-mail-{n}@switchboard.demo>"
    msg.set_content(body)
    return bytes(msg)


def seed(*, rng: random.Random) -> None:
    """Idempotent: the demo mails have fixed Message-IDs, so a second run stores nothing new."""
    for n, (sender, subject, body) in enumerate(_MAILS):
        row, created = inbound_store(raw=_raw(sender, subject, body, n), mailbox="demo")
        if created:
            inbound_process(inbound_id=row.pk)
    # One the pipeline refuses (no sender), so the admin list has something to retry.
    broken = b"To: support@localhost\r\nSubject: Scan from copier\r\n"
    broken += b"Message-ID: <demo-mail-broken@switchboard.demo>\r\n\r\n(see attachment)\r\n"
    row, created = inbound_store(raw=broken, mailbox="demo")
    if created:
        inbound_process(inbound_id=row.pk)
