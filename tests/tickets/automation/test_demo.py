"""The demo ships the automation examples off, and every demo ticket has its times."""

import pytest
from django.core.management import call_command

from tickets.automation.examples import EXAMPLES
from tickets.automation.models import Automation, TicketTimes
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_demo_has_the_examples_off_and_every_ticket_its_times():
    Automation.objects.all().delete()  # as on a database the migration didn't seed
    call_command("seed_demo", tickets=5)
    assert {a.name: a.is_active for a in Automation.objects.all()} == {
        e["name"]: False for e in EXAMPLES
    }
    assert TicketTimes.objects.count() == Ticket.objects.count() > 0
    pending = TicketTimes.objects.filter(status="pending").select_related("ticket")
    assert all(t.ticket.status == "pending" for t in pending)
