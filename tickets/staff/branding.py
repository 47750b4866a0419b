"""Changing the site's branding (``accounts.branding.SiteBranding``): every check here, so the
page and any later API agree. In ``tickets`` because a logo is checked like every other upload
(``tickets.services.base.check_attachments``), which ``accounts`` must not import."""

from __future__ import annotations

from email.utils import parseaddr

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext

from accounts.branding import (
    AA_NORMAL_TEXT,
    HEX_COLOUR,
    SiteBranding,
    contrast,
    darkest_needed,
)
from accounts.models import User
from support import clock
from support.errors import NotPermitted, ValidationFailed
from tickets.services.base import check_attachments

# The page background of the workspace and portal: text in the brand colour sits on it, and
# white text sits on the colour; both must reach AA (the background is the harder of the two).
PAGE_BACKGROUND = "#f5f6f8"
LOGO_MAX_BYTES = 512 * 1024
# What an image starts with. SVG is refused: it can carry scripts.
IMAGE_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
FOOTER_MAX = 1000


def clean_colour(value: str) -> str:
    """``#rrggbb`` in lower case (``#rgb`` expanded), or ``""`` for the default; refuses a colour
    that white text on it, or text of it on the page, would not read at WCAG AA."""
    value = value.strip()
    if not value:
        return ""
    if len(value) == 4 and value.startswith("#"):
        value = "#" + "".join(c * 2 for c in value[1:])
    if not HEX_COLOUR.match(value):
        raise ValidationFailed(
            gettext("Give the colour as # and six hex digits, such as #3b5bdb."),
            field="primary_colour",
        )
    value = value.lower()
    ratio = contrast(value, PAGE_BACKGROUND)
    if ratio < AA_NORMAL_TEXT:
        raise ValidationFailed(
            gettext(
                "%(value)s is too light: text on it and of it reads at %(ratio)s:1, and WCAG "
                "AA needs %(AA_NORMAL_TEXT)s:1. A darker shade such as %(value2)s works."
            )
            % {
                "value": value,
                "ratio": format(ratio, ".1f"),
                "AA_NORMAL_TEXT": AA_NORMAL_TEXT,
                "value2": darkest_needed(value, against=PAGE_BACKGROUND),
            },
            field="primary_colour",
        )
    return value


def logo_type(upload: File) -> str:
    """The image's type from its first bytes, or a form error naming what is accepted."""
    check_attachments([upload])  # programs, scripts, the size limit, a sane content type
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationFailed(
            gettext("The logo is %(value)s KB; it can be at most %(value2)s KB.")
            % {"value": format(upload.size / 1024, ".0f"), "value2": LOGO_MAX_BYTES // 1024},
            field="logo",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for magic, content_type in IMAGE_MAGIC.items():
        if head.startswith(magic):
            return content_type
    raise ValidationFailed(
        gettext("The logo must be a PNG, JPEG, GIF or WebP image (SVG is not accepted)."),
        field="logo",
    )


def _no_line_breaks(value: str, *, field: str, label: str) -> str:
    value = value.strip()
    if any(c in value for c in "\r\n\x00"):
        raise ValidationFailed(
            gettext("The %(label)s must be one line.") % {"label": label}, field=field
        )
    return value


@transaction.atomic
def branding_update(
    *,
    by: User,
    site_name: str,
    primary_colour: str,
    sender_name: str,
    sender_email: str,
    mail_footer: str,
    logo: File | None = None,
    remove_logo: bool = False,
) -> SiteBranding:
    """Save the branding; an empty field falls back to the environment's default. Every process
    reloads it (``accounts.branding.current``, dropped by the row's save signal)."""
    if not by.is_active or not by.is_admin:
        raise NotPermitted(gettext("Only admins can change the branding."))
    site_name = _no_line_breaks(site_name, field="site_name", label="site name")[:100]
    sender_name = _no_line_breaks(sender_name, field="sender_name", label="sender name")[:100]
    sender_email = sender_email.strip()
    if sender_email:
        try:
            validate_email(sender_email)
        except ValidationError as exc:
            raise ValidationFailed(
                gettext("Enter a valid sender address, such as help@example.com."),
                field="sender_email",
            ) from exc
        if parseaddr(sender_email)[1] != sender_email:
            raise ValidationFailed(
                gettext("Give the address alone, without a name."), field="sender_email"
            )
    footer = mail_footer.replace("\r\n", "\n").strip()
    if len(footer) > FOOTER_MAX:
        raise ValidationFailed(
            gettext("The footer can be at most %(FOOTER_MAX)s characters.")
            % {"FOOTER_MAX": FOOTER_MAX},
            field="mail_footer",
        )
    colour = clean_colour(primary_colour)
    content_type = logo_type(logo) if logo is not None else ""

    row, _ = SiteBranding.objects.select_for_update().get_or_create(pk=1)
    row.site_name = site_name
    row.primary_colour = colour
    row.sender_name = sender_name
    row.sender_email = sender_email
    row.mail_footer = footer
    old_logo = row.logo.name if row.logo else ""
    if logo is not None:
        extension = content_type.split("/")[1].replace("jpeg", "jpg")
        row.logo.save(f"logo.{extension}", logo, save=False)
        row.logo_content_type = content_type
    elif remove_logo:
        row.logo = ""
        row.logo_content_type = ""
    row.updated_at = clock.now()
    row.updated_by = by
    row.save()
    if old_logo and (logo is not None or remove_logo):
        storage = row.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    return row
