"""The workspace's filters in the Jinja2 partials (``templates/jinja2/agent/``).

Listed in ``settings.TEMPLATES`` (the Jinja2 entry's ``extensions``). ``ago`` and ``sla_badge`` are
the same functions as the Django filters ``{{ value|ago }}`` (``{% load workspace %}``) and
``{{ ticket|sla_badge }}`` (``{% load sla %}``). ``status_label``, ``priority_label`` and
``channel_label`` give what ``get_status_display()`` and its kin give, by a dict lookup: a queue
page shows two labels on each of up to 200 rows, and the model method rebuilds the field's choices
on every call.
"""

from __future__ import annotations

from jinja2 import Environment
from jinja2.ext import Extension

from tickets.models import Channel, Priority, Status
from tickets.templatetags.sla import sla_badge
from tickets.workspace.presentation import ago


def _label(choices):
    labels = {value: str(label) for value, label in choices}
    return lambda value: labels.get(value, value)


class WorkspaceExtension(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.update(
            ago=ago,
            sla_badge=sla_badge,
            status_label=_label(Status.choices),
            priority_label=_label(Priority.choices),
            channel_label=_label(Channel.choices),
        )
