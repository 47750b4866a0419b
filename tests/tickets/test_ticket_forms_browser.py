"""Ticket forms in Chromium (live server): the admin's form editor, the customer choosing a form
in the portal (htmx swaps the fields, no reload; a missing required field is an error with
nothing typed lost), and the agent's New ticket page showing the chosen form's fields — each
checked with axe at 1366×768 and 390×844.

Screenshots go to ``$FORMS_SCREENSHOTS`` when set (docs/img is made from them), else a temp dir.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible
from tests.browser import sign_in
from tests.tickets.form_setup import make_forms
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("FORMS_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_forms_in_the_editor_the_portal_and_the_new_ticket_page(live_server, browser, shots):
    setup = make_forms()
    base = live_server.url

    # The admin's editor: the fields on the form, in order, the required ones ticked.
    admin = sign_in(browser, base, setup.admin, DESKTOP)
    admin.goto(f"{base}/agent/settings/fields/forms/")
    admin.get_by_role("link", name="Bug report").click()
    assert admin.get_by_label("Version is required").is_checked()
    assert not admin.get_by_label("Product is required").is_checked()
    admin.screenshot(path=shots / "forms-edit-desktop.png", full_page=True)
    assert_accessible(admin)

    # The customer chooses "Billing question": its field replaces the bug report's, in place.
    customer = sign_in(browser, base, factories.CustomerUserFactory(), PHONE)
    customer.goto(f"{base}/portal/new/")
    customer.evaluate("window.notReloaded = true")
    assert customer.get_by_label("Your browser *").is_visible()
    customer.get_by_label("Subject").fill("Charged twice in May")
    customer.get_by_label("Description").fill("Both charges are on my card statement.")
    customer.get_by_label("What is it about?").select_option(label="Billing question")
    customer.get_by_label("Invoice number *").wait_for()
    assert customer.get_by_label("Your browser *").count() == 0
    assert customer.evaluate("window.notReloaded") is True
    customer.get_by_label("Invoice number *").fill("12")
    customer.screenshot(path=shots / "forms-portal-phone.png", full_page=True)
    assert_accessible(customer)
    customer.get_by_role("button", name="Send request").click()
    customer.get_by_text("doesn't have the expected form").wait_for()
    assert customer.get_by_label("Subject").input_value() == "Charged twice in May"
    assert customer.get_by_label("Invoice number *").input_value() == "12"
    customer.get_by_label("Invoice number *").fill("INV-20240")
    customer.get_by_role("button", name="Send request").click()
    customer.wait_for_url(re.compile(r"/submitted/"))
    ticket = Ticket.objects.get()
    assert (ticket.form, ticket.fields) == (setup.billing, {"invoice": "INV-20240"})

    # The agent's New ticket page shows the chosen form's fields under their agent labels.
    agent = sign_in(browser, base, factories.AgentFactory(), DESKTOP)
    agent.goto(f"{base}/agent/tickets/new/")
    agent.get_by_label("Form").select_option(label="Bug report")
    agent.get_by_label("Browser").wait_for()
    agent.get_by_label("Browser").select_option(label="Firefox")
    agent.screenshot(path=shots / "forms-new-ticket-desktop.png", full_page=True)
    assert_accessible(agent)
