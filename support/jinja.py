"""The Jinja2 environment of the partials in ``templates/jinja2/`` (the second ``TEMPLATES`` entry).

Pages are Django templates. A partial that repeats one small block many times on a hot page (queue
rows, a ticket's timeline, search results, long ``<option>`` lists) is a Jinja2 template instead:
Jinja2 compiles a template to Python, so its loop costs about what the same loop written in Python
costs, where Django's engine resolves and filters every variable of every row through its nodes
(five to seven times as long for queue rows and the timeline, on the benchmark's data).

Autoescaping is on; a value already marked safe (``format_html``, ``SafeString``) is kept as it is,
as Django keeps it. An undefined name is an error (``StrictUndefined``), not an empty string: a
partial's inputs are what its caller passes.

A Django template includes a partial with ``{% load jinja %}{% jinja "agent/_queue_rows.html"
rows=page.rows %}`` (``support/templatetags/jinja.py``); a view renders one directly with
``render(request, name, context, using="jinja2")``.

This module gives every partial what it may use from Django: ``url(name, args=…, kwargs=…)``,
Django's own filters under their Django names (Jinja2's ``filesizeformat`` counts in powers of ten;
Django's, used here, in powers of two; ``date`` formats in the active language, as Django's
``|date`` does), and ``isoformat`` and ``exact_time``: what ``|date`` gives
with the two formats of the ``<time>`` elements (apply ``|localtime`` first). An app adds its own
filters with a Jinja2 extension listed in the settings (``tickets.workspace.jinja``), so this
module imports no app.

Strings are translated like the Django templates' (the same catalogs, the active language):
``jinja2.ext.i18n`` with Django's ``gettext``/``ngettext``/``pgettext`` installed, new-style
(``{{ _("Forward") }}``, ``{{ _("From #%(id)s, merged", id=m.pk) }}``: placeholders are named and
their values escaped). ``manage.py messages update`` extracts them with Jinja2's Babel extractor
(``support.i18n_catalog``). A row loop should look a repeated string up once, before the loop.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template.defaultfilters import date, filesizeformat, linebreaksbr
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import localtime
from jinja2 import Environment


def isoformat(value: datetime) -> str:
    """What Django's ``|date:"c"`` gives."""
    return value.isoformat()


def exact_time(value: datetime) -> str:
    """What Django's ``|date:"Y-m-d H:i T"`` gives ("2025-03-30 14:05 CEST"), without its parser."""
    return f"{value:%Y-%m-%d %H:%M} {value.tzname() or ''}".rstrip()


def environment(**options) -> Environment:
    extensions = [*options.pop("extensions", []), "jinja2.ext.i18n"]
    env = Environment(autoescape=options.pop("autoescape", True), extensions=extensions, **options)
    env.policies["ext.i18n.trimmed"] = True  # as the extractor reads {% trans %} blocks
    env.install_gettext_translations(translation, newstyle=True)  # type: ignore[attr-defined]
    env.globals["url"] = reverse
    env.filters.update(
        date=date,
        exact_time=exact_time,
        filesizeformat=filesizeformat,
        isoformat=isoformat,
        linebreaksbr=linebreaksbr,
        localtime=localtime,
        naturaltime=naturaltime,
    )
    return env
