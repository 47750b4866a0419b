"""The portal finds the tickets a customer is copied on (``tickets.selectors.copied_in``) with
jsonb containment; on PostgreSQL a GIN index serves it. SQLite has no such index (nor the
operator): nothing to do there."""

from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS ticket_cc_gin ON tickets_ticket USING gin (cc jsonb_path_ops)"
DROP = "DROP INDEX IF EXISTS ticket_cc_gin"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_mail_template")]

    operations = [migrations.RunPython(forwards, backwards)]
