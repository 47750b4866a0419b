"""Feedback's sections on the agent's ticket page (registered in ``FeedbackConfig.ready``)."""

from __future__ import annotations

from collections.abc import Sequence

from accounts.models import User
from feedback.selectors import csat_for_ticket, ticket_links_context
from tickets.models import Message, Ticket
from tickets.workspace.panels import Panel


def csat_panel(*, ticket: Ticket, agent: User, conversation: Sequence[Message]) -> Panel:
    return Panel(
        "feedback/_ticket_csat.html", {"ticket": ticket, "survey": csat_for_ticket(ticket)}
    )


def feedback_links_panel(*, ticket: Ticket, agent: User, conversation: Sequence[Message]) -> Panel:
    """Linked feedback items, with the customer's words taken from the loaded conversation."""
    return Panel("feedback/_ticket_links.html", ticket_links_context(ticket, messages=conversation))


# How many answers and items a profile lists (the latest ones).
PROFILE_ROWS = 10


def profile_panel(*, agent: User, customer=None, organization=None) -> Panel:
    """A customer's (or an organization's) satisfaction answers and the feedback items their
    tickets stand behind, on the agent's profile pages (``tickets.people``)."""
    from feedback.models import CsatSurvey, FeedbackItem

    if customer is not None:
        surveys = CsatSurvey.objects.filter(customer=customer)
        items = FeedbackItem.objects.filter(links__customer=customer)
    else:
        surveys = CsatSurvey.objects.filter(customer__organization=organization)
        items = FeedbackItem.objects.filter(links__organization=organization)
    answered = list(
        surveys.filter(answered_at__isnull=False)
        .select_related("ticket")
        .only("id", "rating", "comment", "answered_at", "ticket__id", "ticket__subject")
        .order_by("-answered_at", "-id")[:PROFILE_ROWS]
    )
    linked = list(items.distinct().only("id", "title", "status").order_by("-id")[:PROFILE_ROWS])
    return Panel("feedback/_profile.html", {"answered": answered, "items": linked})
