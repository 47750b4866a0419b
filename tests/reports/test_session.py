"""The report's session on PostgreSQL: its two lanes read one shared snapshot on two
connections."""

import pytest

from reports.grouped import grouped_report
from reports.session import report_session
from tests import factories
from tests.reports.conftest import NOW, at, rf


@pytest.mark.postgres  # shared snapshots are PostgreSQL's
@pytest.mark.django_db(transaction=True)
def test_report_lanes_run_on_two_connections_in_one_snapshot(data, settings):
    """Outside a caller's transaction on PostgreSQL, the second lane runs on a connection of its
    own, reading the snapshot of the first: a ticket committed meanwhile is seen by neither."""
    import threading

    from django.db import connection

    from tickets.models import Ticket

    settings.REPORTS_CONNECTIONS = 2

    def seen() -> dict:
        return {"n": Ticket.objects.count(), "pid": connection.connection.info.backend_pid}

    def commit_a_ticket() -> None:
        try:
            factories.TicketFactory(created_at=at(2, 9), team=data["t1"])
        finally:
            connection.close()

    with report_session() as session:
        assert session.snapshot
        first = session.together(lambda: {"a": seen()})["a"]
        writer = threading.Thread(target=commit_a_ticket)
        writer.start()
        writer.join()
        both = session.together(lambda: {"a": seen()}, lambda: {"b": seen()})
    assert both["a"]["n"] == both["b"]["n"] == first["n"] == 7
    assert both["a"]["pid"] != both["b"]["pid"]
    assert Ticket.objects.count() == 8  # committed, just not in the report's snapshot


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_report_on_two_connections_equals_the_report_on_one(sla_data, settings):
    reports = []
    for connections in (1, 2):
        settings.REPORTS_CONNECTIONS = connections
        with report_session() as session:
            assert bool(session.snapshot) == (connections == 2)
            reports.append(grouped_report(rf(), now=NOW, session=session))
    assert reports[0] == reports[1]
    assert reports[1].tags == [("billing", 3), ("bug", 2)]
