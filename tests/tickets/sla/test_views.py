"""SLA pages: who may see them, editing calendars and policies, preview, at-risk list, clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from support import clock
from tests import factories
from tickets import services
from tickets.models import Ticket
from tickets.sla.models import BusinessCalendar, SlaPolicy
from tickets.sla.selectors import (
    humanize,
    sla_clock_for,
    tickets_sla_at_risk,
    tickets_sla_breached,
    tickets_with_sla_clock,
)

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def policy(db):
    return factories.SlaPolicyFactory(
        name="Default",
        is_default=True,
        calendar=factories.BusinessCalendarFactory(name="Berlin office", always_open=True),
        first_response_minutes=60,
        resolution_minutes=480,
    )


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", ["sla:overview", "sla:calendar_new", "sla:policy_new"])
def test_settings_pages_are_for_admins_only(client, agent, admin_user, name):
    url = reverse(name)
    assert client.get(url).status_code == 302  # anonymous: to sign in
    refused = login(client, agent).get(url)
    assert refused.status_code == 403 and "SLA policies" in refused.content.decode()
    assert login(client, admin_user).get(url).status_code == 200


def test_customer_cannot_see_the_at_risk_page_or_a_clock(client, ticket):
    portal = factories.CustomerUserFactory()
    login(client, portal)
    assert client.get(reverse("sla:at_risk")).status_code == 404
    assert client.get(reverse("sla:clock", args=[ticket.pk])).status_code == 404


def test_clock_fragment_is_404_for_an_agent_of_another_team(client, other_agent, agent, ticket):
    assert login(client, other_agent).get(reverse("sla:clock", args=[ticket.pk])).status_code == 404
    assert login(client, agent).get(reverse("sla:clock", args=[ticket.pk])).status_code == 200


def test_admin_creates_a_calendar_with_holidays(client, admin_user):
    login(client, admin_user)
    response = client.post(
        reverse("sla:calendar_new"),
        {
            "name": "Berlin",
            "time_zone": "Europe/Berlin",
            "hours_mon": "09:00-12:00, 13:00-18:00",
            "hours_fri": "22:00-06:00",
            "holidays_text": "2026-12-24 Christmas Eve\n",
            "seed_country": "DE",
        },
    )
    assert response.status_code == 302
    cal = BusinessCalendar.objects.get(name="Berlin")
    assert cal.hours == {
        "mon": [["09:00", "12:00"], ["13:00", "18:00"]],
        "fri": [["22:00", "06:00"]],
    }
    dates = {d.isoformat() for d in cal.holiday_dates()}
    assert "2026-12-24" in dates and "2026-12-25" in dates


def test_calendar_form_reports_overlaps(client, admin_user):
    login(client, admin_user)
    response = client.post(
        reverse("sla:calendar_new"),
        {"name": "Bad", "time_zone": "UTC", "hours_mon": "09:00-12:00, 11:00-13:00"},
    )
    assert response.status_code == 200
    assert "overlap" in response.content.decode()
    assert not BusinessCalendar.objects.filter(name="Bad").exists()


def test_admin_creates_a_policy_and_sees_the_preview(client, admin_user, policy):
    login(client, admin_user)
    org = factories.OrganizationFactory()
    response = client.post(
        reverse("sla:policy_new"),
        {
            "name": "Urgent",
            "position": "1",
            "is_active": "on",
            "calendar": policy.calendar.pk,
            "priorities": ["urgent", "high"],
            "organizations": [org.pk],
            "tag_names": "VIP, outage",
            "first_response_minutes": "15",
            "resolution_minutes": "240",
            "warning_percent": "80",
            "breach_raise_priority": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    urgent = SlaPolicy.objects.get(name="Urgent")
    assert urgent.priorities == ["high", "urgent"]
    assert set(urgent.tags.values_list("name", flat=True)) == {"vip", "outage"}
    page = client.get(response["Location"]).content.decode()
    assert "A ticket created now" in page and "would be due at" in page


def test_preview_fragment_follows_the_form(client, admin_user, policy):
    login(client, admin_user)
    response = client.post(
        reverse("sla:policy_preview"),
        {"calendar": policy.calendar.pk, "first_response_minutes": "30", "warning_percent": "75"},
    )
    assert "First response" in response.content.decode()
    response = client.post(reverse("sla:policy_preview"), {})
    assert "Choose a calendar" in response.content.decode()


def test_at_risk_page_lists_breached_and_at_risk_tickets(client, admin_user, policy, customer):
    with clock.travel(T0):
        late = services.ticket_create(requester=customer, subject="Late one", body="x")
    with clock.travel(T0 + timedelta(minutes=30)):
        risky = services.ticket_create(requester=customer, subject="Risky one", body="x")
    with clock.travel(T0 + timedelta(minutes=70)):
        services.ticket_create(requester=customer, subject="Fine one", body="x")
    now = T0 + timedelta(minutes=61 + 30 - 15)  # late: 16m overdue; risky: 75%+ used
    qs = tickets_with_sla_clock(Ticket.objects.all())
    assert list(tickets_sla_breached(qs, now=now)) == [late]
    assert set(tickets_sla_at_risk(qs, now=now)) == {risky}
    with clock.travel(now):
        page = login(client, admin_user).get(reverse("sla:at_risk")).content.decode()
    assert "Late one" in page and "first response overdue by 16m" in page
    assert "Risky one" in page and "Fine one" not in page


def test_clock_badge_states(policy, customer, agent):
    with clock.travel(T0):
        ticket = services.ticket_create(requester=customer, subject="s", body="b")
    annotated = tickets_with_sla_clock(Ticket.objects.filter(pk=ticket.pk)).get()
    c = sla_clock_for(annotated, now=T0 + timedelta(minutes=18))
    assert (c.state, c.text) == ("ok", "first response in 42m")
    assert sla_clock_for(annotated, now=T0 + timedelta(minutes=50)).state == "warning"
    c = sla_clock_for(annotated, now=T0 + timedelta(hours=3))
    assert (c.state, c.text) == ("breached", "first response overdue by 2h")
    with clock.travel(T0 + timedelta(minutes=5)):
        services.ticket_reply(ticket=ticket, body="ok", by=agent, status="pending")
    annotated = tickets_with_sla_clock(Ticket.objects.filter(pk=ticket.pk)).get()
    assert sla_clock_for(annotated).text == "resolution paused"


def test_humanize():
    assert humanize(timedelta(minutes=42)) == "42m"
    assert humanize(timedelta(hours=3)) == "3h"
    assert humanize(timedelta(hours=3, minutes=20)) == "3h 20m"
    assert humanize(timedelta(days=2, hours=4)) == "2d 4h"


def test_badge_filter_and_tag_render(policy, customer):
    from django.template import Context, Template

    ticket = services.ticket_create(requester=customer, subject="s", body="b")
    ticket.refresh_from_db()
    html = Template("{% load sla %}{{ t|sla_badge }}|{% sla_clock t %}").render(
        Context({"t": ticket})
    )
    assert html.count("sla-clock sla-ok") == 2
    assert "first response in" in html


def test_ticket_page_badge_agrees_with_the_at_risk_queue(client, admin_user, policy, customer):
    """The header's clock says "warning" for exactly the tickets the queues list as at risk,
    from the first render (not only after its minute refresh)."""
    with clock.travel(T0):
        risky = services.ticket_create(requester=customer, subject="Risky one", body="x")
        calm = services.ticket_create(requester=customer, subject="Calm one", body="x")
    services.ticket_update(ticket=calm, by=None, changes={"priority": "low"})
    now = T0 + timedelta(minutes=50)  # 75% of the first response used: at risk
    qs = tickets_with_sla_clock(Ticket.objects.all())
    at_risk = set(tickets_sla_at_risk(qs, now=now))
    assert risky in at_risk
    login(client, admin_user)
    with clock.travel(now):
        for ticket in (risky, calm):
            page = client.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
            header = page[page.index('class="ticket-clock"') :][:600]
            assert ("sla-warning" in header) == (ticket in at_risk), (ticket.subject, header)
        queue = client.get(reverse("workspace:queue", args=["sla_at_risk"])).content.decode()
    assert "Risky one" in queue


def test_breached_is_read_from_the_ticket_row_and_agrees_with_the_clocks(policy, customer, agent):
    """``sla_breached_q`` reads the ticket's nearest running due time; it must name exactly the
    tickets with an overdue running clock — not a paused one, not a met one."""
    from django.db.models import Exists, OuterRef

    from tickets.sla.models import SlaTarget, TargetState

    with clock.travel(T0):
        overdue = services.ticket_create(requester=customer, subject="Overdue", body="x")
        paused = services.ticket_create(requester=customer, subject="Paused", body="x")
        answered = services.ticket_create(requester=customer, subject="Answered", body="x")
    with clock.travel(T0 + timedelta(minutes=5)):
        services.ticket_reply(ticket=answered, by=agent, body="On it.")
        # Answered, then waiting on the customer: its resolution clock pauses, none runs.
        services.ticket_reply(ticket=paused, by=agent, body="Which version?")
        services.ticket_update(ticket=paused, by=agent, changes={"status": "pending"})
    now = T0 + timedelta(days=30)  # every clock that still runs is overdue by now
    from_clocks = Ticket.objects.filter(
        Exists(
            SlaTarget.objects.filter(
                ticket=OuterRef("pk"), state=TargetState.RUNNING, due_at__lte=now
            )
        )
    )
    breached = tickets_sla_breached(Ticket.objects.all(), now=now)
    assert set(breached) == set(from_clocks)
    assert overdue in breached and answered in breached  # its resolution clock still runs
    assert paused not in breached
    assert "slatarget" not in str(breached.query).lower()  # the ticket row alone
