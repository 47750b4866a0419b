"""Telling people from machines, so that two robots never mail each other forever."""

from __future__ import annotations

import copy
import re
from email.utils import parseaddr

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from accounts.branding import brand
from accounts.models import Team
from products.cache import catalog
from support import ratelimit
from support.localcache import ProcessCache
from tickets.mail.parse import ParsedMail

_BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon", "mail.daemon")
_OOO_SUBJECT_RE = re.compile(
    r"^(auto(matic|matische)?[ -]?(reply|response|antwort)|out of (the )?office|"
    r"abwesenheit|absence|r[ée]ponse automatique|autoreply|away from)",
    re.IGNORECASE,
)


def _addr(value: str) -> str:
    return (parseaddr(value)[1] or value).strip().lower()


def _load_team_addresses() -> tuple[Team, ...]:
    return tuple(Team.objects.exclude(email=""))


# Read for every inbound message (is it our own? which team's address?): kept per process and
# reloaded when a team changes (support.localcache).
teams_with_address: ProcessCache[tuple[Team, ...]] = ProcessCache(
    "team-addresses", _load_team_addresses
)


def _teams_changed(sender, **kwargs) -> None:
    teams_with_address.invalidate()


post_save.connect(_teams_changed, sender=Team, dispatch_uid="mail-team-addresses-save")
post_delete.connect(_teams_changed, sender=Team, dispatch_uid="mail-team-addresses-delete")


def team_for_address(addresses: set[str]) -> Team | None:
    """The first team (by name) whose address is one of ``addresses`` (lower case)."""
    for team in teams_with_address.get():
        if team.email.lower() in addresses:
            return copy.copy(team)  # the caller's own instance, not the process's copy
    return None


def own_addresses() -> set[str]:
    """Every address we send from: mail from these is our own, coming back."""
    found = {
        _addr(settings.DEFAULT_FROM_EMAIL),
        _addr(settings.SERVER_EMAIL),
        _addr(brand().sender),
    }
    found.update(_addr(a) for a in settings.MAIL_OWN_ADDRESSES)
    found.update(_addr(team.email) for team in teams_with_address.get())
    found.update(_addr(p.support_email) for p in catalog.get().products if p.support_email)
    return {a for a in found if "@" in a}


def is_own_address(address: str) -> bool:
    address = _addr(address)
    if not address:
        return False
    own = own_addresses()
    if address in own:
        return True
    # Our signed reply addresses (support+t1042.sig@…) are ours too.
    local, _, domain = address.rpartition("@")
    base = f"{local.split('+', 1)[0]}@{domain}"
    return "+" in local and base in own


def is_bounce(mail: ParsedMail) -> bool:
    if mail.content_type == "multipart/report":
        return True
    local = mail.from_email.split("@", 1)[0]
    if local in _BOUNCE_SENDERS:
        return True
    return mail.return_path is not None and mail.return_path.strip() in ("<>", "")


def is_automatic(mail: ParsedMail) -> bool:
    """Mail that must never get an automatic answer from us."""
    auto_submitted = mail.header("auto-submitted").split(";", 1)[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if mail.header("precedence").strip().lower() in ("bulk", "list", "junk", "auto_reply"):
        return True
    if mail.header("x-auto-response-suppress"):
        return True
    if mail.header("list-id") or mail.header("list-unsubscribe"):
        return True
    if mail.header("x-autoreply") or mail.header("x-autorespond"):
        return True
    return is_bounce(mail) or is_out_of_office(mail)


def is_out_of_office(mail: ParsedMail) -> bool:
    if mail.header("auto-submitted").lower().startswith("auto-replied"):
        return True
    if mail.header("x-autoreply") or mail.header("x-autorespond"):
        return True
    return bool(_OOO_SUBJECT_RE.match(mail.subject))


def autoreply_permitted(address: str) -> bool:
    """Count one automatic mail to ``address``; False once this hour's cap is reached."""
    cap = settings.MAIL_AUTOREPLY_PER_SENDER_PER_HOUR
    if cap <= 0:
        return True
    # Whole clock hours (aligned windows), so the cap resets on the hour.
    return ratelimit.hit(
        "mail:autoreply", _addr(address), limit=cap, window=3600, aligned=True
    ).allowed
