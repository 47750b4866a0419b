"""``{% load sla %}``: the SLA clock badge.

- ``{% sla_clock ticket %}`` renders ``tickets/sla/_clock.html`` (ticket header; refreshes itself).
- ``{% sla_policy ticket %}`` names the ticket's SLA policy, and says when a rule pinned it.
- ``{{ ticket|sla_badge }}`` builds the same badge without a template include, for queue rows
  (list templates stay flat). Annotate the queryset with ``tickets_with_sla_clock`` for warnings.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from tickets.models import Ticket
from tickets.sla.models import TicketSla
from tickets.sla.selectors import ClockWords, clock_words, sla_clock_for

register = template.Library()


@register.inclusion_tag("tickets/sla/_clock.html")
def sla_clock(ticket, live: bool = True):
    return {"ticket": ticket, "clock": sla_clock_for(ticket), "live": live}


@register.inclusion_tag("tickets/sla/_policy.html")
def sla_policy(ticket):
    """Read with the ticket when it was (``ticket_get_for_agent(header=True)``: after any change
    of the request), else one query when rendered, so a rule that applied a policy shows."""
    if Ticket.sla.is_cached(ticket):
        sla = getattr(ticket, "sla", None)
        return {"sla": sla and {"policy_name": sla.policy_name, "pinned": sla.pinned}}
    sla = TicketSla.objects.filter(ticket=ticket).values("policy_name", "pinned").first()
    return {"sla": sla}


@register.filter
def sla_badge(ticket, words: ClockWords | None = None) -> str:
    """``words``: ``clock_words()``, looked up once by a loop over many rows (the Jinja2 rows)."""
    words = words or clock_words()
    clock = sla_clock_for(ticket, words=words)
    if clock is None:
        return ""
    if clock.due_at:
        title = words.due_title % {"when": f"{clock.due_at:%Y-%m-%d %H:%M} UTC"}
    else:
        title = words.paused_title
    return format_html(
        '<span class="sla-clock sla-{}" title="{}">{}</span>', clock.state, title, clock.text
    )
