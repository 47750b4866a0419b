"""HTML that reaches a page comes through here first: mail bodies, the original-mail view and
HTML written through the API or the composer alike."""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i",
    "img", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
# cid: is how mail refers to its inline images; the mail channel rewrites those to our URLs.
URL_SCHEMES = {"http", "https", "mailto", "cid"}


def _no_remote_images(tag: str, attribute: str, value: str) -> str | None:
    # A remote image is mostly a tracking pixel: an agent opening the ticket must not tell the
    # sender so, whoever wrote the HTML (a mail, an API client). Inline (cid:) images and our
    # own files (a path on this site) stay; for the others the image's alt text shows instead.
    if tag == "img" and attribute == "src" and not _own_image(value):
        return None
    return value


def _own_image(src: str) -> bool:
    src = src.strip()
    return src.startswith("cid:") or (src.startswith("/") and not src.startswith(("//", "/\\")))


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_no_remote_images,
    )
