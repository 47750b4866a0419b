"""/readyz counts open tickets without a team: a warning, never a failure; read from an index."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from support import clock
from tests import factories

pytestmark = pytest.mark.django_db


def test_readyz_warns_about_unrouted_tickets_without_failing(client, customer):
    assert client.get("/readyz").json()["checks"]["unrouted"] == "ok"
    factories.TicketFactory(team=None, requester=customer)
    factories.TicketFactory(team=None, requester=customer, status="closed", closed_at=clock.now())
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["warnings"] == ["unrouted"]
    assert body["checks"]["unrouted"] == "warning: 1 open ticket without a team (Admin → Routing)"
    counts = [q["sql"] for q in queries if "COUNT" in q["sql"].upper()]
    assert len(counts) == 1 and '"team_id" IS NULL' in counts[0]


@pytest.mark.postgres
def test_the_unrouted_count_reads_the_open_queue_index(customer):
    from tickets.models import OPEN_STATUSES, Ticket

    query = Ticket.objects.filter(
        team__isnull=True, status__in=OPEN_STATUSES, merged_into__isnull=True
    ).values("pk")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan, plan
