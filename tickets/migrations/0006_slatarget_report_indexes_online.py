# The report indexes of the copied keys, rebuilt to include the product, version and component
# (issue 17). Dropped and built concurrently on PostgreSQL (``support.migrations``): writes to the
# table go on meanwhile; reports read without the index until it is built.

from django.db import migrations, models

from support.migrations import AddIndexOnline, RemoveIndexOnline


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0005_slatarget_product_keys"),
    ]

    operations = [
        RemoveIndexOnline(
            model_name='slatarget',
            name='sla_target_met_idx',
        ),
        RemoveIndexOnline(
            model_name='slatarget',
            name='sla_target_breached_idx',
        ),
        RemoveIndexOnline(
            model_name='slatarget',
            name='sla_target_fr_met_idx',
        ),
        AddIndexOnline(
            model_name='slatarget',
            index=models.Index(condition=models.Q(('met_at__isnull', False)), fields=['kind', 'met_at'], include=('ticket_assignee', 'ticket_team', 'ticket_organization', 'ticket_channel', 'ticket_product', 'ticket_version', 'ticket_component', 'state', 'due_at', 'breached_at', 'business_seconds_taken'), name='sla_target_met_idx'),
        ),
        AddIndexOnline(
            model_name='slatarget',
            index=models.Index(condition=models.Q(('breached_at__isnull', False)), fields=['kind', 'breached_at'], include=('ticket_assignee', 'ticket_team', 'ticket_organization', 'ticket_channel', 'ticket_product', 'ticket_version', 'ticket_component'), name='sla_target_breached_idx'),
        ),
        AddIndexOnline(
            model_name='slatarget',
            index=models.Index(condition=models.Q(('kind', 'first_response'), ('state', 'met')), fields=['started_at'], include=('ticket_assignee', 'ticket_team', 'ticket_organization', 'ticket_channel', 'ticket_product', 'ticket_version', 'ticket_component', 'business_seconds_taken'), name='sla_target_fr_met_idx'),
        ),
    ]
