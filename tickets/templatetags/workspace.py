"""``{% load workspace %}``: what dense agent pages need, cheap per row.

- ``{{ value|ago }}``: compact time labels, "5m ago", "3h ago", "2d ago", "in 4h".
- ``{% options choices selected %}``: a long ``<option>`` list
  (``templates/jinja2/agent/_options.html``).

Queue rows and the ticket timeline are Jinja2 partials too, included with ``{% load jinja %}``
(see ``support/jinja.py``).
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from support.templatetags.jinja import render_partial
from tickets.workspace.presentation import ago

register = template.Library()
register.filter("ago", ago)


OPTIONS = "agent/_options.html"


@register.simple_tag
def options(choices, selected=None) -> SafeString:
    """``<option>`` elements for ``(value, label)`` pairs: ``{% options agents assignee_id %}``.

    Long lists (every agent, every team) are on every agent page, several times on a queue page,
    and are the same list on every page until a user or team changes (``accounts.selectors``). So
    each distinct list is rendered once per process and language (``_rendered``), and a selected
    value is marked by swapping its one option for the template's selected form of it.
    ``selected`` is one value or a list of them, compared as strings (query-string values are).
    """
    if selected is None or selected == "":
        wanted: set[str] = set()
    elif isinstance(selected, list | tuple | set | frozenset):
        wanted = {str(v) for v in selected}
    else:
        wanted = {str(selected)}
    language = get_language()
    html, labels = _rendered(language, tuple(tuple(pair) for pair in choices))
    for value in wanted & labels.keys():
        html = html.replace(*_one(language, value, labels[value]), 1)
    return mark_safe(html)  # noqa: S308 - pieces of the template's own output


@lru_cache(maxsize=64)
def _rendered(language: str | None, choices: tuple) -> tuple[str, dict[str, str]]:
    """The list rendered with nothing selected, and its labels by value (as strings)."""
    del language  # part of the cache key: labels may be translated
    html = render_partial(OPTIONS, {"choices": choices, "wanted": ()})
    return str(html), {str(value): label for value, label in choices}


@lru_cache(maxsize=1024)
def _one(language: str | None, value: str, label: str) -> tuple[str, str]:
    """One option as the template renders it, not selected and selected."""
    del language
    one = ((value, label),)
    plain = render_partial(OPTIONS, {"choices": one, "wanted": ()})
    return str(plain), str(render_partial(OPTIONS, {"choices": one, "wanted": (value,)}))


@register.simple_tag(takes_context=True)
def side_panel(context, panel) -> SafeString:
    """``{% side_panel panel %}``: a ``tickets.workspace.panels.Panel`` of the ticket page, its
    template rendered with the panel's values and the page's ``csrf_token`` and ``request``
    (like ``{% include … with … only %}``)."""
    template = context.template.engine.get_template(panel.template)
    values = {"csrf_token": context.get("csrf_token"), "request": context.get("request")}
    return template.render(context.new({**values, **panel.context}))
