"""How feedback hears about tickets: ticket domain events, never imports from tickets into us."""

from __future__ import annotations

from tickets.events import subscribe
from tickets.models import EventKind, Status, TicketEvent


@subscribe(EventKind.STATUS_CHANGED)
def schedule_csat_on_solve(event: TicketEvent) -> None:
    """A solved ticket owes its customer a survey (sent later by the beat sweep)."""
    from feedback.services import csat_survey_schedule

    if event.new != Status.SOLVED:
        return
    csat_survey_schedule(ticket=event.ticket)
