"""An admin defines a calendar and a policy in the browser and sees the preview; agents see the
at-risk list. Screenshots of every SLA page go to /tmp/shots-sla/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from support import clock
from tests import factories
from tests.a11y import assert_accessible
from tickets import services

SHOTS = Path("/tmp/shots-sla")  # noqa: S108 - where the brief wants them
WIDTHS = {"desktop": (1366, 768), "mobile": (390, 844)}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shoot(page, name: str) -> None:
    assert_accessible(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def sign_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_admin_defines_calendar_and_policy_and_sees_clocks(live_server, browser):
    admin = factories.AdminFactory(name="Ada Admin", time_zone="America/New_York")
    team = factories.TeamFactory(name="Support")
    agent = factories.AgentFactory(name="Sam Agent", teams=[team])
    customer = factories.CustomerFactory(name="Cleo Customer")
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    sign_in(page, live_server, admin)

    page.goto(f"{live_server.url}/sla/calendars/new/")
    page.fill("input[name=name]", "Berlin office")
    page.fill("input[name=time_zone]", "Europe/Berlin")
    for day in ("mon", "tue", "wed", "thu", "fri"):
        page.fill(f"input[name=hours_{day}]", "09:00-12:00, 13:00-18:00")
    page.fill("textarea[name=holidays_text]", "2026-12-24 Christmas Eve")
    page.fill("input[name=seed_country]", "DE")
    page.click("text=Save calendar")
    page.wait_for_load_state("networkidle")
    assert "Saved calendar" in page.content()
    shoot(page, "calendar-edit")

    page.goto(f"{live_server.url}/sla/policies/new/")
    page.fill("input[name=name]", "Standard")
    page.check("input[name=is_default]")
    page.select_option("select[name=calendar]", label="Berlin office")
    page.fill("input[name=first_response_minutes]", "120")
    page.fill("input[name=next_reply_minutes]", "240")
    page.fill("input[name=resolution_minutes]", "1440")
    page.locator("input[name=resolution_minutes]").dispatch_event("change")
    page.wait_for_selector("#sla-preview dl")
    assert "would be due at" in page.inner_text("#sla-preview")
    shoot(page, "policy-new-preview")
    page.click("text=Save policy")
    page.wait_for_load_state("networkidle")
    assert "Saved policy" in page.content()

    page.goto(f"{live_server.url}/sla/policies/new/")
    page.fill("input[name=name]", "Urgent incidents")
    page.fill("input[name=position]", "1")
    page.select_option("select[name=calendar]", label="Berlin office")
    page.check("input[name=priorities][value=urgent]")
    page.fill("input[name=first_response_minutes]", "30")
    page.fill("input[name=resolution_minutes]", "240")
    page.check("input[name=breach_raise_priority]")
    page.click("text=Save policy")
    page.wait_for_load_state("networkidle")

    page.goto(f"{live_server.url}/sla/")
    assert "Urgent incidents" in page.content() and "Standard" in page.content()
    shoot(page, "overview")

    # Tickets in every clock state, then the at-risk list.
    now = clock.now()
    for minutes, subject in ((3000, "Invoice is wrong"), (200, "Cannot log in"), (5, "New laptop")):
        with clock.travel(now - timedelta(minutes=minutes)):
            services.ticket_create(requester=customer, subject=subject, body="Help", team=team)
    with clock.travel(now - timedelta(days=3)):
        services.ticket_create(
            requester=customer, subject="Server down", body="!", team=team, priority="urgent"
        )
    # Mail is answered around the clock: a 24/7 policy, and a mail 50 minutes old is at risk.
    factories.SlaPolicyFactory(
        name="Email 24/7",
        position=2,
        channels=["email"],
        calendar=factories.BusinessCalendarFactory(name="Always", always_open=True),
        first_response_minutes=60,
    )
    with clock.travel(now - timedelta(minutes=50)):
        services.ticket_create(
            requester=customer, subject="Refund request", body="?", team=team, channel="email"
        )
    page.goto(f"{live_server.url}/sla/at-risk/")
    shoot(page, "at-risk")
    assert "sla-warning" in page.content() and "Refund request" in page.content()
    assert "Server down" in page.content()

    agent_page = browser.new_page(viewport={"width": 1366, "height": 768})
    sign_in(agent_page, live_server, agent)
    agent_page.goto(f"{live_server.url}/sla/at-risk/")
    assert "SLA policies" not in agent_page.inner_text("nav.sidenav")
    assert "Server down" in agent_page.content()
