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
