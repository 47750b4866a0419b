"""Keeps each ticket's search document current as its text changes."""

from __future__ import annotations

from support.events import subscribe
from tickets.models import EventKind, TicketEvent
from tickets.workspace.search import document_rebuild


@subscribe(
    EventKind.CREATED,
    EventKind.REPLIED,
    EventKind.NOTE_ADDED,
    EventKind.SUBJECT_CHANGED,
    EventKind.REQUESTER_CHANGED,
)
def refresh_search_document(event: TicketEvent) -> None:
    document_rebuild(ticket_id=event.ticket_id)
