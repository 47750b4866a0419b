"""Partials other pages include: ``{% load feedback %}`` then ``{% ticket_csat ticket %}`` and
``{% ticket_feedback_links ticket conversation %}`` on the agent's ticket page."""

from __future__ import annotations

from django import template

from feedback.selectors import csat_for_ticket, ticket_links_context

register = template.Library()


@register.inclusion_tag("feedback/_ticket_csat.html")
def ticket_csat(ticket):
    return {"ticket": ticket, "survey": csat_for_ticket(ticket)}


@register.inclusion_tag("feedback/_ticket_links.html", takes_context=True)
def ticket_feedback_links(context, ticket, messages=None):
    """``messages``: the conversation the page has already loaded (else it is queried)."""
    return {
        **ticket_links_context(ticket, messages=messages),
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }
