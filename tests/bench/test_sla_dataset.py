"""The scale data set's SLA clocks: closed-form business time, and the clocks the seed writes."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from bench.sla_dataset import business_add, business_between
from tickets.models import OPEN_STATUSES, Status, Ticket
from tickets.sla.business_time import Calendar, add_business_time, business_time_between
from tickets.sla.models import SlaTarget, TargetKind, TargetState, TicketSla

WEEKDAYS = Calendar.from_spec(
    time_zone="UTC",
    hours={d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    holidays=(),
)


def test_closed_form_business_time_agrees_with_the_engine():
    rng = random.Random(7)
    base = datetime(2024, 1, 1, tzinfo=UTC).timestamp()
    cases = [(base, base + 3600), (base + 9 * 3600, base + 17 * 3600)]  # a Monday
    for _ in range(300):
        a = base + rng.random() * 900 * 86400
        cases.append((a, a + rng.expovariate(1 / (3 * 86400))))
    for a, b in cases:
        da, db = datetime.fromtimestamp(a, UTC), datetime.fromtimestamp(b, UTC)
        expected = business_time_between(da, db, WEEKDAYS).total_seconds()
        assert business_between(a, b) == pytest.approx(expected, abs=1e-3)
        minutes = rng.choice([60, 240, 480, 4320, 10080])
        due = add_business_time(da, timedelta(minutes=minutes), WEEKDAYS).timestamp()
        assert business_add(a, minutes * 60) == pytest.approx(due, abs=1e-3)
    # A duration that ends at closing time ends then (Monday 09:00 + 8 h = Monday 17:00).
    monday_nine = datetime(2024, 1, 1, 9, tzinfo=UTC).timestamp()
    assert business_add(monday_nine, 8 * 3600) == monday_nine + 8 * 3600


@pytest.mark.postgres
def test_seed_scale_writes_the_clocks_the_engine_would_have(db):
    small = {"organizations": 10, "customers": 100, "agents": 6, "teams": 2, "batch": 500}
    call_command("seed_scale", tickets=1500, stdout=open("/dev/null", "w"), **small)  # noqa: SIM115
    assert TicketSla.objects.count() == 1500
    per_kind = {k: SlaTarget.objects.filter(kind=k).count() for k in TargetKind.values}
    assert per_kind["first_response"] == per_kind["resolution"] == 1500
    assert per_kind["next_reply"] > 100
    # Solved tickets: resolution met when solved, with its business time; nothing left running.
    solved = Ticket.objects.exclude(status__in=OPEN_STATUSES)
    assert not SlaTarget.objects.filter(
        ticket__in=solved, state__in=[TargetState.RUNNING, TargetState.PAUSED]
    ).exists()
    for target in SlaTarget.objects.filter(kind="resolution", ticket__in=solved)[:50]:
        assert target.state == TargetState.MET and target.met_at == target.ticket.solved_at
        taken = business_time_between(target.started_at, target.met_at, WEEKDAYS)
        assert target.business_seconds_taken == int(taken.total_seconds())
    # Outcomes: a clock met after its due time was breached at its due time; both kinds occur.
    met = SlaTarget.objects.filter(state=TargetState.MET)
    assert met.filter(breached_at__isnull=True).exists()
    late = met.filter(breached_at__isnull=False)
    assert late.exists() and all(t.breached_at == t.due_at < t.met_at for t in late[:50])
    # Pending and on-hold tickets have a paused resolution clock and no resolution due time.
    paused = Ticket.objects.filter(status__in=[Status.PENDING, Status.ON_HOLD])
    assert paused.exists() and not paused.filter(resolution_due_at__isnull=False).exists()
    assert SlaTarget.objects.filter(ticket__in=paused, state=TargetState.PAUSED).count() == (
        paused.count()
    )
    # CSAT surveys for most solved tickets, some answered; feedback links for a few tickets.
    from feedback.models import CsatSurvey, TicketFeedbackLink

    surveys = CsatSurvey.objects.all()
    assert 0.6 < surveys.count() / Ticket.objects.filter(solved_at__isnull=False).count() < 0.9
    assert surveys.filter(rating="bad").exists() and surveys.filter(rating="").exists()
    assert not surveys.filter(rating="", answered_at__isnull=False).exists()
    assert 10 <= TicketFeedbackLink.objects.count() <= 60
    # Adding again changes nothing: every ticket has its clocks.
    before = SlaTarget.objects.count(), surveys.count()
    call_command("seed_scale", derived_only=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (SlaTarget.objects.count(), surveys.count()) == before
