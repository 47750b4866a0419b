"""Custom field values on the bench tickets, for the ``?field.browser=`` scenarios.

The loaded data set has no custom field values (``seed_scale`` writes tickets by COPY): the
first run makes a ``browser`` choice field and gives about 60% of the tickets a value in one
UPDATE — chrome (twice as often), firefox, safari, edge, and "lynx" on one ticket in a thousand
for the rare-value case — then ANALYZEs the table. Later runs find the values and do nothing.
"""

from __future__ import annotations

from django.db import connection

from tickets.fields.models import FieldChoice, FieldKind, TicketField
from tickets.models import Ticket

KEY = "browser"
CHOICES = ["chrome", "firefox", "safari", "edge", "lynx"]


def ensure_browser_values() -> None:
    field, created = TicketField.objects.get_or_create(
        key=KEY, defaults={"kind": FieldKind.CHOICE, "label": "Browser"}
    )
    if created:
        for position, value in enumerate(CHOICES):
            FieldChoice.objects.create(
                field=field, value=value, label=value.title(), position=position
            )
    if Ticket.objects.filter(fields__has_key=KEY).exists():
        return
    table = Ticket._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET fields = fields || jsonb_build_object(%s, CASE "  # noqa: S608 - our own table name
            "WHEN id %% 1000 = 3 THEN 'lynx' "
            "ELSE (ARRAY['chrome', 'chrome', 'firefox', 'safari', 'edge'])[1 + id %% 5] END) "
            "WHERE id %% 10 < 6",
            [KEY],
        )
        cursor.execute(f"ANALYZE {table}")
