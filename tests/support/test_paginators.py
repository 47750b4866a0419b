from __future__ import annotations

import pytest
from django.db import connection

from support import paginators
from support.paginators import EstimatedCountPaginator
from tests import factories
from tickets.models import Ticket


def test_small_or_filtered_lists_are_counted_exactly(db):
    factories.TicketFactory.create_batch(3)
    assert EstimatedCountPaginator(Ticket.objects.order_by("pk"), 2).count == 3
    filtered = Ticket.objects.filter(pk__gt=0).order_by("pk")
    assert EstimatedCountPaginator(filtered, 2).count == 3


@pytest.mark.postgres
def test_a_large_unfiltered_list_uses_the_planner_estimate(db, monkeypatch):
    factories.TicketFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")
    monkeypatch.setattr(paginators, "ESTIMATE_ABOVE", 0)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(
            "django.core.paginator.Paginator.count",
            property(lambda self: pytest.fail("counted exactly")),
        )
        assert EstimatedCountPaginator(Ticket.objects.order_by("pk"), 2).count == 3
