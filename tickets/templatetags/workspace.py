"""``{% load workspace %}``: what dense agent pages need, cheap per row.

- ``{{ value|ago }}``: compact time labels, "5m ago", "3h ago", "2d ago", "in 4h".
- ``{% options choices selected %}``: a long ``<option>`` list
  (``templates/jinja2/agent/_options.html``).

Queue rows and the ticket timeline are Jinja2 partials too, included with ``{% load jinja %}``
(see ``support/jinja.py``).
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from support.templatetags.jinja import render_partial
from tickets.workspace.presentation import ago

register = template.Library()
register.filter("ago", ago)


@register.simple_tag
def options(choices, selected=None) -> SafeString:
    """``<option>`` elements for ``(value, label)`` pairs: ``{% options agents assignee_id %}``.

    Long lists (every agent, every team) are on every agent page, several times on a queue page:
    the loop is a Jinja2 partial. ``selected`` is one value or a list of them, compared as strings
    (query-string values are).
    """
    if selected is None or selected == "":
        wanted: set[str] = set()
    elif isinstance(selected, list | tuple | set | frozenset):
        wanted = {str(v) for v in selected}
    else:
        wanted = {str(selected)}
    return render_partial("agent/_options.html", {"choices": choices, "wanted": wanted})


@register.simple_tag(takes_context=True)
def side_panel(context, panel) -> SafeString:
    """``{% side_panel panel %}``: a ``tickets.workspace.panels.Panel`` of the ticket page, its
    template rendered with the panel's values and the page's ``csrf_token`` and ``request``
    (like ``{% include … with … only %}``)."""
    template = context.template.engine.get_template(panel.template)
    values = {"csrf_token": context.get("csrf_token"), "request": context.get("request")}
    return template.render(context.new({**values, **panel.context}))
