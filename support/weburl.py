"""Web links (a webhook's URL, a version's release notes): one pattern for the API schema, the
API, the pages and the model, so a link the schema allows is taken and no other is.

``http`` or ``https``; a host name of dot-separated labels (letters, digits, inner ``-``, at
most 63 each) ending in a top-level domain of letters, or ``localhost``, or an IPv4 address;
an optional port (1-65535); then a path, query and fragment of URI characters. No user name or
password, no IPv6 literal. Unlike Django's ``URLValidator`` it needs no look-ahead for the
host's length, so schema-driven generators draw from it at once; a host name past 253
characters is a link DNS won't resolve, not malformed input.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_HOST = rf"(?:(?:{_LABEL}\.)+[A-Za-z]{{2,63}}|localhost|{_OCTET}(?:\.{_OCTET}){{3}})"
_PORT = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
# RFC 3986's path, query and fragment characters (a percent sign starts an escape), so every
# link the pattern takes is a valid URI (what the responses' ``format: uri`` says).
_PCHAR = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})"
_TAIL = rf"(?:/(?:{_PCHAR}|/)*)?(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?"
WEB_URL_PATTERN = rf"^https?://{_HOST}(?::{_PORT})?{_TAIL}$"
_WEB_URL = re.compile(WEB_URL_PATTERN[1:-1])
MESSAGE = _("Enter a web address starting with http:// or https:// and a host name.")


def validate_web_url(value: str) -> None:
    if not _WEB_URL.fullmatch(value):
        raise ValidationError(MESSAGE, code="web_url")


def web_url_schema(max_length: int) -> dict:
    return {"type": "string", "pattern": WEB_URL_PATTERN, "maxLength": max_length}


class WebUrlFormField(forms.URLField):
    """A page's link field: adds ``https://`` when left out, as Django's does, then checks the
    one pattern (not Django's validator, which takes more)."""

    default_validators = [validate_web_url]
