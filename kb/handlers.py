"""What the knowledge base does when a ticket changes (after commit; may run twice)."""

from __future__ import annotations

from support.events import subscribe
from tickets.models import EventKind, TicketEvent


@subscribe(EventKind.REPLIED)
def record_articles_sent(event: TicketEvent) -> None:
    """The articles an agent's public reply links to are recorded as sent on its ticket."""
    from kb.services import article_sends_record

    if event.message_id is None:
        return
    article_sends_record(message=event.message)
