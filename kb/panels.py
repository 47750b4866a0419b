"""The knowledge base's section on the agent's ticket page (registered in ``KbConfig.ready``):
search articles and insert a link or a quote into the composer; the articles already sent."""

from __future__ import annotations

from collections.abc import Sequence

from accounts.models import User
from kb.models import ArticleSend
from tickets.models import Message, Ticket
from tickets.workspace.panels import Panel


def kb_panel(*, ticket: Ticket, agent: User, conversation: Sequence[Message]) -> Panel:
    sent = list(
        ArticleSend.objects.filter(ticket=ticket)
        .select_related("article")
        .order_by("at")
        .values_list("article__title", "article__language", "article__slug")
        .distinct()
    )
    return Panel("kb/_ticket_panel.html", {"ticket": ticket, "sent": sent})
