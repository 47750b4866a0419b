"""Reading one RFC 5322 message into plain data, with the standard library only.

Mail in the wild is broken in every way a parser can imagine: unknown charsets, bytes that are not
in the charset they claim, headers that don't parse, parts without a type. This module never raises
for any of that; it degrades (``errors="replace"``, the raw header, an empty value) and leaves the
decision to reject a message to its caller.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses

MSGID_RE = re.compile(r"<[^<>\s]+>")


@dataclass
class ParsedAttachment:
    name: str
    content_type: str
    data: bytes
    content_id: str = ""
    inline: bool = False


@dataclass
class ParsedMail:
    message_id: str
    subject: str
    from_name: str
    from_email: str
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)  # To, Cc, Delivered-To, X-Original-To
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    text: str = ""
    html: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    content_type: str = "text/plain"
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names, first value
    # Why the sender can't be determined unambiguously (several or no addresses in From, a From
    # the parser had to guess at); empty when ``from_email`` is the one sender.
    sender_problem: str = ""
    # Every Authentication-Results header, top (added last, by our receiving server) first.
    auth_results: list[str] = field(default_factory=list)
    return_path: str | None = None
    # A delivery report (multipart/report): the original's Message-ID and why it failed.
    report_message_id: str = ""
    report_diagnostic: str = ""

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


def parse(raw: bytes) -> ParsedMail:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    headers = _headers(msg)
    from_name, from_email, sender_problem = sender_of(msg)
    parsed = ParsedMail(
        message_id=_first_msgid(headers.get("message-id", "")) or synthetic_message_id(raw),
        sender_problem=sender_problem,
        auth_results=_all_values(msg, "authentication-results"),
        subject=" ".join(headers.get("subject", "").split()),
        from_name=from_name,
        from_email=from_email,
        to=_addresses(msg, "to"),
        cc=_addresses(msg, "cc"),
        in_reply_to=MSGID_RE.findall(headers.get("in-reply-to", "")),
        references=MSGID_RE.findall(headers.get("references", "")),
        content_type=_content_type(msg),
        headers=headers,
        return_path=headers.get("return-path") if "return-path" in headers else None,
    )
    parsed.recipients = [
        *parsed.to,
        *parsed.cc,
        *_addresses(msg, "delivered-to"),
        *_addresses(msg, "x-original-to"),
        *_addresses(msg, "envelope-to"),
    ]
    texts: list[str] = []
    htmls: list[str] = []
    for part in _leaves(msg):
        _take(part, texts, htmls, parsed)
    parsed.text = "\n\n".join(t.strip("\n") for t in texts if t.strip())
    parsed.html = htmls[0] if htmls else ""
    if not parsed.text and parsed.html:
        parsed.text = html_to_text(parsed.html)
    if parsed.content_type == "multipart/report":
        _read_report(msg, parsed)
    return parsed


def synthetic_message_id(raw: bytes) -> str:
    """An id for mail that has none: a fingerprint of its sender, date, subject and body, so a
    re-delivery that only adds trace headers (``Received:``) or changes line endings is the same
    message. (Hashing the whole raw text would make every re-delivery a new message.)"""
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
        parts = [
            " ".join(str(headers.get(name, "") or "").split())
            for name in ("From", "Sender", "Date", "Subject", "To")
        ]
    except Exception:
        parts = []
    normalized = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    _head, _sep, body = normalized.partition(b"\n\n")
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "replace") + b"\0")
    digest.update(b"\n".join(line.rstrip() for line in body.strip().split(b"\n")))
    return f"<sha256.{digest.hexdigest()[:40]}@switchboard.invalid>"


# --- the sender ------------------------------------------------------------------------------

# Defects that only concern how a display name was written, never which address is meant.
_BENIGN_DEFECTS = (
    "trailing whitespace after encoded-word",
    "encoded word inside quoted string",
    "non-printable",
    # ``John Q. Public <john@example.com>`` (RFC 822's own example) and ``Ada Lovelace Jr.
    # <ada@example.com>``: obsolete phrase syntax, still common, raised only inside the display
    # name; an address written as a name adds a defect that is not benign.
    "period in 'phrase'",
    "comment found without atom",
)


def sender_of(msg: Message) -> tuple[str, str, str]:
    """``(name, address, problem)`` of the one sender, read from the parsed header object
    (``email.headerregistry.Address``), never from decoded text: a display name whose encoded
    words decode to an address stays a name. ``From`` is used when present, ``Sender`` only when
    there is no ``From`` at all. Several addresses, a group, nothing parseable or a header the
    parser had to guess at give a ``problem`` (the mail is held for review) and no address."""
    name = "from" if any(n.lower() == "from" for n in msg.keys()) else "sender"
    label = name.capitalize()
    count = sum(1 for n in msg.keys() if n.lower() == name)
    if not count:
        return "", "", ""  # no sender at all: the caller refuses the mail
    if count > 1:
        return "", "", f"The mail has {count} {label} headers; the sender is ambiguous."
    try:
        header = msg.get(name)
        addresses = header.addresses
        groups = header.groups
        defects = [str(d) for d in header.defects]
    except Exception as exc:
        return (
            "",
            "",
            f"The {label} header can't be read ({type(exc).__name__}: {exc}); "
            "the sender is ambiguous.",
        )
    if any(group.display_name is not None for group in groups):
        return "", "", f"The {label} header is a group; the sender is ambiguous."
    if len(addresses) != 1:
        count = "no address" if not addresses else f"{len(addresses)} addresses"
        return "", "", f"The {label} header has {count}; the sender is ambiguous."
    bad = [d for d in defects if not any(b in d.lower() for b in _BENIGN_DEFECTS)]
    if bad:
        return "", "", f"The {label} header is malformed ({bad[0]}); the sender is ambiguous."
    address = addresses[0]
    username, domain = address.username, address.domain
    if not username or not domain or any(c in address.addr_spec for c in '"<>,;\\ \r\n'):
        return "", "", f"The {label} header has no usable address; the sender is ambiguous."
    return (address.display_name or "").strip(), address.addr_spec.strip().lower(), ""


def _all_values(msg: Message, name: str) -> list[str]:
    values = []
    for key, raw_value in msg.raw_items():
        if key.lower() == name:
            values.append(" ".join(str(raw_value).replace("\r", " ").replace("\n", " ").split()))
    return values


# --- headers --------------------------------------------------------------------------------


def _decode_raw(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except Exception:
        return value


def _headers(msg: Message) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, raw_value in msg.raw_items():
        key = name.lower()
        if key in headers:
            continue
        try:
            value = str(msg.get(name, ""))
        except Exception:
            # A header the modern parser chokes on: decode its encoded words by hand.
            value = _decode_raw(str(raw_value))
        headers[key] = " ".join(value.replace("\r", " ").replace("\n", " ").split())
    return headers


def _addresses(msg: Message, name: str) -> list[str]:
    """Every address of the header(s), from the parsed header objects (groups flattened)."""
    found: list[str] = []
    try:
        for header in msg.get_all(name, []):
            if hasattr(header, "addresses"):
                for address in header.addresses:
                    if address.username and address.domain:
                        found.append(address.addr_spec.strip().lower())
            else:  # Delivered-To and friends are not address headers to the parser
                found.extend(a.strip().lower() for _, a in getaddresses([str(header)]) if "@" in a)
    except Exception:
        return found
    return found


def _first_msgid(value: str) -> str:
    found = MSGID_RE.findall(value)
    if found:
        return found[0][:250]
    value = value.strip()
    return f"<{value[:240]}>" if value and " " not in value else ""


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


# --- body and attachments ------------------------------------------------------------------


def _leaves(part: Message):
    """Depth-first leaves; an attached message (message/rfc822) is one leaf, not descended."""
    ctype = _content_type(part)
    if ctype == "message/rfc822" or (ctype.startswith("message/") and part.is_multipart()):
        yield part
    elif part.is_multipart():
        payload = part.get_payload()
        for sub in payload if isinstance(payload, list) else []:
            yield from _leaves(sub)
    else:
        yield part


def _payload_bytes(part: Message) -> bytes:
    if _content_type(part).startswith("message/") and part.is_multipart():
        inner = part.get_payload()
        if isinstance(inner, list) and inner:
            try:
                return inner[0].as_bytes(policy=policy.SMTP.clone(max_line_length=None))
            except Exception:
                return inner[0].as_string(policy=policy.compat32).encode("utf-8", "replace")
        return b""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if data is None:
        payload = part.get_payload()
        data = payload.encode("utf-8", "replace") if isinstance(payload, str) else b""
    return data


def _text_of(part: Message) -> str:
    data = _payload_bytes(part)
    charset = (part.get_content_charset() or "utf-8").lower()
    for candidate in (charset, "utf-8", "cp1252"):
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    if not name:
        try:
            name = str(part.get_param("name", "") or "")
        except Exception:
            name = ""
    if "=?" in name:
        name = _decode_raw(name)
    # Never trust a path from the sender.
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip().replace("\x00", "")[:200]


def _take(part: Message, texts: list[str], htmls: list[str], parsed: ParsedMail) -> None:
    ctype = _content_type(part)
    try:
        disposition = part.get_content_disposition()
    except Exception:
        disposition = None
    name = _filename(part)
    content_id = str(part.get("content-id", "") or "").strip().strip("<>")
    is_body = disposition != "attachment" and not name
    if is_body and ctype == "text/plain":
        texts.append(_text_of(part))
        return
    if is_body and ctype == "text/html" and not content_id:
        htmls.append(_text_of(part))
        return
    if ctype in ("message/delivery-status", "text/rfc822-headers"):
        return  # read by _read_report
    data = _payload_bytes(part)
    if ctype == "message/rfc822":
        name = name or _forwarded_name(part)
    if not name:
        extension = {
            "image/png": ".png",
            "image/jpeg": ".jpg",
            "image/gif": ".gif",
            "text/calendar": ".ics",
            "application/pdf": ".pdf",
            "text/plain": ".txt",
            "text/html": ".html",
        }.get(ctype, ".bin")
        name = f"attachment-{len(parsed.attachments) + 1}{extension}"
    parsed.attachments.append(
        ParsedAttachment(
            name=name,
            content_type=ctype,
            data=data,
            content_id=content_id,
            inline=bool(content_id) and disposition != "attachment",
        )
    )


def _forwarded_name(part: Message) -> str:
    inner = part.get_payload()
    subject = ""
    if isinstance(inner, list) and inner:
        try:
            subject = str(inner[0].get("subject", "") or "")
        except Exception:
            subject = ""
    safe = re.sub(r"[^\w .,()-]+", "", subject).strip()[:80]
    return f"{safe or 'forwarded message'}.eml"


def _read_report(msg: Message, parsed: ParsedMail) -> None:
    for part in msg.walk():
        ctype = _content_type(part)
        if ctype == "message/delivery-status":
            text = _status_text(part)
            for key in ("diagnostic-code", "status"):
                found = re.search(rf"^{key}:\s*(.+)$", text, re.IGNORECASE | re.MULTILINE)
                if found and not parsed.report_diagnostic:
                    parsed.report_diagnostic = found.group(1).strip()[:500]
        elif ctype in ("message/rfc822", "text/rfc822-headers") and not parsed.report_message_id:
            text = _status_text(part)
            found = re.search(r"^message-id:\s*(<[^>]+>)", text, re.IGNORECASE | re.MULTILINE)
            if found:
                parsed.report_message_id = found.group(1)


def _status_text(part: Message) -> str:
    if part.is_multipart():
        chunks = []
        for sub in part.get_payload():
            try:
                chunks.append(sub.as_string(policy=policy.compat32))
            except Exception:  # noqa: S112 - an unreadable sub-part just adds nothing
                continue
        return "\n".join(chunks)
    return _text_of(part)


# --- html ----------------------------------------------------------------------------------

_BLOCK_RE = re.compile(r"<\s*(br|/p|/div|/tr|/li|/h\d|/blockquote)\b[^>]*>", re.IGNORECASE)
_DROP_RE = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")


def html_to_text(html: str) -> str:
    text = _DROP_RE.sub("", html)
    text = _BLOCK_RE.sub("\n", text)
    text = html_lib.unescape(_TAG_RE.sub("", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
