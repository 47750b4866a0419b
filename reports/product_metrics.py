"""Per product (issue 17): tickets created in the range by product and by version, and
customer satisfaction by product (surveys sent in the range) — each one grouped query."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from reports.feedback_metrics import CsatStat, csat_counts, csat_surveys
from reports.filters import ReportFilter

NONE = _("No product")


def tickets_by_product(f: ReportFilter) -> list[dict]:
    """Per product: created in range, and of those solved and still open; "No product" too."""
    rows = (
        f.created()
        .values("product_id", "product__name")
        .annotate(
            created=Count("id"),
            solved=Count("id", filter=Q(solved_at__isnull=False)),
        )
        .order_by("-created", "product__name")
    )
    return [{**row, "product__name": row["product__name"] or NONE} for row in rows]


def tickets_by_version(f: ReportFilter, *, limit: int = 30) -> list[dict]:
    """Per product version with tickets created in the range, most first."""
    return list(
        f.created()
        .filter(version__isnull=False)
        .values("product__name", "version_id", "version__name", "version__status")
        .annotate(created=Count("id"))
        .order_by("-created", "product__name", "version__name")[:limit]
    )


def csat_by_product(f: ReportFilter) -> dict[int | None, CsatStat]:
    # The copy of the ticket's product on the survey (``TicketKeyed``): no join to tickets.
    rows = csat_surveys(f).values("ticket_product_id").annotate(**csat_counts()).order_by()
    return {
        row["ticket_product_id"]: CsatStat(
            sent=row["sent"], answered=row["answered"], good=row["good"], bad=row["bad"]
        )
        for row in rows
    }
