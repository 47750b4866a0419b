# The report indexes of the copied keys, rebuilt to include the product, version and component
# (issue 17). Dropped and built concurrently on PostgreSQL (``support.migrations``): writes to the
# table go on meanwhile; reports read without the index until it is built.

from django.db import migrations, models

from support.migrations import AddIndexOnline, RemoveIndexOnline


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("feedback", "0002_csatsurvey_product_keys"),
    ]

    operations = [
        RemoveIndexOnline(
            model_name='csatsurvey',
            name='csat_sent_report_idx',
        ),
        AddIndexOnline(
            model_name='csatsurvey',
            index=models.Index(condition=models.Q(('sent_at__isnull', False)), fields=['sent_at'], include=('rating', 'ticket_assignee', 'ticket_team', 'ticket_organization', 'ticket_channel', 'ticket_product', 'ticket_version', 'ticket_component'), name='csat_sent_report_idx'),
        ),
    ]
