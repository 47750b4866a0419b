"""The report's filter: a date range in the viewer's time zone, and the optional team, agent,
organization, channel, product, version and component every part of the report narrows to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from tickets.models import Ticket


@dataclass(frozen=True)
class ReportFilter:
    start: date
    end: date  # inclusive
    tz: ZoneInfo
    team_id: int | None = None
    agent_id: int | None = None
    organization_id: int | None = None
    channel: str = ""
    # A version or component is one of the product's (``reports.filter_form`` checks it).
    product_id: int | None = None
    version_id: int | None = None
    component_id: int | None = None

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=self.tz)

    @property
    def end_at(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=self.tz)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def ticket_q(self, prefix: str = "") -> Q:
        """The team/agent/organization/channel/product/version/component filter: on tickets
        (``""``), through the relation to the ticket (``"ticket__"``), or on the copy of the
        ticket's keys on a ``TicketKeyed`` row (``"ticket_"``: ``ticket_team_id`` …)."""
        q = Q()
        if self.team_id:
            q &= Q(**{f"{prefix}team_id": self.team_id})
        if self.agent_id:
            q &= Q(**{f"{prefix}assignee_id": self.agent_id})
        if self.organization_id:
            q &= Q(**{f"{prefix}organization_id": self.organization_id})
        if self.channel:
            q &= Q(**{f"{prefix}channel": self.channel})
        for key in ("product", "version", "component"):
            value = getattr(self, f"{key}_id")
            if value:
                q &= Q(**{f"{prefix}{key}_id": value})
        return q

    @property
    def cache_key(self) -> str:
        """Everything the report's numbers depend on, for the report cache's key."""
        return ":".join(
            str(v)
            for v in (
                self.start,
                self.end,
                self.tz.key,
                self.team_id,
                self.agent_id,
                self.organization_id,
                self.channel,
                self.product_id,
                self.version_id,
                self.component_id,
            )
        )

    def tickets(self) -> QuerySet[Ticket]:
        return Ticket.objects.filter(self.ticket_q())

    def created(self) -> QuerySet[Ticket]:
        return self.tickets().filter(created_at__gte=self.start_at, created_at__lt=self.end_at)

    def solved(self) -> QuerySet[Ticket]:
        return self.tickets().filter(solved_at__gte=self.start_at, solved_at__lt=self.end_at)

    def range_q(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start_at, f"{field}__lt": self.end_at})
