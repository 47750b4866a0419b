from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext

from support.db_router import REPLICA, ReplicaRouter, reads_from_replica, replica_reads
from tests.support.settings_loader import load_settings
from tickets.models import Ticket

PRIMARY = "postgres://app@db-primary:5432/switchboard"
REPLICA_URL = "postgres://app@db-replica:5432/switchboard"


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr("support.db_router.replica_configured", lambda: True)


def test_report_reads_go_to_the_replica_when_one_is_configured(with_replica):
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(Ticket) == REPLICA
    assert router.db_for_read(Ticket) == "default"


def test_writes_always_go_to_the_primary_even_in_a_report(with_replica):
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_write(Ticket) == "default"


def test_without_a_replica_report_reads_stay_on_default(monkeypatch):
    monkeypatch.setattr("support.db_router.replica_configured", lambda: False)
    with replica_reads():
        assert ReplicaRouter().db_for_read(Ticket) == "default"


def test_a_report_view_decorated_reads_from_the_replica(with_replica):
    router = ReplicaRouter()

    @reads_from_replica
    def report(request):
        return router.db_for_read(Ticket)

    assert report(None) == REPLICA
    assert router.db_for_read(Ticket) == "default"  # the choice ends with the view


def test_the_replica_is_never_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "tickets") is True
    assert router.allow_migrate(REPLICA, "tickets") is False


def test_settings_add_the_replica_alias_from_database_replica_url(monkeypatch):
    loaded = load_settings(monkeypatch, DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=REPLICA_URL)
    assert loaded.DATABASES[REPLICA]["HOST"] == "db-replica"
    assert loaded.DATABASES["default"]["HOST"] == "db-primary"
    assert loaded.DATABASES[REPLICA]["TEST"] == {"MIRROR": "default"}
    assert loaded.DATABASE_ROUTERS == ["support.db_router.ReplicaRouter"]


def test_settings_have_no_replica_without_the_variable(monkeypatch):
    loaded = load_settings(monkeypatch, DATABASE_URL=PRIMARY)
    assert set(loaded.DATABASES) == {"default"}
    assert not getattr(loaded, "DATABASE_ROUTERS", [])  # nothing to route: no router on every query


# CI's PostgreSQL pass sets DATABASE_REPLICA_URL; elsewhere this is deselected (SQLite) or skipped.
@pytest.mark.postgres
@pytest.mark.skipif(REPLICA not in settings.DATABASES, reason="run with DATABASE_REPLICA_URL set")
@pytest.mark.django_db(databases=["default", REPLICA], transaction=True)
def test_a_report_query_runs_on_the_replica_connection(ticket):
    """With DATABASE_REPLICA_URL set (tests mirror it onto the test database, so the ticket is
    committed for the replica's own connection to see it)."""
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        with replica_reads():
            assert Ticket.objects.filter(pk=ticket.pk).count() == 1
    assert len(on_replica) == 1
