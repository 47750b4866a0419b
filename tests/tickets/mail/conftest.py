from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest

from support import clock


def build_mail(
    *,
    sender: str = "Ada Lovelace <ada@example.org>",
    to: str = "support@localhost",
    subject: str = "Printer on fire",
    body: str = "Hello, my printer is on fire.",
    html: str | None = None,
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(clock.now())
    msg["Message-ID"] = message_id or make_msgid(domain="example.org")
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, ctype, data in attachments:
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(msg)


@pytest.fixture
def mail():
    return build_mail


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.DEFAULT_FROM_EMAIL = "Switchboard Support <support@localhost>"
    settings.SERVER_EMAIL = "support@localhost"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.INBOUND_EMAIL_SECRET = "s3cret-for-tests"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
