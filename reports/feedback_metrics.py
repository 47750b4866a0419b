"""Customer satisfaction (surveys sent in the range) and product-feedback demand (links made in
the range)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from feedback.models import CsatSurvey, Rating, TicketFeedbackLink
from reports.aggregates import ROW
from reports.filters import ReportFilter


@dataclass(frozen=True)
class CsatStat:
    sent: int
    answered: int
    good: int
    bad: int

    @property
    def score(self) -> float | None:
        """Share of good among answers, in percent."""
        return 100 * self.good / self.answered if self.answered else None

    @property
    def response_rate(self) -> float | None:
        return 100 * self.answered / self.sent if self.sent else None


def csat_counts() -> dict:
    return {
        "sent": Count(ROW),
        "answered": Count(ROW, filter=~Q(rating="")),
        "good": Count(ROW, filter=Q(rating=Rating.GOOD)),
        "bad": Count(ROW, filter=Q(rating=Rating.BAD)),
    }


def csat_surveys(f: ReportFilter) -> QuerySet[CsatSurvey]:
    """Surveys sent in the range, for tickets matching the filter."""
    return CsatSurvey.objects.filter(
        f.ticket_q("ticket_"), sent_at__gte=f.start_at, sent_at__lt=f.end_at
    )


def top_feedback_items(f: ReportFilter, *, limit: int = 10) -> list[dict]:
    """Items by new demand: links made in the range, for tickets matching the filter."""
    return list(
        TicketFeedbackLink.objects.filter(
            f.ticket_q("ticket__"), created_at__gte=f.start_at, created_at__lt=f.end_at
        )
        .values("item_id", "item__title", "item__status")
        .annotate(
            links=Count("id"),
            customers=Count("customer", distinct=True),
            organizations=Count("organization", distinct=True),
        )
        .order_by("-links", "-customers", "item__title")[:limit]
    )
