"""Signing in through the real login page, for browser tests against ``live_server``.

Stack tests (gunicorn, worker and beat) sign in with ``tests.stack.Stack.sign_in``.
"""

from __future__ import annotations

import re

from tests import factories

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
_AWAY_FROM_LOGIN = re.compile(r"^(?!.*/login/)")


def sign_in(
    browser, base: str, user, viewport: dict[str, int] | None = None, *, width=None, height=None
):
    """A new page (its own cookies) at ``viewport`` (or ``width``×``height``, else the desktop
    size), signed in as ``user`` with the factories' password, on the page the login leads to."""
    if viewport is None:
        viewport = {"width": width or DESKTOP["width"], "height": height or DESKTOP["height"]}
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(_AWAY_FROM_LOGIN)
    return page
