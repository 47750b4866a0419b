"""Site branding: name, logo, primary colour, sender address and mail footer, set by admins in the
app (``tickets.staff.branding``) and stored in one row; environment variables stay the defaults
for anything left empty (``SITE_NAME``, ``PORTAL_SITE_NAME``, ``PORTAL_LOGO_URL``,
``PORTAL_BRAND_COLOR``, ``DEFAULT_FROM_EMAIL``, ``MAIL_FOOTER``).

Every page and every outgoing mail reads it, so it is kept per process (``support.localcache``)
and reloaded in every process when the row changes (a model signal).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.urls import reverse

from support import clock
from support.localcache import ProcessCache

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# What white text on the colour, and the colour as text on the page, need (WCAG 2.1 AA).
AA_NORMAL_TEXT = 4.5
# The workspace's own colour when neither the row nor the environment sets one.
DEFAULT_COLOUR = "#3b5bdb"


class SiteBranding(models.Model):
    """One row (pk 1). Empty fields fall back to the environment's defaults."""

    site_name = models.CharField(max_length=100, blank=True)
    logo = models.FileField(upload_to="branding/", blank=True)
    logo_content_type = models.CharField(max_length=40, blank=True)
    primary_colour = models.CharField(max_length=7, blank=True)
    sender_name = models.CharField(max_length=100, blank=True)
    sender_email = models.EmailField(blank=True)
    mail_footer = models.TextField(blank=True, max_length=1000)
    updated_at = models.DateTimeField(default=clock.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "site branding"
        verbose_name_plural = "site branding"

    def __str__(self) -> str:
        return self.site_name or "Site branding"


# --- colour arithmetic (WCAG 2.1 relative luminance) -----------------------------------------


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours, 1 to 21."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def darken(colour: str, factor: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{max(0, int(c * factor)):02x}" for c in (r, g, b))


def darkest_needed(colour: str, *, against: str = "#ffffff") -> str:
    """The colour, darkened in small steps until text of it on ``against`` (and white text on
    it) reaches AA: the suggestion a refused colour's error offers."""
    shade = colour
    for _ in range(60):
        if contrast(shade, against) >= AA_NORMAL_TEXT:
            return shade
        shade = darken(shade, 0.95)
    return "#000000"


# --- what pages and mail read ---------------------------------------------------------------


@dataclass(frozen=True)
class Brand:
    site_name: str
    portal_site_name: str
    logo_url: str
    colour: str  # "" keeps the stylesheet's own colour in the workspace
    portal_colour: str
    sender: str
    mail_footer: str
    version: str  # changes with anything the brand stylesheet or logo shows

    @property
    def sender_address(self) -> str:
        return parseaddr(self.sender)[1]


def _valid_colour(value: str) -> str:
    return value.lower() if HEX_COLOUR.match(value or "") else ""


def _load() -> Brand:
    row = SiteBranding.objects.filter(pk=1).first() or SiteBranding()
    name = row.site_name or settings.SITE_NAME
    env_sender = settings.DEFAULT_FROM_EMAIL
    if row.sender_email:
        sender = formataddr((row.sender_name or f"{name} Support", row.sender_email))
    elif row.sender_name:
        sender = formataddr((row.sender_name, parseaddr(env_sender)[1]))
    else:
        sender = env_sender
    colour = _valid_colour(row.primary_colour)
    portal_colour = colour or _valid_colour(settings.PORTAL_BRAND_COLOR) or DEFAULT_COLOUR
    stamp = row.updated_at.isoformat() if row.pk else "env"
    logo_url = (reverse("brand_logo") + f"?v={hashlib.sha256(stamp.encode()).hexdigest()[:10]}"
                if row.logo else "")  # fmt: skip
    return Brand(
        site_name=name,
        portal_site_name=row.site_name or settings.PORTAL_SITE_NAME,
        logo_url=logo_url,
        colour=colour,
        portal_colour=portal_colour,
        sender=sender,
        mail_footer=row.mail_footer or settings.MAIL_FOOTER,
        version=hashlib.sha256(f"{stamp}{colour}{portal_colour}".encode()).hexdigest()[:10],
    )


current: ProcessCache[Brand] = ProcessCache("branding", _load)


def brand() -> Brand:
    """The brand as pages and mail use it (one cache GET; a database read after a change)."""
    return current.get()


def brand_css(b: Brand) -> str:
    """CSS custom properties for the colour: no inline styles under the CSP."""
    lines = []
    if b.colour:
        lines.append(
            f":root {{ --brand: {b.colour}; "
            f"--brand-dark: color-mix(in srgb, {b.colour} 82%, black); }}"
        )
    lines.append(
        f".page-portal {{ --portal-brand: {b.portal_colour}; "
        f"--portal-brand-dark: color-mix(in srgb, {b.portal_colour} 82%, black); }}"
    )
    return "\n".join(lines) + "\n"


def _changed(sender, **kwargs) -> None:
    current.invalidate()


ENV_DEFAULTS = {
    "SITE_NAME",
    "PORTAL_SITE_NAME",
    "PORTAL_LOGO_URL",
    "PORTAL_BRAND_COLOR",
    "DEFAULT_FROM_EMAIL",
    "MAIL_FOOTER",
}


def _setting_changed(setting: str, **kwargs) -> None:
    # Tests override settings; in production they are read once, from the environment.
    if setting in ENV_DEFAULTS:
        current.forget()


setting_changed.connect(_setting_changed, dispatch_uid="branding-setting")
post_save.connect(_changed, sender=SiteBranding, dispatch_uid="branding-save")
post_delete.connect(_changed, sender=SiteBranding, dispatch_uid="branding-delete")
