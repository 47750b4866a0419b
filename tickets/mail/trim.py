"""Cut quoted history and signatures off a reply, for display. The original is kept elsewhere."""

from __future__ import annotations

import re

# Put above the history in every mail we send: everything below it is quoted conversation.
REPLY_MARKER = "##- Please type your reply above this line -##"

_CUT_LINE_PATTERNS = [
    re.escape(REPLY_MARKER),
    r"-{2,}\s*Original Message\s*-{2,}",  # Outlook (plain)
    r"-{2,}\s*Forwarded message\s*-{2,}",
    r"_{20,}",  # Outlook: a rule above the From:/Sent: block
    r"On\s.{1,200}\swrote:",  # Gmail, Apple Mail, Thunderbird
    r"Le\s.{1,200}\sa écrit\s?:",
    r"Am\s.{1,200}\sschrieb\s.{0,80}:",
    r"El\s.{1,200}\sescribió:",
    r"Op\s.{1,200}\sschreef\s.{0,80}:",
    r"-- ",  # signature delimiter
    r"Sent from my (iPhone|iPad|Android|mobile)",
    r"Get Outlook for (iOS|Android)",
]
_CUT_RE = re.compile(r"^\s*(?:" + "|".join(_CUT_LINE_PATTERNS) + r")\s*$", re.MULTILINE)
# "On … wrote:" wrapped over two lines by the client.
_WRAPPED_WROTE_RE = re.compile(r"^On\s[^\n]{1,200}\n[^\n]{0,200}wrote:\s*$", re.MULTILINE)
# Outlook's header block without a rule above it: "From: …" then "Sent: …" (or localized).
_OUTLOOK_BLOCK_RE = re.compile(
    r"^\s*\*?(From|Von|De|Van)\s?:\*?\s.+\n\s*\*?(Sent|Gesendet|Envoyé|Verzonden|Date|Datum)\s?:",
    re.MULTILINE,
)


def trim_text(text: str) -> str:
    """The new part of a reply: no quoted history, no signature. Never returns an empty string
    for a non-empty message (a reply that is only a quote keeps its quote)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    cut = len(text)
    for regex in (_CUT_RE, _WRAPPED_WROTE_RE, _OUTLOOK_BLOCK_RE):
        match = regex.search(text)
        if match and match.start() < cut:
            cut = match.start()
    trimmed = text[:cut]
    # Trailing block of "> quoted" lines (bottom-posting clients leave no header line).
    lines = trimmed.rstrip().split("\n")
    while lines and (lines[-1].startswith(">") or not lines[-1].strip()):
        lines.pop()
    trimmed = "\n".join(lines).strip()
    return trimmed or text.strip()


_HTML_CUT_RE = re.compile(
    r"<div[^>]+class=\"?[^\">]*gmail_quote"
    r"|<blockquote[^>]+type=\"?cite"
    r"|<div[^>]+id=\"?(divRplyFwdMsg|appendonsend)"
    r"|<div[^>]+class=\"?[^\">]*(moz-cite-prefix|yahoo_quoted)"
    r"|" + re.escape(REPLY_MARKER),
    re.IGNORECASE,
)


def trim_html(html: str) -> str:
    """Cut at the first quote container a known client writes; the sanitizer closes the rest."""
    match = _HTML_CUT_RE.search(html)
    if not match or not html[: match.start()].strip():
        return html
    return html[: match.start()]
