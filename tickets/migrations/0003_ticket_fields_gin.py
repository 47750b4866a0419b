"""A GIN index over ``Ticket.fields`` on PostgreSQL (``jsonb_path_ops``): filtering by a custom
field value (``fields @> '{"browser": "chrome"}'``, ``tickets.fields.filters``) reads it instead
of every ticket. SQLite has no such index; it compares the key's value."""

from django.db import migrations

FIELDS_INDEX = "ticket_fields_gin"


def create_fields_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {FIELDS_INDEX} ON tickets_ticket "
        "USING gin (fields jsonb_path_ops)"
    )


def drop_fields_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {FIELDS_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_ticketform_ticket_form_ticketformfield")]

    operations = [migrations.RunPython(create_fields_index, drop_fields_index)]
