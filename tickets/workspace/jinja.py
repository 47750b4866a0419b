"""The workspace's filters in the Jinja2 partials (``templates/jinja2/agent/``).

Listed in ``settings.TEMPLATES`` (the Jinja2 entry's ``extensions``). ``ago`` and ``sla_badge`` are
the same functions as the Django filters ``{{ value|ago }}`` (``{% load workspace %}``) and
``{{ ticket|sla_badge }}`` (``{% load sla %}``). ``status_label``, ``priority_label`` and
``channel_label`` give what ``get_status_display()`` and its kin give (translated), by a dict
lookup. A row loop passes them ``w = workspace_words()`` (``presentation.words``: the labels and
units of the active language, looked up once): ``{{ status|status_label(w) }}``,
``{{ t.updated_at|ago(w) }}``, ``{{ t|sla_badge(w.sla) }}``. Each ``gettext`` reads the active
language from a context-local, so 200 rows would otherwise make a thousand such reads.
"""

from __future__ import annotations

from jinja2 import Environment
from jinja2.ext import Extension

from tickets.templatetags.sla import sla_badge
from tickets.workspace.presentation import Words, ago, words


def _label(name: str):
    def label(value: str, vocabulary: Words | None = None) -> str:
        return getattr(vocabulary or words(), name).get(value, value)

    return label


class WorkspaceExtension(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["workspace_words"] = words
        environment.filters.update(
            ago=ago,
            sla_badge=sla_badge,
            status_label=_label("status"),
            priority_label=_label("priority"),
            channel_label=_label("channel"),
        )
