"""The SLA demo seed: policies and replayed clocks, idempotent."""

from __future__ import annotations

import random
from datetime import timedelta

from support import clock
from tests import factories
from tickets import services
from tickets.models import Status
from tickets.sla import demo
from tickets.sla.models import BusinessCalendar, SlaPolicy, SlaTarget, TargetKind, TargetState


def test_seed_creates_policies_and_replays_ticket_clocks(db):
    agent = factories.AgentFactory(teams=[factories.TeamFactory()])
    customer = factories.CustomerFactory()
    start = clock.now() - timedelta(days=10)
    with clock.travel(start):
        answered = services.ticket_create(requester=customer, subject="Answered", body="x")
        waiting = services.ticket_create(requester=customer, subject="Waiting", body="x")
    with clock.travel(start + timedelta(hours=1)):
        services.ticket_reply(ticket=answered, body="Hi", by=agent, status=Status.SOLVED)

    demo.seed(rng=random.Random(7))
    demo.seed(rng=random.Random(7))  # idempotent

    assert SlaPolicy.objects.count() == 4
    assert BusinessCalendar.objects.get(name="Berlin office").holidays.exists()
    fr = SlaTarget.objects.get(ticket=answered, kind=TargetKind.FIRST_RESPONSE)
    assert fr.state == TargetState.MET and fr.met_at == start + timedelta(hours=1)
    assert SlaTarget.objects.get(ticket=answered, kind=TargetKind.RESOLUTION).state == "met"
    waiting.refresh_from_db()
    assert waiting.first_response_due_at is not None
    assert SlaTarget.objects.filter(ticket=waiting).count() == 2
