"""An admin deletes a policy and tries to delete the calendar it used, in the browser (htmx
confirm). Screenshots go to /tmp/shots-sla/ with the other SLA pages'."""

from __future__ import annotations

import pytest

from tests import factories
from tests.tickets.sla.test_browser import shoot, sign_in
from tickets.sla.models import BusinessCalendar, SlaPolicy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_deletes_a_policy_and_is_told_the_calendar_is_in_use(live_server, browser):
    admin = factories.AdminFactory(name="Ada Admin")
    calendar = factories.BusinessCalendarFactory(name="Berlin office")
    keep = factories.SlaPolicyFactory(name="Standard", calendar=calendar)
    doomed = factories.SlaPolicyFactory(name="Old urgent", calendar=calendar, position=5)
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    sign_in(page, live_server, admin)

    page.goto(f"{live_server.url}/sla/policies/{doomed.pk}/")
    shoot(page, "policy-with-delete")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=Delete policy")
    page.wait_for_url(f"{live_server.url}/sla/")
    page.wait_for_load_state("networkidle")
    assert "Deleted policy" in page.content()
    assert list(SlaPolicy.objects.values_list("pk", flat=True)) == [keep.pk]
    shoot(page, "overview-after-delete")

    page.goto(f"{live_server.url}/sla/calendars/{calendar.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=Delete calendar")
    page.wait_for_selector("text=used by Standard")
    assert BusinessCalendar.objects.filter(pk=calendar.pk).exists()
    shoot(page, "calendar-in-use")
