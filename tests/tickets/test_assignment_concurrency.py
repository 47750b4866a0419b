"""Auto-assignment under concurrent changes (PostgreSQL: real row locks): tickets created at
once never push an agent over capacity, and round robin still takes turns."""

import threading
from collections import Counter

import pytest
from django.db import connection

from accounts.models import AssignmentMode, Availability
from tests import factories
from tickets import services
from tickets.models import Ticket

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_new_tickets_respect_capacity_and_take_turns():
    team = factories.TeamFactory(assignment_mode=AssignmentMode.ROUND_ROBIN)
    agents = [
        factories.AgentFactory(teams=[team], availability=Availability.ONLINE, capacity=2)
        for _ in range(3)
    ]
    customer = factories.CustomerFactory()
    start = threading.Barrier(8)
    errors = []

    def create(n):
        try:
            start.wait()
            services.ticket_create(requester=customer, subject=f"T{n}", body="x", team=team)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    per_agent = Counter(
        Ticket.objects.filter(assignee__isnull=False).values_list("assignee", flat=True)
    )
    assert per_agent == Counter({agent.pk: 2 for agent in agents})
    assert Ticket.objects.filter(assignee__isnull=True).count() == 2
