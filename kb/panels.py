"""The knowledge base's section on the agent's ticket page (registered in ``KbConfig.ready``):
search articles and insert a link or a quote into the composer. The articles already sent on the
ticket load with htmx after the page (``kb_agent:sent``), so the panel adds no query to it."""

from __future__ import annotations

from collections.abc import Sequence

from accounts.models import User
from tickets.models import Message, Ticket
from tickets.workspace.panels import Panel


def kb_panel(*, ticket: Ticket, agent: User, conversation: Sequence[Message]) -> Panel:
    return Panel("kb/_ticket_panel.html", {"ticket": ticket})
