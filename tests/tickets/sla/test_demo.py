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


def test_breaches_before_the_demo_was_loaded_are_history_not_mail(
    db, django_capture_on_commit_callbacks
):
    """A breach that fell due before loading is marked at load, stored as dispatched, never mailed:
    a fresh `make run` must not start by mailing every breach in the demo's history."""
    from tickets.mail.models import OutboundEmail
    from tickets.models import EventKind, TicketEvent

    team = factories.TeamFactory()
    factories.AgentFactory(teams=[team])
    customer = factories.CustomerFactory()
    with clock.travel(clock.now() - timedelta(days=10)):
        late = services.ticket_create(requester=customer, subject="Nobody answered", body="x")

    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(rng=random.Random(7))

    first = SlaTarget.objects.get(ticket=late, kind=TargetKind.FIRST_RESPONSE)
    assert first.breached_at == first.due_at  # marked at its true time
    breaches = TicketEvent.objects.filter(ticket=late, kind=EventKind.SLA_BREACHED)
    assert {e.data["clock"] for e in breaches} >= {first.pk}
    assert all(e.dispatched_at is not None for e in breaches)  # history: never handed on
    assert not OutboundEmail.objects.filter(kind__startswith="sla_").exists()
    # Nothing is left for the sweep at start-up to find and mail.
    from tickets.sla.sweep import sla_sweep

    assert sla_sweep()["breach"] == 0
