"""Branding on the real processes (gunicorn, worker, beat; ``tests/stack.py``): an admin sets the
site name, a logo, a colour (a too-light one is refused first, nothing typed lost), a sender and a
footer; the workspace and the portal show them at once, and mail the worker sends afterwards comes
from the sender with the footer. axe on each page; screenshots at 1366×768 and 390×844."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest

from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-branding"))  # noqa: S108 - screenshots only


def _logo_png(size: int = 48) -> bytes:
    """A teal disc with a white ring: a visible logo, made without an imaging library."""
    rows = []
    centre = (size - 1) / 2
    for y in range(size):
        row = bytearray(b"\x00")  # filter: none
        for x in range(size):
            r = ((x - centre) ** 2 + (y - centre) ** 2) ** 0.5
            if r < size * 0.22:
                row += bytes((255, 255, 255, 255))
            elif r < size * 0.48:
                row += bytes((11, 122, 117, 255))
            else:
                row += bytes((0, 0, 0, 0))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def _shots(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}{suffix}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_admin_brands_the_site_and_pages_and_mail_follow(browser, stack, tmp_path):
    admin = factories.AdminFactory(name="Ada Admin", email="ada@staff.example.com")
    logo = tmp_path / "acme.png"
    logo.write_bytes(_logo_png())
    base = stack.start()

    page = stack.sign_in(browser, admin, viewport=DESKTOP)
    page.goto(f"{base}/agent/")
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Branding").click()
    page.get_by_role("heading", name="Branding", level=1).wait_for()
    page.get_by_label("Site name").fill("Acme Help")
    page.get_by_label("Primary colour").fill("#ffd43b")
    page.get_by_label("Mail footer").fill("Acme Inc. · 1 Main Street, Springfield")
    page.get_by_role("button", name="Save branding").click()
    error = page.get_by_text("is too light")
    error.wait_for()
    assert page.get_by_label("Site name").input_value() == "Acme Help"
    assert page.get_by_label("Mail footer").input_value().startswith("Acme Inc.")
    assert_accessible(page)
    _shots(page, "branding-error")

    page.get_by_label("Primary colour").fill("#0b7a75")
    page.get_by_label("Logo").set_input_files(str(logo))
    page.get_by_label("Sender name").fill("Acme Help Desk")
    page.get_by_label("Sender address").fill("help@acme.example")
    page.get_by_role("button", name="Save branding").click()
    page.get_by_text("Branding saved").wait_for()
    brand_link = page.locator(".ws-topbar .brand")
    assert brand_link.inner_text().strip() == "Acme Help"
    assert brand_link.locator("img").count() == 1
    href = page.locator('link[href*="brand.css"]').get_attribute("href")
    assert "--brand: #0b7a75" in page.request.get(f"{base}{href}").text()
    # The saved colour, from brand.css (a new address after every change).
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.branding-form .button.primary'))"
        ".backgroundColor === 'rgb(11, 122, 117)'"
    )
    assert_accessible(page)
    _shots(page, "branding")

    portal = browser.new_context(viewport=PHONE).new_page()
    portal.goto(f"{base}/portal/sign-in/")
    portal.locator(".portal-brand").get_by_text("Acme Help").wait_for()
    assert portal.locator(".portal-brand img").count() == 1
    assert_accessible(portal)

    # Mail sent after the change, by the worker over SMTP: the sender and the footer.
    page.goto(f"{base}/agent/admin/users/")
    page.get_by_label("Email address").fill("nia@staff.example.com")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent").wait_for()
    (invite,) = stack.wait_for(
        lambda: stack.inbox.to("nia@staff.example.com"), timeout=20, what="the invitation"
    )
    assert invite["From"] == "Acme Help Desk <help@acme.example>"
    assert "invited you to Acme Help" in invite["Subject"]
    text = invite.get_body(preferencelist=("plain",)).get_content()
    assert "-- \nAcme Inc. · 1 Main Street, Springfield" in text.replace("\r\n", "\n")

    agent = factories.AgentFactory(email="ann@staff.example.com")
    other = stack.sign_in(browser, agent, viewport=PHONE)
    assert other.goto(f"{base}/agent/admin/branding/").status == 403
