"""The report's filter: a date range in the viewer's time zone, and the optional team, agent,
organization and channel every part of the report narrows to."""

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
        """The team/agent/organization/channel filter, on tickets or through a relation."""
        q = Q()
        if self.team_id:
            q &= Q(**{f"{prefix}team_id": self.team_id})
        if self.agent_id:
            q &= Q(**{f"{prefix}assignee_id": self.agent_id})
        if self.organization_id:
            q &= Q(**{f"{prefix}organization_id": self.organization_id})
        if self.channel:
            q &= Q(**{f"{prefix}channel": self.channel})
        return q

    def tickets(self) -> QuerySet[Ticket]:
        return Ticket.objects.filter(self.ticket_q())

    def created(self) -> QuerySet[Ticket]:
        return self.tickets().filter(created_at__gte=self.start_at, created_at__lt=self.end_at)

    def solved(self) -> QuerySet[Ticket]:
        return self.tickets().filter(solved_at__gte=self.start_at, solved_at__lt=self.end_at)

    def range_q(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start_at, f"{field}__lt": self.end_at})
