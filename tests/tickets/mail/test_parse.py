"""The parser never raises, whatever bytes arrive."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tickets.mail.parse import parse
from tickets.mail.trim import trim_html, trim_text

HEADER_LINES = st.lists(
    st.sampled_from(
        [
            b"From: =?utf-8?q?broken",
            b"From: <>",
            b"To: ,,,@@",
            b"Subject: =?x-unknown?B?////?=",
            b"Content-Type: multipart/mixed; boundary=",
            b'Content-Type: multipart/alternative; boundary="b"',
            b"Content-Type: text/plain; charset=utf-7",
            b"Content-Type: message/rfc822",
            b"Content-Type: multipart/report; report-type=delivery-status",
            b"Content-Transfer-Encoding: base64",
            b"Content-Transfer-Encoding: quoted-printable",
            b"Content-Disposition: attachment; filename*=x''%ZZ",
            b"Message-ID: <<>>",
            b"In-Reply-To: <a@b> garbage <c@d",
            b"\tcontinuation without header",
        ]
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headers=HEADER_LINES, body=st.binary(max_size=400))
def test_parse_never_raises(headers, body):
    raw = b"\r\n".join(headers) + b"\r\n\r\n--b\r\n" + body + b"\r\n--b--\r\n"
    mail = parse(raw)
    assert isinstance(mail.text, str) and isinstance(mail.subject, str)
    assert mail.message_id.startswith("<")
    trim_text(mail.text)
    trim_html(mail.html)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=500))
def test_trim_never_loses_a_non_empty_message(text):
    trimmed = trim_text(text)
    assert bool(trimmed) == bool(text.strip())
