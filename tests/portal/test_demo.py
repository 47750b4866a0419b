import random

import pytest

from portal import demo
from tests import factories
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_seed_gives_the_demo_customer_a_password_and_tickets_and_is_idempotent(client):
    factories.AgentFactory(email="agent@example.com")
    demo.seed(rng=random.Random(1))
    demo.seed(rng=random.Random(1))
    assert client.login(username=demo.DEMO_EMAIL, password="demo")
    tickets = Ticket.objects.filter(requester__email=demo.DEMO_EMAIL)
    assert tickets.count() == len(demo.STORIES)
    assert {t.status for t in tickets} == {"pending", "solved", "open"}
    assert all(t.messages.filter(author_user__isnull=False).exists() for t in tickets)
    assert client.get("/portal/").status_code == 200
