# The copy of the ticket's product, version and component on SLA clocks (issue 17: the reports'
# product filters), filled from the tickets; the report indexes covering them are rebuilt in
# the next migration, without blocking writes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_product_keys(apps, schema_editor):
    """Copy each ticket's product, version and component onto its SLA clocks (``TicketKeyed``):
    one set-based UPDATE, only rows whose ticket names any of them; done before the report
    index is rebuilt, so the index is built once, over the filled rows."""
    rows = apps.get_model("tickets", "SlaTarget")._meta.db_table
    tickets = apps.get_model("tickets", "Ticket")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {rows} AS r
                   SET ticket_product_id = t.product_id, ticket_version_id = t.version_id,
                       ticket_component_id = t.component_id
                  FROM {tickets} AS t
                 WHERE t.id = r.ticket_id
                   AND (t.product_id IS NOT NULL OR t.version_id IS NOT NULL
                        OR t.component_id IS NOT NULL)"""  # noqa: S608 - our tables
        )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('customers', '0003_profile_fields'),
        ('products', '0001_initial'),
        ('tickets', '0004_ticket_public_updated_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='slatarget',
            name='ticket_component',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='products.component'),
        ),
        migrations.AddField(
            model_name='slatarget',
            name='ticket_product',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='products.product'),
        ),
        migrations.AddField(
            model_name='slatarget',
            name='ticket_version',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='products.version'),
        ),
        migrations.RunPython(copy_product_keys, migrations.RunPython.noop),
    ]
