"""The dashboard's product and version filters in Chromium (live server), by keyboard: a product
manager picks a product — the version list follows it (htmx) — then a version, and the numbers
change; at 1366×768 and 390×844 with axe. Screenshots go to ``$REPORTS_SCREENSHOTS`` when set
(docs/img is made from them), else a temp dir."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible, sideways_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("REPORTS_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def desk_data():
    cloud = factories.ProductFactory(name="Cloud")
    v41 = factories.VersionFactory(product=cloud, name="4.1")
    v42 = factories.VersionFactory(product=cloud, name="4.2")
    factories.ComponentFactory(product=cloud, name="Billing")
    desk = factories.ProductFactory(name="Desk")
    d10 = factories.VersionFactory(product=desk, name="1.0")
    team = factories.TeamFactory(name="Support")
    for product, version, count in (
        (cloud, v41, 2),
        (cloud, v42, 3),
        (cloud, None, 1),
        (desk, d10, 2),
        (None, None, 1),
    ):
        for _ in range(count):
            factories.TicketFactory(team=team, product=product, version=version)
    return {"cloud": cloud, "v42": v42}


def _created(page) -> str:
    return page.locator(".report-summary .stat-value").first.inner_text()


def _tab_to(page, name: str, *, most: int = 20) -> None:
    """Press Tab until the focused element's accessible name is ``name`` (keyboard only)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_product_manager_filters_the_dashboard_by_product_and_version(
    live_server, browser, desk_data, shots, viewport
):
    manager = factories.ProductManagerFactory()
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", manager.email)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/login/)"))
    page.goto(f"{live_server.url}/reports/")
    assert _created(page) == "9"
    version = page.get_by_label("Version", exact=True)
    # No product yet: every product's versions, grouped by product.
    assert version.locator("optgroup").count() == 2

    product = page.get_by_label("Product", exact=True)
    product.focus()
    # By keyboard: Down picks the next product, Enter takes it (Chromium's list pop-up), and
    # the change swaps in that product's version and component lists.
    with page.expect_response(re.compile(r"/reports/product-parts/\?product=\d+")):
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
    assert product.input_value() == str(desk_data["cloud"].pk)
    # Cloud's versions only, no groups.
    options = page.locator("#r-version option")
    expect(options).to_have_text(["All versions", "4.2", "4.1"])
    assert version.locator("optgroup").count() == 0
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "r-version"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert version.input_value() == str(desk_data["v42"].pk)
    _tab_to(page, "Show")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"product=\d+&version=\d+"))
    assert _created(page) == "3"
    assert page.get_by_label("Product", exact=True).input_value() == str(desk_data["cloud"].pk)
    assert page.get_by_label("Version", exact=True).input_value() == str(desk_data["v42"].pk)
    products = page.get_by_role("region", name=re.compile("^Per product"))
    assert products.get_by_role("row", name=re.compile(r"^Cloud ")).is_visible()

    name = "desktop" if viewport == DESKTOP else "phone"
    page.locator("form.filters").scroll_into_view_if_needed()
    page.screenshot(path=shots / f"reports-product-filter-{name}.png")
    assert_accessible(page, widths=(viewport,))
    assert sideways_overflow(page, widths=(viewport,)) == []

    # Product alone: all of Cloud's tickets.
    page.goto(f"{live_server.url}/reports/?product={desk_data['cloud'].pk}")
    assert _created(page) == "6"
    page.context.close()
