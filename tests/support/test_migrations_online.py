"""An index added to a large table after its first migration is built without blocking writes.

``support.migrations.AddIndexOnline`` builds it with ``CREATE INDEX CONCURRENTLY`` on PostgreSQL;
a plain ``AddIndex`` locks the table against writes for as long as the build takes (minutes at a
million tickets). Initial migrations make empty tables and may use either.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, migrations
from django.db.migrations.loader import MigrationLoader

from support.migrations import AddIndexOnline

# The tables that grow with the tickets (and the rows reports count by date).
LARGE = {
    ("tickets", "ticket"),
    ("tickets", "message"),
    ("tickets", "ticketevent"),
    ("tickets", "attachment"),
    ("tickets", "slatarget"),
    ("feedback", "csatsurvey"),
    ("customers", "customer"),
}


def _later_index_operations():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for (app, name), migration in loader.disk_migrations.items():
        if migration.initial or name.startswith("0001"):
            continue
        for operation in migration.operations:
            if isinstance(operation, migrations.AddIndex):
                yield app, name, migration, operation


def test_indexes_added_to_large_tables_are_built_online():
    offending = [
        f"{app}.{name}: {operation.index.name}"
        for app, name, _migration, operation in _later_index_operations()
        if (app, operation.model_name.lower()) in LARGE
        and not isinstance(operation, AddIndexOnline)
    ]
    assert not offending, f"use support.migrations.AddIndexOnline (and atomic = False): {offending}"


def test_a_migration_with_an_online_index_is_not_atomic():
    for app, name, migration, operation in _later_index_operations():
        if isinstance(operation, AddIndexOnline):
            assert migration.atomic is False, f"{app}.{name} must say atomic = False"


@pytest.mark.django_db(transaction=True)
def test_the_sql_is_concurrent_on_postgresql_and_plain_elsewhere():
    out = StringIO()
    call_command("sqlmigrate", "tickets", "0004", stdout=out)
    sql = out.getvalue()
    if connection.vendor == "postgresql":
        assert 'CREATE INDEX CONCURRENTLY "ticket_req_public_idx"' in sql
    else:
        assert 'CREATE INDEX "ticket_req_public_idx"' in sql


def test_the_large_tables_named_exist():
    from django.apps import apps

    for app, model in LARGE:
        apps.get_model(app, model)  # LookupError names a model renamed since
