"""TicketEvent.dispatched_at: when every handler had run for the event (null while owed).

Events already recorded count as dispatched: the old path gave no record of which were lost, and
replaying history would re-run every handler for every ticket ever changed. The partial index is
created after the backfill, so it starts (and stays) small. Not atomic: the backfill commits in
batches (adding a nullable column and the index are each one statement).
"""

from django.db import migrations, models, transaction
from django.db.models import F


BATCH = 50_000


def mark_existing_dispatched(apps, schema_editor):
    """In id ranges, each its own transaction: a large table is never locked in one statement,
    and a run that stops half-way picks up where it left off."""
    TicketEvent = apps.get_model("tickets", "TicketEvent")
    last = TicketEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for start in range(0, last + 1, BATCH):
        with transaction.atomic():
            TicketEvent.objects.filter(
                id__gte=start, id__lt=start + BATCH, dispatched_at__isnull=True
            ).update(dispatched_at=F("at"))


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("tickets", "0005_merge_0002_report_indexes_0004_merge_20261127_0046"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticketevent",
            name="dispatched_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_existing_dispatched, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="ticketevent",
            index=models.Index(
                condition=models.Q(("dispatched_at__isnull", True)),
                fields=["at"],
                name="event_undispatched_idx",
            ),
        ),
    ]
