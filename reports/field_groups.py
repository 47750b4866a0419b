"""The dashboard grouped by a custom choice field (``?group=browser``): per value, the tickets
created in the range, of them solved, and CSAT of the surveys sent in the range — two grouped
queries on the value (``fields ->> 'browser'`` on PostgreSQL), whatever the number of values."""

from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.fields.json import KeyTextTransform
from django.utils.translation import gettext_lazy as _

from reports.aggregates import ROW
from reports.feedback_metrics import CsatStat, csat_counts, csat_surveys
from reports.filters import ReportFilter
from tickets.fields.cache import ticket_fields
from tickets.fields.models import FieldKind, TicketField
from tickets.fields.services import display

NO_VALUE = _("No value")


def grouping_fields() -> list[TicketField]:
    """The fields the dashboard can group by: active single-choice fields."""
    return [f for f in ticket_fields.get().values() if f.active and f.kind == FieldKind.CHOICE]


def field_rows(f: ReportFilter, field: TicketField) -> list[dict]:
    value = KeyTextTransform(field.key, "fields")
    counts = (
        f.created()
        .annotate(value=value)
        .values("value")
        .annotate(created=Count(ROW), solved=Count(ROW, filter=Q(solved_at__isnull=False)))
        .order_by()
    )
    csat = {
        row["value"]: CsatStat(row["sent"], row["answered"], row["good"], row["bad"])
        for row in csat_surveys(f)
        .annotate(value=KeyTextTransform(field.key, "ticket__fields"))
        .values("value")
        .annotate(**csat_counts())
        .order_by()
    }
    empty = CsatStat(0, 0, 0, 0)
    rows = [
        {
            "name": display(field, row["value"]) or NO_VALUE,
            "created": row["created"],
            "solved": row["solved"],
            "csat": csat.get(row["value"], empty),
        }
        for row in counts
    ]
    return sorted(rows, key=lambda r: (-r["created"], r["name"]))


def context(key: str, f: ReportFilter) -> dict:
    """The grouped table for the dashboard, when ``key`` names a field it can group by."""
    field = next((x for x in grouping_fields() if x.key == key), None)
    if field is None:
        return {}
    return {"group_field": field, "group_rows": field_rows(f, field)}
