"""Trigram indexes for the agents' people search (``tickets.people.selectors.customer_matches``:
a contact's name or address *containing* the text). Without them every search page read all
contacts (``UPPER(name) LIKE '%…%'``: 50,000 rows, docs/benchmarks.md, *Second pass*).
PostgreSQL only; ``pg_trgm`` ships with PostgreSQL (a trusted extension: the database's owner
may create it). SQLite searches without them."""

from django.db import migrations

INDEXES = {
    "customer_name_trgm": "UPPER(name::text)",
    "customer_email_trgm": "UPPER(email::text)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON customers_customer "
            f"USING gin (({expression}) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
