"""Display safety: characters that change how text *looks* without being seen.

A bidirectional override (U+202E, RIGHT-TO-LEFT OVERRIDE) makes ``invoice\u202egpj.exe`` read as
``invoiceexe.jpg``; a zero-width space or a control character hides inside a name so two
different senders look the same. Wherever a name is shown (attachment names, senders, subjects,
refusal notes) such characters are replaced by U+FFFD (�), so a person sees that something was
there, in the order the characters really are.

One helper for every place: names are cleaned when they are stored (``clean_name`` in the
services and the mail channel), every HTML page on its way out
(``support.security.SecurityMiddleware``) and every mail on its way into the outbox
(``tickets.mail.outbound.email_queue``). Joiners (U+200C, U+200D) are kept: Persian and Indic
scripts and emoji sequences need them and they can't reorder text.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; the Arabic letter
# mark; zero-width space; left-to-right and right-to-left marks; line/paragraph separators; the
# embeddings and overrides; word joiner and invisible operators; the isolates; deprecated
# format controls; the byte order mark inside text; interlinear annotation.
_UNSAFE = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u061c\u180e\u200b\u200e\u200f\u2028\u2029\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\u206a-\u206f\ufeff\ufff9-\ufffb"
)
UNSAFE_RE = re.compile(f"[{_UNSAFE}]")
# The same set over UTF-8 bytes, for whole responses (no decoding of the page needed).
UNSAFE_BYTES_RE = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
    rb"|\xc2[\x80-\x9f]"  # C1 controls
    rb"|\xd8\x9c"  # U+061C
    rb"|\xe1\xa0\x8e"  # U+180E
    rb"|\xe2\x80[\x8b\x8e\x8f\xa8-\xae]"  # U+200B, 200E, 200F, 2028-202E
    rb"|\xe2\x81[\xa0-\xa4\xa6-\xaf]"  # U+2060-2064, 2066-206F
    rb"|\xef\xbb\xbf"  # U+FEFF
    rb"|\xef\xbf[\xb9-\xbb]"  # U+FFF9-FFFB
)
REPLACEMENT_BYTES = REPLACEMENT.encode()


def display_safe(text: str) -> str:
    """``text`` with every invisible control or bidirectional override replaced by U+FFFD."""
    if not text:
        return text
    return UNSAFE_RE.sub(REPLACEMENT, text)


def display_safe_bytes(data: bytes) -> bytes:
    """``display_safe`` over UTF-8 encoded text."""
    return UNSAFE_BYTES_RE.sub(REPLACEMENT_BYTES, data)


def clean_name(text: str) -> str:
    """A name as it is stored: display-safe, on one line, blanks collapsed."""
    return " ".join(display_safe(text or "").split())
