"""Trigram indexes for the people search on PostgreSQL.

The search box, the merge page and the new-ticket type-ahead find contacts and organizations by
a part of a name, address or mail domain (``icontains``: ``UPPER(col) LIKE UPPER('%text%')``).
Without an index that reads every contact (50,000 contacts: ~110 ms); a GIN index of the
``pg_trgm`` trigrams of ``UPPER(col)`` answers the same ``LIKE`` from the index (docs/benchmarks.md,
"People search"). The expression matches what Django writes, so the queries stay as they are and
SQLite (no such index) keeps scanning, which is fine at its size. PostgreSQL only: on other
databases this migration does nothing.
"""

from django.db import migrations

INDEXES = {
    "customer_name_trgm_idx": ("customers_customer", "name"),
    "customer_email_trgm_idx": ("customers_customer", "email"),
    "organization_name_trgm_idx": ("customers_organization", "name"),
    "organization_domain_trgm_idx": ("customers_organizationdomain", "domain"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "  # noqa: S608 - fixed names above
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
