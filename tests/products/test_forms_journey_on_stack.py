"""Issue 17's "done when", on the real processes (gunicorn, a Celery worker and beat) with
Chromium, checked with axe at 1366×768 and 390×844.

An admin creates a product with two versions, a choice field and a "Bug report" form asking
for the product, a required version and the choice; a customer files a bug through that form
in the portal (the version list follows the product over htmx); an agent filters a view by the
version and the choice and saves it; the product page shows the ticket under its version.

Screenshots go to ``$FORMS_SCREENSHOTS`` when set (docs/img is made from them), else a temp dir.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible
from tickets.automation import services as automation
from tickets.fields.models import TicketForm
from tickets.models import Ticket

pytestmark = [pytest.mark.browser]

WITHIN = 20  # seconds


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("FORMS_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _wait_options(page, selector: str, more_than: int) -> None:
    page.wait_for_function(
        f"() => document.querySelectorAll('{selector} option').length > {more_than}",
        timeout=WITHIN * 1000,
    )


def test_an_admin_makes_a_bug_report_form_a_customer_files_through_it_an_agent_finds_it(
    browser, stack, shots
):
    team = factories.TeamFactory(name="Support")
    agent = factories.AgentFactory(name="Ana Agent", teams=[team])
    admin = factories.AdminFactory(name="Ada Admin")
    automation.default_team_set(team)
    customer = factories.CustomerUserFactory()
    base = stack.start()

    # The admin makes the product and its two versions (the keyboard submits the forms).
    desk = stack.sign_in(browser, admin, viewport=DESKTOP)
    desk.goto(f"{base}/products/new/")
    desk.locator("#id_name").fill("Cloud")
    desk.get_by_role("button", name="Save product").click()
    desk.get_by_role("heading", name="Product “Cloud”").wait_for()
    for name in ("1.0", "2.0"):
        desk.locator("#id_version-name").fill(name)
        desk.locator("#id_version-name").press("Enter")
        desk.get_by_role("link", name=name, exact=True).wait_for()
    product_url = desk.url

    # A choice field customers fill in, and the form.
    desk.goto(f"{base}/agent/settings/fields/new/")
    desk.get_by_label("Label", exact=True).fill("Browser")
    desk.get_by_label("Key", exact=True).fill("browser")
    desk.get_by_label("Kind", exact=True).select_option(label="Single choice")
    choices = "chrome | Chrome\nfirefox | Firefox\nsafari | Safari"
    desk.get_by_label("Choices", exact=True).fill(choices)
    desk.get_by_label("Customers fill it in").check()
    desk.get_by_role("button", name="Save field").click()
    desk.get_by_role("link", name="Browser").wait_for()

    desk.goto(f"{base}/agent/settings/fields/forms/new/")
    desk.get_by_label("Name", exact=True).fill("Bug report")
    desk.get_by_label("Description for customers").fill("Something doesn't work as it should.")
    for order, key in enumerate(("product", "version", "browser"), start=1):
        desk.locator(f"#on_{key}").focus()
        desk.keyboard.press("Space")
        desk.get_by_label(f"Order of {desk.locator(f'label[for=on_{key}]').inner_text()}").fill(
            str(order)
        )
    desk.get_by_label("Version is required").check()
    desk.get_by_label("Browser is required").check()
    desk.screenshot(path=shots / "forms-new-form-desktop.png", full_page=True)
    assert_accessible(desk)
    desk.get_by_role("button", name="Save form").click()
    desk.get_by_role("link", name="Bug report").wait_for()
    form = TicketForm.objects.get(name="Bug report")
    assert [(i.key, i.required) for i in form.items.all()] == [
        ("product", False),
        ("version", True),
        ("browser", True),
    ]

    # The customer files a bug through the form on a phone: forgetting the version is an error
    # that keeps what was typed.
    portal = stack.sign_in(browser, customer, viewport=PHONE)
    portal.goto(f"{base}/portal/new/")
    assert portal.get_by_label("What is it about?").locator("option:checked").inner_text() == (
        "Bug report"
    )
    portal.get_by_label("Subject").fill("Export crashes on 2.0")
    portal.get_by_label("Description").fill("Every export of more than 100 rows crashes.")
    portal.get_by_label("Product (optional)").select_option(label="Cloud")
    _wait_options(portal, "#id_version", 1)
    portal.get_by_label("Browser *").select_option(label="Firefox")
    portal.get_by_role("button", name="Send request").click()
    portal.get_by_text("Fill in Version to send the request.").wait_for()
    assert portal.get_by_label("Subject").input_value() == "Export crashes on 2.0"
    assert portal.get_by_label("Browser *").locator("option:checked").inner_text() == "Firefox"
    _wait_options(portal, "#id_version", 1)
    portal.get_by_label("Version *").select_option(label="2.0")
    portal.screenshot(path=shots / "forms-portal-bug-phone.png", full_page=True)
    assert_accessible(portal)
    portal.get_by_role("button", name="Send request").click()
    portal.get_by_role("heading", name="We got your request").wait_for()
    ticket = Ticket.objects.get(subject="Export crashes on 2.0")
    assert (ticket.form, ticket.version.name, ticket.fields) == (
        form,
        "2.0",
        {"browser": "firefox"},
    )
    # Another bug on the same version, in another browser: the view must leave it out.
    other = factories.TicketFactory(
        team=team, product=ticket.product, version=ticket.version, fields={"browser": "chrome"}
    )

    # The agent filters a view by the version and the browser, and saves it.
    work = stack.sign_in(browser, agent, viewport=DESKTOP)
    work.goto(f"{base}/agent/queues/all/")
    work.get_by_text("Filter and save").click()
    filters = work.locator(".filter-form")
    filters.locator("select[name=version]").select_option(label="Cloud 2.0")
    filters.locator("select[name='field.browser']").select_option(label="Firefox")
    work.get_by_role("button", name="Apply").click()
    work.wait_for_url(re.compile(r"field\.browser=firefox"))
    rows = work.locator("#queue-results tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1 and "Export crashes on 2.0" in rows.first.inner_text()
    assert other.subject not in work.locator("#queue-results").inner_text()
    # The panel stays open while a field filter is on.
    assert work.locator("details.queue-filters").get_attribute("open") is not None
    work.get_by_label("Save these filters as a view").fill("Cloud 2.0 on Firefox")
    work.get_by_label("Save these filters as a view").press("Enter")
    work.get_by_role("heading", name="Cloud 2.0 on Firefox").wait_for()
    assert work.locator("#queue-results tbody tr").count() == 1
    work.screenshot(path=shots / "forms-view-desktop.png", full_page=True)
    assert_accessible(work)

    # The product page shows the ticket under its version.
    desk.goto(product_url)
    row = desk.get_by_role("row").filter(has_text="2.0").filter(has_text="ticket")
    assert "2 tickets about 2.0" in row.inner_text()
    assert f"#{ticket.pk} Export crashes on 2.0" in row.inner_text()
    one = desk.get_by_role("row").filter(has=desk.get_by_role("link", name="1.0", exact=True))
    assert "none" in one.inner_text()
    desk.screenshot(path=shots / "forms-product-versions-desktop.png", full_page=True)
    assert_accessible(desk)
