"""The product insight page in Chromium (live server): reached from the product page, the chart
and tables for a date range, at 1366×768 and 390×844 with axe. Screenshots go to
``$INSIGHT_SCREENSHOTS`` when set (docs/img is made from them), else a temp dir."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("INSIGHT_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_product_manager_reads_a_products_insight(live_server, browser, insight_data, shots):
    manager = factories.ProductManagerFactory()
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", manager.email)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/login/)"))
    page.goto(f"{live_server.url}/products/{insight_data.pk}/")
    page.get_by_role("link", name=re.compile("^Insight")).click()
    page.get_by_label("From", exact=True).fill("2026-03-01")
    page.get_by_label("To", exact=True).fill("2026-03-10")
    page.get_by_label("To", exact=True).press("Enter")  # the form is sent by keyboard
    page.wait_for_url(re.compile(r"start=2026-03-01"))
    page.get_by_role("heading", name="Per version", exact=True).wait_for()
    assert page.locator(".stat-value").first.inner_text() == "4"
    row = page.get_by_role("row", name=re.compile(r"^4\.2 "))
    assert row.get_by_role("cell").nth(0).inner_text() == "2"
    assert page.get_by_role("heading", name="Browser", exact=True).is_visible()
    page.screenshot(path=shots / "products-insight-desktop.png", full_page=True)
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    page.screenshot(path=shots / "products-insight-phone.png", full_page=True)
    page.context.close()
