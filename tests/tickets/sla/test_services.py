"""Clock transitions: every event that moves an SLA clock, through the ticket services."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from support import clock
from tests import factories
from tickets import services
from tickets.models import Channel, Priority, Status, Ticket
from tickets.sla.models import SlaTarget, TargetKind, TargetState, TicketSla
from tickets.sla.services import calendar_seed_holidays, policy_for, preview_due

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # a Monday


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def target(ticket: Ticket, kind: str) -> SlaTarget:
    return SlaTarget.objects.filter(ticket=ticket, kind=kind).order_by("-started_at", "-id").first()


@pytest.fixture
def policy(db):
    cal = factories.BusinessCalendarFactory(always_open=True)
    return factories.SlaPolicyFactory(
        name="Default",
        is_default=True,
        calendar=cal,
        first_response_minutes=60,
        next_reply_minutes=120,
        resolution_minutes=480,
    )


@pytest.fixture
def new_ticket(policy, customer, agent, team):
    with clock.travel(T0):
        return services.ticket_create(
            requester=customer, subject="Printer", body="Broken", team=team
        )


def test_creating_a_ticket_starts_first_response_and_resolution(new_ticket, policy):
    ticket = Ticket.objects.get(pk=new_ticket.pk)
    assert ticket.sla.policy == policy
    assert ticket.first_response_due_at == at(60)
    assert ticket.resolution_due_at == at(480)
    assert ticket.next_reply_due_at is None
    assert target(ticket, TargetKind.FIRST_RESPONSE).warn_at == at(45)


def test_no_policy_means_no_clocks(customer):
    ticket = services.ticket_create(requester=customer, subject="Hello", body="Hi")
    ticket.refresh_from_db()
    assert ticket.first_response_due_at is None
    assert TicketSla.objects.get(ticket=ticket).policy is None


def test_first_agent_reply_meets_first_response_with_business_time_taken(new_ticket, agent):
    with clock.travel(at(30)):
        services.ticket_reply(ticket=new_ticket, body="On it", by=agent)
    new_ticket.refresh_from_db()
    fr = target(new_ticket, TargetKind.FIRST_RESPONSE)
    assert fr.state == TargetState.MET and fr.met_at == at(30)
    assert fr.business_seconds_taken == 30 * 60
    assert new_ticket.first_response_due_at is None


def test_internal_note_does_not_meet_first_response(new_ticket, agent):
    with clock.travel(at(30)):
        services.ticket_note(ticket=new_ticket, body="Looking", by=agent)
    assert target(new_ticket, TargetKind.FIRST_RESPONSE).state == TargetState.RUNNING


def test_customer_reply_starts_next_reply_and_agent_reply_meets_it(new_ticket, agent, customer):
    with clock.travel(at(10)):
        services.ticket_reply(ticket=new_ticket, body="Hi", by=agent)
    with clock.travel(at(20)):
        services.ticket_reply(ticket=new_ticket, body="Still broken", by=customer)
    with clock.travel(at(50)):
        services.ticket_reply(ticket=new_ticket, body="And again", by=customer)
    new_ticket.refresh_from_db()
    assert new_ticket.next_reply_due_at == at(20 + 120)  # counted from the first unanswered
    with clock.travel(at(80)):
        services.ticket_reply(ticket=new_ticket, body="Fixed?", by=agent)
    new_ticket.refresh_from_db()
    nr = target(new_ticket, TargetKind.NEXT_REPLY)
    assert nr.state == TargetState.MET and nr.business_seconds_taken == 60 * 60
    assert new_ticket.next_reply_due_at is None


def test_customer_reply_before_first_response_starts_no_next_reply(new_ticket, customer):
    with clock.travel(at(5)):
        services.ticket_reply(ticket=new_ticket, body="More details", by=customer)
    assert target(new_ticket, TargetKind.NEXT_REPLY) is None


def test_pending_pauses_resolution_and_open_resumes_it(new_ticket, agent):
    with clock.travel(at(60)):
        services.ticket_change_status(ticket=new_ticket, status=Status.PENDING, by=agent)
    new_ticket.refresh_from_db()
    assert new_ticket.resolution_due_at is None
    assert target(new_ticket, TargetKind.RESOLUTION).state == TargetState.PAUSED
    with clock.travel(at(60 + 90)):
        services.ticket_change_status(ticket=new_ticket, status=Status.OPEN, by=agent)
    new_ticket.refresh_from_db()
    assert new_ticket.resolution_due_at == at(480 + 90)
    assert target(new_ticket, TargetKind.RESOLUTION).paused_seconds == 90 * 60


def test_on_hold_pauses_and_customer_reply_resumes(new_ticket, agent, customer):
    with clock.travel(at(10)):
        services.ticket_reply(ticket=new_ticket, body="Wait", by=agent, status=Status.ON_HOLD)
    with clock.travel(at(40)):
        services.ticket_reply(ticket=new_ticket, body="Any news?", by=customer)
    new_ticket.refresh_from_db()
    assert new_ticket.status == Status.OPEN
    assert new_ticket.resolution_due_at == at(480 + 30)
    assert new_ticket.next_reply_due_at == at(40 + 120)


def test_pause_uses_business_time_of_the_calendar(policy, customer, agent):
    cal = policy.calendar
    cal.always_open, cal.time_zone = False, "UTC"
    cal.hours = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    cal.save()
    with clock.travel(T0):
        ticket = services.ticket_create(requester=customer, subject="x", body="y")
    assert Ticket.objects.get(pk=ticket.pk).resolution_due_at == at(480)  # 17:00 Monday
    # Pending from Monday 16:00 to Tuesday 10:00 pauses 2 business hours, not 18 hours.
    with clock.travel(at(7 * 60)):
        services.ticket_change_status(ticket=ticket, status=Status.PENDING, by=agent)
    with clock.travel(at(25 * 60)):
        services.ticket_change_status(ticket=ticket, status=Status.OPEN, by=agent)
    assert target(ticket, TargetKind.RESOLUTION).paused_seconds == 2 * 3600
    assert Ticket.objects.get(pk=ticket.pk).resolution_due_at == at(26 * 60)  # 1h left


def test_solved_meets_resolution_and_cancels_owed_clocks(new_ticket, agent):
    with clock.travel(at(100)):
        services.ticket_change_status(ticket=new_ticket, status=Status.SOLVED, by=agent)
    new_ticket.refresh_from_db()
    res = target(new_ticket, TargetKind.RESOLUTION)
    assert res.state == TargetState.MET and res.business_seconds_taken == 100 * 60
    assert target(new_ticket, TargetKind.FIRST_RESPONSE).state == TargetState.CANCELLED
    assert (
        new_ticket.first_response_due_at,
        new_ticket.next_reply_due_at,
        new_ticket.resolution_due_at,
    ) == (None, None, None)


def test_solved_while_pending_meets_resolution_without_the_pause(new_ticket, agent):
    with clock.travel(at(60)):
        services.ticket_change_status(ticket=new_ticket, status=Status.PENDING, by=agent)
    with clock.travel(at(200)):
        services.ticket_change_status(ticket=new_ticket, status=Status.SOLVED, by=agent)
    assert target(new_ticket, TargetKind.RESOLUTION).business_seconds_taken == 60 * 60


def test_reopening_resumes_resolution_without_counting_the_solved_spell(new_ticket, agent):
    with clock.travel(at(100)):
        services.ticket_change_status(ticket=new_ticket, status=Status.SOLVED, by=agent)
    with clock.travel(at(400)):
        services.ticket_change_status(ticket=new_ticket, status=Status.OPEN, by=agent)
    new_ticket.refresh_from_db()
    res = target(new_ticket, TargetKind.RESOLUTION)
    assert res.state == TargetState.RUNNING and res.met_at is None
    assert res.paused_seconds == 300 * 60
    assert new_ticket.resolution_due_at == at(480 + 300)


def test_outcomes_are_kept_after_solving(new_ticket, agent):
    # (Closing is not exercised: workflow.check_transition refuses solved → closed today.)
    with clock.travel(at(30)):
        services.ticket_reply(ticket=new_ticket, body="Done", by=agent, status=Status.SOLVED)
    outcomes = {t.kind: (t.state, t.business_seconds_taken) for t in new_ticket.sla_targets.all()}
    assert outcomes == {
        TargetKind.FIRST_RESPONSE: (TargetState.MET, 1800),
        TargetKind.RESOLUTION: (TargetState.MET, 1800),
    }


def test_priority_change_rematches_and_recomputes_from_start(new_ticket, policy, agent):
    urgent = factories.SlaPolicyFactory(
        name="Urgent",
        position=1,
        calendar=policy.calendar,
        priorities=[Priority.URGENT],
        first_response_minutes=15,
        resolution_minutes=120,
    )
    with clock.travel(at(5)):
        services.ticket_update(ticket=new_ticket, by=agent, changes={"priority": Priority.URGENT})
    new_ticket.refresh_from_db()
    assert new_ticket.sla.policy == urgent
    assert new_ticket.first_response_due_at == at(15)
    assert new_ticket.resolution_due_at == at(120)


def test_a_policy_without_a_target_cancels_that_clock(new_ticket, policy, agent):
    factories.SlaPolicyFactory(
        name="Tasks",
        position=1,
        calendar=policy.calendar,
        types=["task"],
        first_response_minutes=None,
        resolution_minutes=60,
    )
    services.ticket_update(ticket=new_ticket, by=agent, changes={"type": "task"})
    new_ticket.refresh_from_db()
    assert new_ticket.first_response_due_at is None
    assert target(new_ticket, TargetKind.FIRST_RESPONSE).state == TargetState.CANCELLED
    assert new_ticket.resolution_due_at == at(60)


def test_conditions_on_tag_channel_and_organization(policy, customer, agent):
    org = factories.OrganizationFactory()
    vip = factories.SlaPolicyFactory(
        name="VIP",
        position=1,
        calendar=policy.calendar,
        channels=[Channel.EMAIL],
        first_response_minutes=10,
    )
    vip.tags.set([factories.TagFactory(name="vip")])
    vip.organizations.set([org])
    customer.organization = org
    customer.save()
    ticket = services.ticket_create(
        requester=customer, subject="s", body="b", channel=Channel.EMAIL, tags=["vip"]
    )
    assert ticket.sla.policy == vip
    services.ticket_set_tags(ticket=ticket, by=agent, remove=["vip"])
    assert TicketSla.objects.get(ticket=ticket).policy == policy
    web = services.ticket_create(requester=customer, subject="s", body="b", tags=["vip"])
    assert web.sla.policy == policy


def test_first_match_wins_by_position(policy, new_ticket):
    factories.SlaPolicyFactory(name="B", position=2, calendar=policy.calendar)
    a = factories.SlaPolicyFactory(name="A", position=1, calendar=policy.calendar)
    factories.SlaPolicyFactory(name="Off", position=0, calendar=policy.calendar, is_active=False)
    assert policy_for(new_ticket) == a


def test_preview_due(policy):
    preview = preview_due(policy=policy, at=T0)
    assert preview[TargetKind.FIRST_RESPONSE] == (at(45), at(60))
    assert TargetKind.NEXT_REPLY in preview


def test_seeding_holidays_from_the_holidays_package(db):
    cal = factories.BusinessCalendarFactory(time_zone="Europe/Berlin")
    added = calendar_seed_holidays(calendar=cal, country="de", years=[2026])
    assert added >= 9
    assert date(2026, 12, 25) in cal.holiday_dates()
    assert calendar_seed_holidays(calendar=cal, country="DE", years=[2026]) == 0
