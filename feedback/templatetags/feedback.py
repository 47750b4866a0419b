"""``{% load feedback %}``: ``{% ticket_csat ticket %}``, a ticket's satisfaction survey, on
feedback's own ticket page. (The agent's ticket page shows the same partial, and the linked feedback
items, as panels: ``feedback/panels.py``.)"""

from __future__ import annotations

from django import template

from feedback.selectors import csat_for_ticket

register = template.Library()


@register.inclusion_tag("feedback/_ticket_csat.html")
def ticket_csat(ticket):
    return {"ticket": ticket, "survey": csat_for_ticket(ticket)}
