"""``{% load jinja %}``: a Jinja2 partial (``templates/jinja2/``, ``support/jinja.py``) in a page.

``{% jinja "agent/_queue_rows.html" rows=page.rows %}`` renders the partial with the values given
and the page's ``csrf_token`` and ``request`` (as a view rendering it with ``using="jinja2"`` would
pass them). It is Django's ``{% include … with … only %}`` for a partial of the other engine.
"""

from __future__ import annotations

from itertools import islice

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def render_partial(name: str, values: dict) -> SafeString:
    pieces = engines["jinja2"].env.get_template(name).generate(values)
    # Joined a few hundred pieces at a time: Jinja2 yields every escaped value as a Markup, a str
    # subclass the garbage collector tracks, and holding a thousand of them until one join (a
    # 50-row queue) set off a collection on every render, and more full collections over time.
    chunks = []
    while chunk := list(islice(pieces, 256)):
        chunks.append("".join(chunk))
    return mark_safe("".join(chunks))  # noqa: S308 - the output of a template with autoescaping


@register.simple_tag(takes_context=True)
def jinja(context, name: str, **values) -> SafeString:
    return render_partial(
        name,
        {"csrf_token": context.get("csrf_token"), "request": context.get("request"), **values},
    )
