"""What the knowledge base does when a ticket changes (after commit; may run twice)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from support.events import subscribe
from tickets.models import EventKind, Ticket, TicketEvent


@subscribe(EventKind.REPLIED)
def record_articles_sent(event: TicketEvent) -> None:
    """The articles an agent's public reply links to are recorded as sent on its ticket."""
    from kb.services import article_sends_record

    if event.message_id is None:
        return
    article_sends_record(message=event.message)


CONFIRMATION_LIMIT = 3


def confirmation_articles(ticket: Ticket, language: str) -> list[dict]:
    """Up to three public articles matching a new ticket's subject, for its confirmation mail
    (admin → Knowledge base settings → articles in the confirmation mail)."""
    from kb import selectors

    if not selectors.confirmation_articles_enabled():
        return []
    found = selectors.suggestions(query=ticket.subject, language=language, limit=CONFIRMATION_LIMIT)
    return [
        {
            "title": article.title,
            "url": settings.SITE_URL
            + reverse("kb:article", kwargs={"language": article.language, "slug": article.slug}),
        }
        for article in found
    ]
