"""Is the From address really the sender's? The receiving server's word on it.

We don't verify SPF, DKIM or DMARC ourselves: the MTA that received the mail did, and wrote its
results in an ``Authentication-Results`` header (RFC 8601). Anyone can write such a header too, so
only headers whose authserv-id (the first token) is one of ``MAIL_TRUSTED_AUTHSERV_IDS`` are read,
and of those only the topmost (the last one added, by our own receiving server; it must remove
forged ones naming its id, as OpenDMARC and Postfix's milters do). See docs/email.md, "Trust model".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings

from tickets.mail.models import AuthVerdict
from tickets.mail.parse import ParsedMail

_RESULT_RE = re.compile(r"^\s*(dmarc|spf|dkim)\s*=\s*([a-z]+)\b(.*)$", re.IGNORECASE | re.DOTALL)
_PROP_RE = re.compile(
    r"\b(header\.from|header\.d|header\.i|smtp\.mailfrom|smtp\.from)\s*=\s*([^\s;()]+)", re.I
)


@dataclass(frozen=True)
class Verdict:
    verdict: str  # AuthVerdict
    detail: str

    @property
    def passed(self) -> bool:
        return self.verdict == AuthVerdict.PASS


def trusted_ids() -> set[str]:
    return {i.strip().lower() for i in settings.MAIL_TRUSTED_AUTHSERV_IDS if i.strip()}


def _strip_comments(value: str) -> str:
    # RFC 8601 allows (comments) anywhere; they carry nothing we rely on.
    previous = None
    while previous != value:
        previous, value = value, re.sub(r"\([^()]*\)", " ", value)
    return value


def _domain(value: str) -> str:
    value = value.strip().strip('"').lower().rstrip(".")
    return value.rsplit("@", 1)[-1]


def aligned(domain: str, from_domain: str) -> bool:
    """Relaxed alignment (DMARC's default), approximated without the public suffix list: the same
    domain, or one a subdomain of the other."""
    if not domain or not from_domain:
        return False
    return (
        domain == from_domain
        or domain.endswith("." + from_domain)
        or from_domain.endswith("." + domain)
    )


def parse_results(value: str) -> tuple[str, list[tuple[str, str, dict[str, str]]]]:
    """``"mx.example.com 1; dmarc=pass header.from=x"`` → ``("mx.example.com", [("dmarc",
    "pass", {"header.from": "x"})])``."""
    value = _strip_comments(value)
    head, _, rest = value.partition(";")
    authserv_id = (head.split() or [""])[0].lower()
    results = []
    for clause in rest.split(";"):
        match = _RESULT_RE.match(clause)
        if not match:
            continue
        method, result, props = match.groups()
        results.append(
            (
                method.lower(),
                result.lower(),
                {k.lower(): _domain(v) for k, v in _PROP_RE.findall(props)},
            )
        )
    return authserv_id, results


def verdict_for(mail: ParsedMail) -> Verdict:
    """DMARC's result when the trusted server gives one (pass or fail); else SPF or DKIM passing
    for a domain aligned with From's (pass), an aligned SPF ``fail`` (fail), or nothing (none)."""
    trusted = trusted_ids()
    from_domain = _domain(mail.from_email) if mail.from_email else ""
    if not trusted or not from_domain:
        return Verdict(AuthVerdict.NONE, "")
    for header in mail.auth_results:
        authserv_id, results = parse_results(header)
        if authserv_id not in trusted:
            continue
        detail = f"{authserv_id}: " + (", ".join(f"{m}={r}" for m, r, _ in results) or "no results")
        for method, result, props in results:
            if method == "dmarc" and result in ("pass", "fail"):
                if props.get("header.from") and not aligned(props["header.from"], from_domain):
                    continue  # about another From than this mail's
                return Verdict(AuthVerdict(result), detail[:500])
        for method, result, props in results:
            domain = props.get("header.d") or props.get("header.i") or props.get("smtp.mailfrom")
            if (
                method in ("spf", "dkim")
                and result == "pass"
                and aligned(domain or "", from_domain)
            ):
                return Verdict(AuthVerdict.PASS, detail[:500])
        for method, result, props in results:
            domain = props.get("smtp.mailfrom") or ""
            if method == "spf" and result == "fail" and aligned(domain, from_domain):
                return Verdict(AuthVerdict.FAIL, detail[:500])
        return Verdict(AuthVerdict.NONE, detail[:500])  # only the topmost trusted header counts
    return Verdict(AuthVerdict.NONE, "")
