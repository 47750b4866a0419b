"""A person creates an API token in the browser, sees it once, uses it, and revokes it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import requests

from tests import factories
from tests.a11y import assert_accessible

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SHOTS_DIR") or Path(tempfile.gettempdir()) / "shots-api")


def test_create_use_and_revoke_a_token_in_the_browser(page, live_server, transactional_db):
    agent = factories.AgentFactory(email="ops@example.com", name="Ops Agent")
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", agent.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.click(".topbar-nav >> text=API tokens")
    page.fill("input[name=name]", "CRM sync")
    page.check("input[name=read_only]")
    page.click("text=Create token")
    raw = page.input_value("#new-token")
    assert raw.startswith("sb_")
    assert_accessible(page)  # with the new token shown
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "browser-token-created.png"), full_page=True)

    listing = requests.get(
        f"{live_server.url}/api/v1/tickets",
        headers={"Authorization": f"Bearer {raw}"},
        timeout=10,
    )
    assert listing.status_code == 200
    refused = requests.post(
        f"{live_server.url}/api/v1/customers",
        json={"email": "x@example.org"},
        headers={"Authorization": f"Bearer {raw}"},
        timeout=10,
    )
    assert refused.status_code == 403  # read-only

    page.goto(f"{live_server.url}/account/api-tokens/")
    assert page.locator("#new-token").count() == 0  # shown once
    page.click("text=Revoke")
    assert page.locator("text=Revoked").count() == 1
    gone = requests.get(
        f"{live_server.url}/api/v1/tickets",
        headers={"Authorization": f"Bearer {raw}"},
        timeout=10,
    )
    assert gone.status_code == 401
