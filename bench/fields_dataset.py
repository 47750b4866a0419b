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
    # The same values on both databases: chrome twice as often, then firefox, safari, edge.
    pick = (
        "CASE WHEN id %% 1000 = 3 THEN 'lynx' ELSE CASE id %% 5 WHEN 0 THEN 'chrome' "
        "WHEN 1 THEN 'chrome' WHEN 2 THEN 'firefox' WHEN 3 THEN 'safari' ELSE 'edge' END END"
    )
    if connection.vendor == "postgresql":
        merged = f"fields || jsonb_build_object(%s, {pick})"
    else:  # SQLite (the harness's own test): JSON1
        merged = f"json_set(fields, '$.' || %s, {pick})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET fields = {merged} WHERE id %% 10 < 6",  # noqa: S608 - our own SQL
            [KEY],
        )
        cursor.execute(f"ANALYZE {table}")
